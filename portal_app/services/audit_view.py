"""The audit log for people: each row's item by name and its change as a list of
"field: before → after", amounts as money and references as names, plus a CSV of the
same. Audit rows keep raw values (minor units, ids); this is how they are read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from portal_app.models import (
    AuditEvent,
    Contact,
    Customer,
    OperatorGroup,
    OperatorUser,
    Package,
    PortalDomain,
    PublicFile,
    RateCard,
)

from .account import account_currency
from .csvcell import csv_cell
from .dates import formatter
from .money import format_micros, format_minor

# Amounts: minor units of the row's (or the item's) currency, or micro-units for rates.
MINOR = {
    "credit_limit",
    "customer_limit",
    "amount",
    "threshold",
    "monthly_fee",
    "retail",
    "balance",
}
MICRO = {"rate", "connection_fee", "cost"}
# A reference to another row, by id, and the table that names it.
REFERENCES = {
    "customer_id": "customer",
    "template_customer_id": "customer",
    "domain_id": "portal_domain",
    "customers_to": "portal_domain",
    "group_id": "operator_group",
    "logo_file_id": "public_file",
    "card_id": "rate_card",
    "rate_cards": "rate_card",
}
# The key by which a row's fields refer to the row's own item (a ledger entry's customer).
REFERENCES_OF = {"customer": "customer_id", "rate_card": "card_id"}
_SKIP = {"id", "created_at", "updated_at", "actor_label"}  # the row says who and when
_ENTITY_LABELS = {
    "customer": "Customer",
    "contact": "Contact",
    "operator_user": "User",
    "operator_group": "Group",
    "portal_domain": "Domain",
    "public_file": "File",
    "rate_card": "Rate card",
    "package": "Package",
    "account_config": "Account settings",
    "outbox_message": "Email",
    "cdr": "Call records",
}
_NAMERS: dict[str, tuple[Any, str]] = {
    "customer": (Customer, "name"),
    "contact": (Contact, "email"),
    "operator_user": (OperatorUser, "name"),
    "operator_group": (OperatorGroup, "name"),
    "portal_domain": (PortalDomain, "host"),
    "public_file": (PublicFile, "name"),
    "rate_card": (RateCard, "name"),
    "package": (Package, "name"),
}
_NAME_KEYS = ("name", "host", "email", "brand_name")
LABELS = {
    "smtp_from": "SMTP from",
    "smtp_server": "SMTP server",
    "smtp_username": "SMTP username",
    "smtp_password": "SMTP password",
    "totp_enabled": "Two-factor",
    "custom_js": "Javascript",
    "custom_css": "CSS",
    "cdr_columns": "CDR columns",
    "template_customer_id": "Template customer",
    "logo_file_id": "Logo",
    "domain_id": "Domain",
    "customer_id": "Customer",
    "group_id": "Group",
    "rate_cards": "Routes",
    "customers_to": "Customers moved to",
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the field is new (a creation)
    after: str | None  # None: the field is gone (a deletion)

    @property
    def text(self) -> str:
        if self.before is None:
            return f"{self.label}: {self.after}"
        if self.after is None:
            return f"{self.label}: {self.before} (removed)"
        return f"{self.label}: {self.before} → {self.after}"


@dataclass(frozen=True)
class AuditView:
    id: int
    at: str
    who: str
    action: str
    item: str
    changes: list[Change]


def label(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").capitalize()


class Names:
    """Names of the rows a page of audit events refers to, read with one query per table."""

    def __init__(self, session: Session, events: Iterable[AuditEvent]):
        wanted: dict[str, set[int]] = {}
        for e in events:
            if e.entity in _NAMERS and e.entity_id.isdigit():
                wanted.setdefault(e.entity, set()).add(int(e.entity_id))
            for side in (e.before or {}, e.after or {}):
                for key, table in REFERENCES.items():
                    for value in _ids(side.get(key)):
                        wanted.setdefault(table, set()).add(value)
        self._names: dict[tuple[str, int], str] = {}
        self.currency = account_currency(session=session)  # for amounts that name none
        self._currency: dict[int, str] = {}
        for table, ids in wanted.items():
            model, column = _NAMERS[table]
            extra = (model.currency,) if model is Customer else ()
            query = select(model.id, getattr(model, column), *extra).where(model.id.in_(ids))
            for row in session.exec(query).all():
                self._names[(table, row[0])] = str(row[1])
                if extra:
                    self._currency[row[0]] = row[2]

    def name(self, table: str, value: Any) -> str:
        ids = _ids(value)
        if not ids:
            return "none"
        return ", ".join(self._names.get((table, i), f"#{i} (deleted)") for i in ids)

    def known(self, table: str, row_id: int) -> str | None:
        return self._names.get((table, row_id))

    def customer_currency(self, customer_id: int) -> str | None:
        return self._currency.get(customer_id)


def _ids(value: Any) -> list[int]:
    if isinstance(value, bool) or value in (None, "", "none", "detach"):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, str) and value.isdigit():
        return [int(value)]
    if isinstance(value, list):
        return [v for item in value for v in _ids(item)]
    return []


def _currency(event: AuditEvent, names: Names) -> str:
    for side in (event.after or {}, event.before or {}):
        if isinstance(side.get("currency"), str) and side["currency"]:
            return side["currency"]
        if isinstance(side.get("currencies"), list) and side["currencies"]:
            return str(side["currencies"][0])
    if event.entity == "customer" and event.entity_id.isdigit():
        return names.customer_currency(int(event.entity_id)) or names.currency
    return names.currency


def _value(key: str, value: Any, currency: str, names: Names) -> str:
    if key in REFERENCES:
        return names.name(REFERENCES[key], value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, int) and key in MINOR:
        return format_minor(value, currency)
    if isinstance(value, int) and key in MICRO:
        return format_micros(value, currency)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{label(str(k))}: {_value(str(k), v, currency, names)}" for k, v in value.items()
        )
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def changes(event: AuditEvent, names: Names) -> list[Change]:
    """The fields that differ between before and after, each as people read it."""
    before, after = event.before or {}, event.after or {}
    currency = _currency(event, names)
    keys = list(dict.fromkeys([*before, *after]))
    # Amounts already carry their currency; the item already names its own row.
    shown_as_money = any(k in MINOR or k in MICRO for k in keys)
    own = REFERENCES_OF.get(event.entity)
    out = []
    for key in keys:
        if key in _SKIP or (key in before and key in after and before[key] == after[key]):
            continue
        if (key == "currency" and shown_as_money and not (key in before and key in after)) or (
            key == own and str(before.get(key, after.get(key))) == event.entity_id
        ):
            continue
        old = _value(key, before[key], currency, names) if key in before else None
        new = _value(key, after[key], currency, names) if key in after else None
        if (old is None or new is None) and (old or new) == "none":
            continue  # a created or deleted row's empty fields say nothing
        out.append(Change(label(key), old, new))
    return out


def _item(event: AuditEvent, names: Names) -> str:
    kind = _ENTITY_LABELS.get(event.entity, label(event.entity))
    if event.entity not in _NAMERS or not event.entity_id.isdigit():
        return kind
    named = names.known(event.entity, int(event.entity_id))
    if named is None:  # deleted since: the row itself may remember its name
        side = event.before or event.after or {}
        named = next((str(side[k]) for k in _NAME_KEYS if side.get(k)), f"#{event.entity_id}")
    return f"{kind} {named}"


def audit_views(*, session: Session, events: list[AuditEvent]) -> list[AuditView]:
    """A page of audit events as people read them (the caller checked the Log area)."""
    names = Names(session, events)
    fmt = formatter(session=session)  # UTC, named by the table's and the CSV's header
    return [
        AuditView(
            id=e.id or 0,
            at=fmt.datetime(e.at, seconds=True, with_zone=False),
            who=e.actor_label,
            action=e.action,
            item=_item(e, names),
            changes=changes(e, names),
        )
        for e in events
    ]


def audit_csv_text(views: list[AuditView]) -> str:
    """The rows as CSV: when (UTC), who, action, item and the changes, one per line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when_utc", "who", "action", "item", "changes"])
    for v in views:
        writer.writerow(
            [
                v.at,
                csv_cell(v.who),
                v.action,
                csv_cell(v.item),
                csv_cell("\n".join(c.text for c in v.changes)),
            ]
        )
    return out.getvalue()

"""The money ledger of a customer: entries are only ever added, the balance is their sum.

There is no update or delete on purpose. A mistake is put right by a correction entry that
points at the entry it reverses, so the history an auditor reads is the history that
happened. Amounts are integer minor units of the customer's currency.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, func, select

from portal_app.models import Area, Customer, LedgerEntry, LedgerKind

from .alerts import alerts_fire
from .audit import audit_record, snapshot
from .autotopup_trigger import autotopup_charge
from .csvcell import csv_cell
from .cursor_reads import fetch_rows
from .dates import as_utc, formatter
from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .money import format_minor, parse_minor, plain_minor
from .policy import carrier_check, hidden_kinds

MAX_NOTE = 500
MAX_REFERENCE = 120


def _signed_for_kind(kind: str, typed: int) -> tuple[int | None, dict[str, str]]:
    if kind in (LedgerKind.PAYMENT, LedgerKind.CREDIT, LedgerKind.CHARGE):
        if typed < 0:
            return None, {"amount": f"Enter the {kind} as a positive amount."}
        return (-typed if kind == LedgerKind.CHARGE else typed), {}
    return typed, {}  # a correction keeps the sign typed; _check_correction bounds it


def _check_correction(
    session: Session, customer: Customer, amount: int, corrects_id: int | None
) -> dict[str, str]:
    """A correction moves one earlier entry of the same customer toward zero, never past it."""
    if corrects_id is None:
        return {"corrects_id": "Choose the entry this correction reverses."}
    # Locked so that two corrections typed at once cannot both pass the bound (PostgreSQL).
    target = session.exec(
        select(LedgerEntry).where(LedgerEntry.id == corrects_id).with_for_update()
    ).first()
    if target is None or target.customer_id != customer.id:
        return {"corrects_id": "That entry does not exist for this customer."}
    if target.kind == LedgerKind.CORRECTION:
        return {"corrects_id": "Correct the original entry, not a correction."}
    if target.currency != customer.currency:
        return {"corrects_id": "That entry is in another currency."}
    already = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.corrects_id == target.id
        )
    ).one()
    remaining = target.amount + already
    if remaining == 0:
        return {"corrects_id": "That entry is already fully reversed."}
    if (amount > 0) == (remaining > 0) or abs(amount) > abs(remaining):
        left = format_minor(-remaining, customer.currency)
        return {"amount": f"A correction of this entry can be at most {left}."}
    return {}


@dataclass(frozen=True)
class Recorded:
    """A new ledger entry and who its low-balance alerts were queued for."""

    entry: LedgerEntry
    alerted: list[str]


def ledger_add(
    *,
    session: Session,
    actor: Actor,
    customer_id: int,
    kind: str,
    amount: str,
    note: str = "",
    reference: str = "",
    corrects_id: int | None = None,
) -> LedgerEntry:
    """``ledger_record`` for writers that do not report the alerts it queued."""
    return ledger_record(
        session=session,
        actor=actor,
        customer_id=customer_id,
        kind=kind,
        amount=amount,
        note=note,
        reference=reference,
        corrects_id=corrects_id,
    ).entry


def ledger_record(
    *,
    session: Session,
    actor: Actor,
    customer_id: int,
    kind: str,
    amount: str,
    note: str = "",
    reference: str = "",
    corrects_id: int | None = None,
) -> Recorded:
    """Add one entry to a customer's ledger, with its audit row, in the caller's transaction,
    and queue the low-balance alerts it crosses (every writer: screens, CLI, templates)
    and the automatic top-up it makes due (services/autotopup_run.py pays it).

    ``amount`` is the text the operator typed, always in the customer's currency. Payments,
    credits and charges are typed positive (a charge is stored negative); a correction is
    typed with the sign that reverses the entry named by ``corrects_id``.
    """
    if not actor.can(Area.PAYMENT):
        raise PermissionDenied()
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("That customer does not exist.")
    carrier_check(actor, customer.kind)
    note, reference = (note or "").strip(), (reference or "").strip()
    errors: dict[str, str] = {}
    if kind not in set(LedgerKind):
        errors["kind"] = "Choose payment, credit, charge or correction."
    if len(note) > MAX_NOTE:
        errors["note"] = f"Note must be at most {MAX_NOTE} characters."
    if len(reference) > MAX_REFERENCE:
        errors["reference"] = f"Reference must be at most {MAX_REFERENCE} characters."
    if corrects_id is not None and kind != LedgerKind.CORRECTION:
        errors["corrects_id"] = "Only a correction refers to an earlier entry."
    signed: int | None = None
    try:
        typed = parse_minor(amount, customer.currency, allow_negative=True, allow_zero=False)
    except ValidationError as exc:
        errors.update(exc.fields)
    else:
        if "kind" not in errors:
            signed, sign_errors = _signed_for_kind(kind, typed)
            errors.update(sign_errors)
    if signed is not None and not errors and kind == LedgerKind.CORRECTION:
        errors.update(_check_correction(session, customer, signed, corrects_id))
    if errors or signed is None:
        raise ValidationError(errors)
    entry = LedgerEntry(
        customer_id=customer.id,
        amount=signed,
        currency=customer.currency,
        kind=str(kind),
        reference=reference,
        note=note,
        actor_label=actor.label,
        corrects_id=corrects_id,
    )
    session.add(entry)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="ledger.add",
        entity="customer",
        entity_id=customer.id,
        after=snapshot(entry),
    )
    available = _sum(session, customer.id) + customer.credit_limit
    alerted = alerts_fire(
        session=session, customer=customer, before=available - signed, after=available
    )
    autotopup_charge(session=session, customer=customer, before=available - signed, after=available)
    return Recorded(entry=entry, alerted=alerted)


def balance(*, session: Session, actor: Actor, customer_id: int) -> int:
    """The customer's balance in minor units: the sum of every entry, 0 when none."""
    check_read(session, actor, customer_id)
    return _sum(session, customer_id)


def sum_expression(customer_id: sa.ColumnElement) -> sa.ScalarSelect:
    """The balance as SQL: for a statement that reads it beside other figures."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(ENTRY.c.amount), 0))
        .where(ENTRY.c.customer_id == customer_id)
        .scalar_subquery()
    )


def _sum(session: Session, customer_id: int) -> int:
    return int(session.execute(sa.select(sum_expression(customer_id))).scalar_one())


def check_read(session: Session, actor: Actor, customer_id: int) -> None:
    """Who may read a customer's money: operators with Payment or Customer (and Carrier
    for a carrier's); a contact for its own customer only."""
    if actor.is_contact:
        if actor.customer_id != customer_id:
            raise PermissionDenied()
    elif not (actor.can(Area.PAYMENT) or actor.can(Area.CUSTOMER)):
        raise PermissionDenied()
    elif hidden_kinds(actor) and (customer := session.get(Customer, customer_id)) is not None:
        carrier_check(actor, customer.kind)


ENTRY = LedgerEntry.__table__


@dataclass(frozen=True, slots=True)
class EntryView:
    """One ledger entry as a page shows it (read on the cursor, not as an ORM object)."""

    id: int
    customer_id: int
    amount: int
    currency: str
    kind: str
    reference: str
    note: str
    actor_label: str
    corrects_id: int | None
    created_at: datetime


@functools.cache
def _page_statements() -> tuple[sa.Select, sa.Select]:
    customer = ENTRY.c.customer_id == sa.bindparam("customer_id", type_=sa.Integer)
    columns = [ENTRY.c[name] for name in EntryView.__slots__]
    page = (
        sa.select(*columns)
        .where(customer)
        .order_by(ENTRY.c.created_at.desc(), ENTRY.c.id.desc())
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )
    return page, sa.select(sa.func.count()).select_from(ENTRY).where(customer)


def ledger_page(
    *, session: Session, actor: Actor, customer_id: int, offset: int = 0, limit: int = 25
) -> tuple[list[EntryView], int]:
    """One page of a customer's entries, newest first, and how many there are in all."""
    check_read(session, actor, customer_id)
    page, count = _page_statements()
    params = {"customer_id": customer_id}
    bounds = {"offset": max(offset, 0), "limit": max(min(limit, 500), 1)}
    rows = fetch_rows(session, page, params | bounds)
    entries = [EntryView(*row[:-1], as_utc(row[-1])) for row in rows]
    return entries, fetch_rows(session, count, params)[0][0]


def ledger_csv(*, session: Session, actor: Actor, customer_id: int) -> str:
    """Every entry of a customer, oldest first, as CSV for a spreadsheet or an accountant.

    A contact's copy leaves out the operator's internal note and who recorded it."""
    check_read(session, actor, customer_id)
    rows = session.exec(
        select(LedgerEntry)
        .where(LedgerEntry.customer_id == customer_id)
        .order_by(LedgerEntry.created_at, LedgerEntry.id)
    ).all()
    out = io.StringIO()
    writer = csv.writer(out)
    internal = not actor.is_contact
    header = ["date (UTC)", "kind", "amount", "currency", "reference"]
    fmt = formatter(session=session)  # the account's date format, like every CSV
    writer.writerow(header + ["note", "who"] if internal else header)
    for row in rows:
        cells = [
            fmt.datetime(row.created_at, seconds=True, with_zone=False),
            csv_cell(row.kind),
            plain_minor(row.amount, row.currency),  # numeric text, left as is
            csv_cell(row.currency),
            csv_cell(row.reference),
        ]
        writer.writerow(
            cells + [csv_cell(row.note), csv_cell(row.actor_label)] if internal else cells
        )
    return out.getvalue()

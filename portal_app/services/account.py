"""Account configuration: company and general information (spec 004)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from portal_app.models import AccountConfig, Area
from portal_app.models.base import utcnow

from .audit import audit_record, snapshot
from .errors import PermissionDenied, ValidationError
from .identity import Actor
from .validation import (
    COUNTRY_MESSAGE,
    PHONE_MESSAGE,
    check_phone,
    clean_name,
    country_code,
    normalize_phone,
)

DATE_FORMATS = ["YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"]
# ISO 4217 codes offered for the account currency; the Portal issue adds full lists.
CURRENCIES = ["USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "INR", "ZAR", "BRL"]
TEXT_FIELDS = {
    "company_name": ("Name", 120),
    "address_line1": ("Address Line 1", 120),
    "address_line2": ("Address Line 2", 120),
    "city": ("City", 80),
    "county_state": ("County / State", 80),
    "post_code": ("Post Code / ZIP", 20),
}


def account_currency(*, session: Session) -> str:
    """The account's Currency (My Account › Configuration): the default of a new customer,
    rate card, package or brand, and of an amount that names no currency."""
    account = session.get(AccountConfig, 1)
    return account.currency if account and account.currency else "USD"


def account_config_get(*, session: Session, actor: Actor) -> AccountConfig:

    if actor.kind not in ("operator", "system"):
        raise PermissionDenied()
    return session.get(AccountConfig, 1) or AccountConfig(id=1)


def account_config_update(*, session: Session, actor: Actor, data: dict[str, Any]) -> AccountConfig:
    if not actor.can(Area.SETUP):
        raise PermissionDenied()
    existing = session.get(AccountConfig, 1)
    row = existing or AccountConfig(id=1)
    before = snapshot(existing) if existing else None
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for key, (label, max_len) in TEXT_FIELDS.items():
        value = clean_name(data.get(key, getattr(row, key)))
        if len(value) > max_len:
            errors[key] = f"{label} must be at most {max_len} characters."
        clean[key] = value
    country = country_code(data.get("country", row.country))
    if country is None:
        errors["country"] = COUNTRY_MESSAGE
    clean["country"] = country or ""
    currency = str(data.get("currency", row.currency) or "").strip().upper()
    if currency not in CURRENCIES:
        errors["currency"] = "Choose a currency from the list."
    clean["currency"] = currency
    date_format = str(data.get("date_format", row.date_format) or "")
    if date_format not in DATE_FORMATS:
        errors["date_format"] = "Choose a date format from the list."
    clean["date_format"] = date_format
    for key, label in (("phone", "Phone"), ("mobile", "Mobile")):
        value = str(data.get(key, getattr(row, key)) or "").strip()
        # A number saved before E.164 storage stays as it is until someone changes it.
        # A national number is read in the account's country ("020 7946 0000" in GB).
        region = clean["country"]
        changed = normalize_phone(value, region) != getattr(row, key)
        if value and changed and check_phone(value, region):
            errors[key] = f"{label}: {PHONE_MESSAGE[0].lower()}{PHONE_MESSAGE[1:]}"
        clean[key] = normalize_phone(value, region)
    clean["login_alerts"] = bool(data.get("login_alerts", row.login_alerts))
    if errors:
        raise ValidationError(errors)
    for key, value in clean.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    session.add(row)
    audit_record(
        session=session,
        actor=actor,
        action="config.update",
        entity="account_config",
        entity_id=1,
        before=before,
        after=snapshot(row),
    )
    return row

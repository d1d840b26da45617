"""Customers and carriers (Management > Customers): list, create, edit, portal access."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from portal_app.models import (
    Area,
    Cdr,
    Customer,
    CustomerAlert,
    CustomerStatus,
    CustomerType,
    LedgerEntry,
    PortalDomain,
)
from portal_app.models.base import utcnow

from .account import account_currency
from .audit import audit_record, snapshot
from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .money import check_currency, parse_minor
from .portal_sections import SECTIONS
from .validation import COUNTRY_MESSAGE, clean_name, country_code

FIELDS = [
    "name",
    "kind",
    "status",
    "currency",
    "credit_limit",
    "company_name",
    "address",
    "country",
    "domain_id",
    "portal_access",
]


def can_read_customers(actor: Actor) -> None:
    """The Customer or the Carrier area (each list shows only the kinds allowed)."""
    if not (actor.can(Area.CUSTOMER) or actor.can(Area.CARRIER)):
        raise PermissionDenied()


def _require_kind(actor: Actor, kind: str) -> None:
    """Customer and Carrier are separate permission areas (spec 004 groups)."""
    area = Area.CARRIER if kind == CustomerType.CARRIER.value else Area.CUSTOMER
    if not actor.can(area):
        raise PermissionDenied()


def customers_on_domain(*, session: Session, actor: Actor, domain_id: int) -> int:
    """How many customers a domain has (the delete dialog says where they go)."""
    if not (actor.can(Area.PORTAL) or actor.can(Area.CUSTOMER)):
        raise PermissionDenied()
    return session.exec(
        select(func.count()).select_from(Customer).where(Customer.domain_id == domain_id)
    ).one()


def customer_blank(*, session: Session) -> Customer:
    """The values a new customer's form starts with (not stored): the account's currency."""
    return Customer(name="", currency=account_currency(session=session))


def customer_domain(*, session: Session, actor: Actor, customer: Customer) -> PortalDomain | None:
    """The brand a customer belongs to, for its Config tab."""
    _require_kind(actor, customer.kind)
    return session.get(PortalDomain, customer.domain_id) if customer.domain_id else None


def customer_get(*, session: Session, actor: Actor, customer_id: int) -> Customer:
    can_read_customers(actor)
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("That customer no longer exists.")
    _require_kind(actor, customer.kind)
    return customer


def effective_access(customer: Customer, domain: PortalDomain | None) -> list[str]:
    """Sections the customer's contacts see: the domain's choice, then the overrides."""
    base = set(domain.access) if domain else set()
    for section, choice in (customer.portal_access or {}).items():
        if choice == "show":
            base.add(section)
        elif choice == "hide":
            base.discard(section)
    if customer.kind != CustomerType.CARRIER.value:
        base.discard("carrier_portal")  # a carrier partner's section: carriers only
    return [s for s in SECTIONS if s in base]


def _validate(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = clean_name(data.get("name"))
    if not name or len(name) > 120:
        errors["name"] = "Enter the customer's name (at most 120 characters)."
    kind = str(data.get("kind") or CustomerType.CUSTOMER.value)
    if kind not in {k.value for k in CustomerType}:
        errors["kind"] = "Choose customer or carrier."
    status = str(data.get("status") or CustomerStatus.ACTIVE.value)
    if status not in {s.value for s in CustomerStatus}:
        errors["status"] = "Choose a status from the list."
    limit, currency = 0, ""
    try:
        currency = check_currency(data.get("currency"))
        # An empty field is no credit; anything typed is read in the chosen currency.
        text = str(data.get("credit_limit") or "").strip() or "0"
        limit = parse_minor(text, currency, field="credit_limit")
    except ValidationError as exc:
        errors.update(exc.fields)
    country = country_code(data.get("country"))
    if country is None:
        errors["country"] = COUNTRY_MESSAGE
    domain_raw = data.get("domain_id")
    domain_id = None
    if domain_raw not in (None, "", "none"):
        try:
            domain_id = int(domain_raw)
        except (TypeError, ValueError):
            domain_id = -1
        if session.get(PortalDomain, domain_id) is None:
            errors["domain_id"] = "Choose one of your portal domains."
    access_raw = data.get("portal_access") or {}
    access: dict[str, str] = {}
    if not isinstance(access_raw, dict):
        errors["portal_access"] = "Malformed portal access."
    else:
        for section, choice in access_raw.items():
            if section not in SECTIONS or choice not in ("show", "hide", "inherit"):
                errors["portal_access"] = f"Unknown choice for {section}."
            elif choice != "inherit":
                access[section] = choice
    company = clean_name(data.get("company_name"))[:120]
    address = str(data.get("address") or "").strip()
    if len(address) > 300:
        errors["address"] = "At most 300 characters."
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "kind": kind,
        "status": status,
        "currency": currency,
        "credit_limit": limit,
        "company_name": company,
        "address": address,
        "country": country,
        "domain_id": domain_id,
        "portal_access": access,
    }


def _currency_locked(session: Session, customer: Customer) -> str:
    """What ties the customer to its currency, or "". Its balance and reports add up its
    ledger entries and calls as amounts of its currency, and alert thresholds have no
    currency of their own: a new code would add yen to dollars or re-label $12.34 as
    ¥1,234."""
    for model, what in (
        (LedgerEntry, "ledger entries"),
        (Cdr, "call records"),
        (CustomerAlert, "low-balance alerts (delete them first)"),
    ):
        if session.exec(select(model.id).where(model.customer_id == customer.id).limit(1)).first():
            return what
    return ""


def customer_create(*, session: Session, actor: Actor, data: dict[str, Any]) -> Customer:
    clean = _validate(session, data)
    _require_kind(actor, clean["kind"])
    customer = Customer(**clean, created_at=utcnow())
    session.add(customer)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="customer.create",
        entity="customer",
        entity_id=customer.id,
        after=snapshot(customer, FIELDS),
    )
    return customer


def customer_update(
    *, session: Session, actor: Actor, customer_id: int, data: dict[str, Any]
) -> Customer:
    customer = customer_get(session=session, actor=actor, customer_id=customer_id)
    clean = _validate(session, data)
    _require_kind(actor, clean["kind"])
    if clean["currency"] != customer.currency and (why := _currency_locked(session, customer)):
        raise ValidationError(
            {"currency": f"The currency stays {customer.currency}: this customer has {why}."}
        )
    before = snapshot(customer, FIELDS)
    for key, value in clean.items():
        setattr(customer, key, value)
    session.add(customer)
    audit_record(
        session=session,
        actor=actor,
        action="customer.update",
        entity="customer",
        entity_id=customer.id,
        before=before,
        after=snapshot(customer, FIELDS),
    )
    return customer

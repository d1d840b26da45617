"""The package catalogue (Management › Rate Cards, Card permission): create, edit and
delete packages, each a retail price due every ``frequency``, with included minutes
and optionally a lookup service (spec 004: "lookup services … enabled/disabled").
Every change is audited. What customers have is in services/customer_packages.py."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from portal_app.models import Area, Customer, CustomerPackage, Frequency, Package, PackageService

from .account import account_currency
from .audit import audit_record, snapshot
from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .money import check_currency, format_minor, parse_minor
from .validation import clean_name

FREQUENCIES: dict[str, str] = {
    Frequency.ONE_OFF.value: "One-off",
    Frequency.DAILY.value: "Daily",
    Frequency.WEEKLY.value: "Weekly",
    Frequency.MONTHLY.value: "Monthly",
    Frequency.YEARLY.value: "Yearly",
}
SERVICES: dict[str, str] = {
    PackageService.NONE.value: "None",
    PackageService.NUMBER_LOOKUP.value: "Number lookup",
}
FIELDS = ["name", "currency", "retail", "frequency", "auto_decrement", "included_minutes"]
FIELDS += ["service", "enabled"]


@dataclass(frozen=True)
class PackageForm:
    """What the operator typed; checked by ``package_create`` / ``package_update``."""

    name: str
    currency: str = "USD"
    fee: str = "0"
    minutes: str = "0"
    frequency: str = Frequency.MONTHLY.value
    service: str = PackageService.NONE.value
    enabled: bool = True
    auto_decrement: bool = False


def _require(actor: Actor) -> None:
    if not actor.can(Area.CARD):
        raise PermissionDenied()


def price_label(package: Package) -> str:
    """ "$19.00 a month", "¥500 once"."""
    every = {"one_off": "once", "daily": "a day", "weekly": "a week", "yearly": "a year"}
    price = format_minor(package.retail, package.currency)
    return f"{price} {every.get(package.frequency, 'a month')}"


def package_customers(*, session: Session, actor: Actor, package_id: int) -> list[str]:
    """Names of the customers that have the package, by name (what a delete would
    take it from)."""
    _require(actor)
    return _customers_with(session=session, package_id=package_id)


def _customers_with(*, session: Session, package_id: int) -> list[str]:
    return list(
        session.exec(
            select(Customer.name)
            .join(CustomerPackage, CustomerPackage.customer_id == Customer.id)
            .where(CustomerPackage.package_id == package_id)
            .order_by(Customer.name)
        ).all()
    )


def _checked(session: Session, form: PackageForm, package: Package | None) -> dict:
    """The form as column values, or ValidationError with a message per field."""
    name = clean_name(form.name)
    errors: dict[str, str] = {}
    if not name or len(name) > 120:
        errors["package_name"] = "Enter a name (at most 120 characters)."
    else:
        same = session.exec(select(Package.id).where(Package.name == name)).first()
        if same is not None and (package is None or same != package.id):
            errors["package_name"] = "A package with this name exists."
    currency = str(form.currency or "").strip().upper() or account_currency(session=session)
    amount = 0

    try:  # a package may be free: its minutes or its lookups are the offer
        currency = check_currency(currency, field="package_currency")
        amount = parse_minor(form.fee, currency, field="package_fee")
    except ValidationError as exc:
        errors.update(exc.fields)
    if package is not None and currency != package.currency and "package_currency" not in errors:
        count = len(_customers_with(session=session, package_id=package.id))
        if count:
            errors["package_currency"] = (
                f"{count} customer(s) have this package in {package.currency}: "
                "its currency cannot change."
            )
    minutes = str(form.minutes or "0").strip()
    if not minutes.isdigit() or len(minutes) > 9:
        errors["package_minutes"] = "Enter whole minutes."
    if form.frequency not in FREQUENCIES:
        errors["package_frequency"] = "Choose how often the price is due."
    if form.service not in SERVICES:
        errors["package_service"] = "Choose a service or None."
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "currency": currency,
        "retail": amount,
        "frequency": form.frequency,
        "auto_decrement": bool(form.auto_decrement),
        "included_minutes": int(minutes),
        "service": form.service,
        "enabled": bool(form.enabled),
    }


def package_create(*, session: Session, actor: Actor, form: PackageForm) -> Package:
    _require(actor)
    package = Package(**_checked(session, form, None))
    session.add(package)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="package.create",
        entity="package",
        entity_id=package.id,
        after=snapshot(package, FIELDS),
    )
    return package


def package_get(*, session: Session, actor: Actor, package_id: int) -> Package:
    _require(actor)
    package = session.get(Package, package_id)
    if package is None:
        raise NotFound("That package no longer exists.")
    return package


def package_update(
    *, session: Session, actor: Actor, package_id: int, form: PackageForm
) -> Package:
    package = package_get(session=session, actor=actor, package_id=package_id)
    before = snapshot(package, FIELDS)
    for key, value in _checked(session, form, package).items():
        setattr(package, key, value)
    after = snapshot(package, FIELDS)
    changed = [k for k in FIELDS if before[k] != after[k]]
    if changed:
        audit_record(
            session=session,
            actor=actor,
            action="package.update",
            entity="package",
            entity_id=package.id,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return package


def package_delete(*, session: Session, actor: Actor, package_id: int) -> list[str]:
    """Delete the package; the customers that had it lose it (and its service). Their
    counted lookups stay. Returns those customers' names."""
    package = package_get(session=session, actor=actor, package_id=package_id)
    names = _customers_with(session=session, package_id=package.id)
    for row in session.exec(
        select(CustomerPackage).where(CustomerPackage.package_id == package.id)
    ).all():
        session.delete(row)
    audit_record(
        session=session,
        actor=actor,
        action="package.delete",
        entity="package",
        entity_id=package.id,
        before=snapshot(package, FIELDS) | {"customers": names},
    )
    session.delete(package)
    return names


@dataclass(frozen=True)
class CatalogueRow:
    id: int
    name: str
    currency: str
    price: str  # "$19.00 a month"
    minutes: int
    service: str  # its label
    enabled: bool
    customers: int


def package_list(*, session: Session, actor: Actor) -> list[CatalogueRow]:
    """The catalogue, by name, with how many customers have each package."""
    _require(actor)
    counts = dict(
        session.exec(
            select(CustomerPackage.package_id, func.count()).group_by(CustomerPackage.package_id)
        ).all()
    )
    return [
        CatalogueRow(
            id=p.id,
            name=p.name,
            currency=p.currency,
            price=price_label(p),
            minutes=p.included_minutes,
            service=SERVICES.get(p.service, p.service),
            enabled=p.enabled,
            customers=counts.get(p.id, 0),
        )
        for p in session.exec(select(Package).order_by(Package.name)).all()
    ]

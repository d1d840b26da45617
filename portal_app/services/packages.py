"""The package catalogue (Management › Rate Cards, Card permission) and the packages
each customer has (the customer's dialog, Customer permission); every change is
audited, and a Template Customer's packages pass on to an approved sign-up."""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app.models import Area, Customer, CustomerPackage, Package

from .alerts import customer_audit
from .audit import audit_record
from .customers import customer_get
from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .money import check_currency, format_minor, parse_minor
from .validation import clean_name


def package_choices(
    *, session: Session, actor: Actor, customer_id: int
) -> list[tuple[Package, bool]]:
    """The catalogue in the customer's currency (and any it has in another), with
    whether the customer has each."""
    customer = customer_get(session=session, actor=actor, customer_id=customer_id)
    chosen = set(
        session.exec(
            select(CustomerPackage.package_id).where(CustomerPackage.customer_id == customer.id)
        ).all()
    )
    catalogue = session.exec(select(Package).order_by(Package.name)).all()
    return [
        (p, p.id in chosen) for p in catalogue if p.currency == customer.currency or p.id in chosen
    ]


def package_create(
    *, session: Session, actor: Actor, name: str, currency: str, fee: str, minutes: str
) -> Package:
    if not actor.can(Area.CARD):
        raise PermissionDenied()
    name, currency = clean_name(name), str(currency or "").strip().upper()
    errors: dict[str, str] = {}
    if not name or len(name) > 120:
        errors["package_name"] = "Enter a name (at most 120 characters)."
    elif session.exec(select(Package.id).where(Package.name == name)).first():
        errors["package_name"] = "A package with this name exists."
    amount = 0
    try:  # a package may be free: its minutes are the offer
        currency = check_currency(currency or "USD", field="package_currency")
        amount = parse_minor(fee, currency, field="package_fee")
    except ValidationError as exc:
        errors.update(exc.fields)
    if not str(minutes or "0").isdigit():
        errors["package_minutes"] = "Enter whole minutes."
    if errors:
        raise ValidationError(errors)
    package = Package(
        name=name,
        currency=currency,
        monthly_fee=amount,
        included_minutes=int(minutes or 0),
    )
    session.add(package)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="package.create",
        entity="package",
        entity_id=package.id,
        after={"name": name},
    )
    return package


def package_list(*, session: Session, actor: Actor) -> list[tuple[int, str, str, str]]:
    """The catalogue as (id, name, currency, "fee a month, minutes"), by name."""
    if not actor.can(Area.CARD):
        raise PermissionDenied()
    return [
        (
            p.id,
            p.name,
            p.currency,
            f"{format_minor(p.monthly_fee, p.currency)} a month, {p.included_minutes:,} min",
        )
        for p in session.exec(select(Package).order_by(Package.name)).all()
    ]


def package_set(
    *, session: Session, actor: Actor, customer_id: int, package_id: int, on: bool
) -> None:
    customer = customer_get(session=session, actor=actor, customer_id=customer_id)
    package = session.get(Package, package_id)
    if package is None:
        raise NotFound("That package no longer exists.")
    row = session.get(CustomerPackage, (customer.id, package.id))
    if on and row is None:
        if package.currency != customer.currency:
            raise ValidationError({"packages": f"{package.name} is not in {customer.currency}."})
        session.add(CustomerPackage(customer_id=customer.id, package_id=package.id))
    elif not on and row is not None:
        session.delete(row)
    customer_audit(
        session, actor, "customer.package", customer.id, {"package": package.name, "on": on}
    )


def packages_copy(*, session: Session, template: Customer, customer: Customer) -> dict:
    """A Template Customer's packages in the customer's currency."""
    packages = session.exec(
        select(Package)
        .join(CustomerPackage, CustomerPackage.package_id == Package.id)
        .where(CustomerPackage.customer_id == template.id, Package.currency == customer.currency)
    ).all()
    for p in packages:
        session.add(CustomerPackage(customer_id=customer.id, package_id=p.id))
    return {"packages": [p.name for p in packages]}

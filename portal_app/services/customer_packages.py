"""The packages each customer has: set on the customer's dialog (Customer permission,
Carrier for carriers), listed in the portal's Packages section, and passed on from a
Template Customer to an approved sign-up. Every change is audited on the customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from portal_app.models import Customer, CustomerPackage, Package

from .alerts import customer_audit
from .customers import customer_get
from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .money import format_minor
from .package_billing import next_charges, resume_since
from .packages import FREQUENCIES, SERVICES


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
        row = CustomerPackage(customer_id=customer.id, package_id=package.id)
        if since := resume_since(session=session, customer_id=customer.id, package=package):
            row.since = since  # a period already paid for: its schedule goes on
        session.add(row)
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


@dataclass(frozen=True)
class OwnPackage:
    """A package as the portal lists it (the anchor's columns)."""

    name: str
    retail: str
    frequency: str
    auto_decrement: bool
    service: str  # "Number lookup", or "" for none
    enabled: bool
    next_charge: datetime | None = None  # None: not charged (services/package_billing.py)


def own_packages(*, session: Session, actor: Actor) -> list[OwnPackage]:
    """The packages of the contact's own customer, by name."""
    if not actor.is_contact or actor.customer_id is None:
        raise PermissionDenied()
    rows = session.exec(
        select(Package)
        .join(CustomerPackage, CustomerPackage.package_id == Package.id)
        .where(CustomerPackage.customer_id == actor.customer_id)
        .order_by(Package.name)
    ).all()
    due = next_charges(session=session, customer_id=actor.customer_id)
    return [
        OwnPackage(
            name=p.name,
            retail=format_minor(p.retail, p.currency),
            frequency=FREQUENCIES.get(p.frequency, p.frequency),
            auto_decrement=p.auto_decrement,
            service="" if p.service == "none" else SERVICES.get(p.service, p.service),
            enabled=p.enabled,
            next_charge=due.get(p.id),
        )
        for p in rows
    ]


def has_service(*, session: Session, customer_id: int, service: str) -> bool:
    """Does the customer have an enabled package granting ``service``?"""
    return (
        session.exec(
            select(Package.id)
            .join(CustomerPackage, CustomerPackage.package_id == Package.id)
            .where(
                CustomerPackage.customer_id == customer_id,
                Package.service == service,
                Package.enabled == True,  # noqa: E712  (SQL, not Python truth)
            )
        ).first()
        is not None
    )

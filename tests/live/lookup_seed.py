"""The number lookup package the live tests give the accessibility CONTACT's customer,
so the portal's Packages section (and its lookup) is there to visit, and an Auto
Decrement Credit package charged to it (its Next charge and its statement line)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from portal_app.models import Customer, CustomerPackage, Package
from portal_app.models.base import utcnow
from portal_app.services import customer_packages, packages
from portal_app.services.identity import SYSTEM

LOOKUP_PACKAGE = "Number Lookup (test)"
CHARGED_PACKAGE = "Gold Plan (test)"


def lookup_ready(live_app) -> int:
    """Give Transit One Carrier (the CONTACT's customer) an enabled number lookup
    package and show it the Packages section; idempotent. Returns the customer id."""
    with live_app.session() as session:
        transit = session.exec(select(Customer).where(Customer.name == "Transit One Carrier")).one()
        package = session.exec(select(Package).where(Package.name == LOOKUP_PACKAGE)).first()
        if package is None:
            form = packages.PackageForm(
                LOOKUP_PACKAGE, "USD", "2.50", "0", "monthly", "number_lookup"
            )
            package = packages.package_create(session=session, actor=SYSTEM, form=form)
            session.flush()
        customer_packages.package_set(
            session=session, actor=SYSTEM, customer_id=transit.id, package_id=package.id, on=True
        )
        transit.portal_access = {**(transit.portal_access or {}), "packages": "show"}
        session.add(transit)
        session.commit()
        return transit.id


def charged_ready(live_app, customer_id: int) -> datetime:
    """Give the customer a monthly Auto Decrement Credit package whose first period
    started a minute ago (once: a rerun keeps the first run's start, so nothing is
    charged twice across runs). Returns the period start."""
    with live_app.session() as session:
        package = session.exec(select(Package).where(Package.name == CHARGED_PACKAGE)).first()
        if package is None:
            form = packages.PackageForm(CHARGED_PACKAGE, "USD", "1.25", auto_decrement=True)
            package = packages.package_create(session=session, actor=SYSTEM, form=form)
            session.flush()
        row = session.get(CustomerPackage, (customer_id, package.id))
        if row is None:
            customer_packages.package_set(
                session=session,
                actor=SYSTEM,
                customer_id=customer_id,
                package_id=package.id,
                on=True,
            )
            session.flush()
            row = session.get(CustomerPackage, (customer_id, package.id))
            row.since = utcnow() - timedelta(minutes=1)
        since = row.since
        session.commit()
        return since

"""The number lookup package the live tests give the accessibility CONTACT's customer,
so the portal's Packages section (and its lookup) is there to visit."""

from __future__ import annotations

from sqlmodel import select

from portal_app.models import Customer, Package
from portal_app.services import customer_packages, packages
from portal_app.services.identity import SYSTEM

LOOKUP_PACKAGE = "Number Lookup (test)"


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

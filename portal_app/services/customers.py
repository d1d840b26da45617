"""Customers and carriers: the reads the portal-domain screens need.

The full Management > Customers screens build on this module.
"""

from __future__ import annotations

from sqlmodel import Session, func, select

from portal_app.models import Area, Customer

from .errors import PermissionDenied
from .identity import Actor


def customer_choices(*, session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, label) of every customer, for choosers such as Template Customer."""
    if not (actor.can(Area.PORTAL) or actor.can(Area.CUSTOMER)):
        raise PermissionDenied()
    rows = session.exec(select(Customer.id, Customer.name, Customer.kind).order_by(Customer.name))
    return [(cid, f"{name} ({kind})") for cid, name, kind in rows]


def customers_on_domain(*, session: Session, domain_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(Customer).where(Customer.domain_id == domain_id)
    ).one()

"""The customer picker of the control panel's reports: customers found by name (or id)
as the operator types, a few at a time.

A picker never loads every customer: each keystroke (debounced in the browser) asks for
at most ``PICK_MAX`` matches, in name order, which the name index answers without
reading the table. Carriers are offered only to operators allowed carriers
(services/policy.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, or_, select

from portal_app.models import Area, Customer

from .customer_text import name_contains
from .errors import PermissionDenied
from .identity import Actor
from .policy import hidden_kinds

PICK_MAX = 10
QUERY_MAX = 80


@dataclass(frozen=True)
class CustomerPick:
    id: int
    name: str
    kind: str  # customer or carrier
    currency: str


def customer_search(
    *,
    session: Session,
    actor: Actor,
    text: str,
    areas: tuple[Area, ...] = (Area.CDR,),
    limit: int = PICK_MAX,
) -> list[CustomerPick]:
    """At most ``limit`` customers whose name or company contains ``text`` (or whose id
    it is), by name; none for an empty text. For operators allowed one of ``areas``."""
    if actor.is_contact or not any(actor.can(a) for a in areas):
        raise PermissionDenied()
    text = str(text or "").strip()[:QUERY_MAX]
    if not text:
        return []
    match = [name_contains(session, text)]
    if text.isdigit() and len(text) < 16:
        match.append(Customer.id == int(text))
    query = select(Customer.id, Customer.name, Customer.kind, Customer.currency).where(or_(*match))
    if hidden := hidden_kinds(actor):
        query = query.where(Customer.kind.not_in(hidden))
    rows = session.exec(
        query.order_by(Customer.name, Customer.id).limit(max(1, min(limit, PICK_MAX)))
    ).all()
    return [CustomerPick(*row) for row in rows]


def customer_pick(
    *, session: Session, actor: Actor, customer_id: int | None, areas: tuple[Area, ...]
) -> CustomerPick | None:
    """The customer ``customer_id`` names, when this operator may pick it (None when
    there is none, or it is a carrier and they may not see carriers)."""
    if actor.is_contact or not any(actor.can(a) for a in areas):
        raise PermissionDenied()
    customer = session.get(Customer, customer_id) if customer_id else None
    if customer is None or customer.kind in hidden_kinds(actor):
        return None
    return CustomerPick(customer.id, customer.name, customer.kind, customer.currency)

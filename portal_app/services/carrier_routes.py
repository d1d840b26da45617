"""A carrier's routes: the names its calls carry in ``cdr.route``, each with the rate card
the carrier is paid on (models/carrier_routes.py). Set on a carrier's Alerts &
contracts tab by operators allowed carriers; read by the Carrier Portal."""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app.models import CarrierRoute, Customer, CustomerType, RateCard

from .audit import audit_record
from .customers import customer_get
from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .policy import sees_carriers
from .validation import clean_name


def _carrier(session: Session, actor: Actor, customer_id: int) -> Customer:
    customer = customer_get(session=session, actor=actor, customer_id=customer_id)
    if customer.kind != CustomerType.CARRIER.value or not sees_carriers(actor):
        raise PermissionDenied()
    return customer


def routes_of(session: Session, customer_id: int) -> list[CarrierRoute]:
    """A carrier's routes, by name (no permission check: for services that made one)."""
    return list(
        session.exec(
            select(CarrierRoute)
            .where(CarrierRoute.customer_id == customer_id)
            .order_by(CarrierRoute.route)
        ).all()
    )


def carrier_routes_list(
    *, session: Session, actor: Actor, customer_id: int
) -> list[tuple[CarrierRoute, str]]:
    """(route, its rate card's name or "") of a carrier."""
    _carrier(session, actor, customer_id)
    rows = routes_of(session, customer_id)
    ids = {r.card_id for r in rows if r.card_id}
    names = (
        dict(session.exec(select(RateCard.id, RateCard.name).where(RateCard.id.in_(ids))).all())
        if ids
        else {}
    )
    return [(r, names.get(r.card_id, "")) for r in rows]


def carrier_route_add(
    *, session: Session, actor: Actor, customer_id: int, route: str, card_id: int | None
) -> CarrierRoute:
    """Name one of the carrier's routes, as the CDRs' route column spells it."""
    customer = _carrier(session, actor, customer_id)
    errors: dict[str, str] = {}
    name = clean_name(route)[:65]
    if not name or len(name) > 64:
        errors["carrier_route"] = "Enter the route as CDRs name it (at most 64 characters)."
    else:
        taken = session.exec(select(CarrierRoute).where(CarrierRoute.route == name)).first()
        if taken is not None:
            owner = session.get(Customer, taken.customer_id)
            errors["carrier_route"] = (
                f"{name} is already a route of {owner.name if owner else '?'}."
            )
    card = session.get(RateCard, card_id) if card_id else None
    if card_id and card is None:
        errors["carrier_route_card"] = "That rate card no longer exists."
    elif card is not None and card.currency != customer.currency:
        errors["carrier_route_card"] = (
            f"Choose a card in {customer.currency}, the carrier's currency."
        )
    if errors:
        raise ValidationError(errors)
    row = CarrierRoute(customer_id=customer.id, route=name, card_id=card.id if card else None)
    session.add(row)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="customer.carrier_route_add",
        entity="customer",
        entity_id=customer.id,
        after={"route": name, "rate_card": card.name if card else None},
    )
    return row


def carrier_route_delete(*, session: Session, actor: Actor, route_id: int) -> None:
    row = session.get(CarrierRoute, route_id)
    if row is None:
        raise NotFound("That route no longer exists.")
    _carrier(session, actor, row.customer_id)
    audit_record(
        session=session,
        actor=actor,
        action="customer.carrier_route_delete",
        entity="customer",
        entity_id=row.customer_id,
        before={"route": row.route},
    )
    session.delete(row)

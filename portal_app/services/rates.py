"""Rate cards and a customer's routes (the cards assigned to it).

A card holds one price per prefix and date; the price in force is the newest entry
whose ``effective_from`` has passed. A customer's Rate Card section lists the prices
in force on its assigned cards, searchable by prefix or destination.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from portal_app.models import Area, Customer, CustomerRateCard, RateCard, RateEntry
from portal_app.models.base import utcnow

from .audit import audit_record
from .csvcell import csv_cell
from .customers import customer_get
from .dates import formatter
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .money import check_currency, plain_micros
from .policy import carrier_check
from .validation import clean_name


def _can_manage(actor: Actor) -> None:
    if not actor.can(Area.CARD):
        raise PermissionDenied()


def card_list(*, session: Session, actor: Actor) -> list[tuple[RateCard, int]]:
    """Every card with its number of entries."""
    if not (actor.can(Area.CARD) or actor.can(Area.CUSTOMER)):
        raise PermissionDenied()
    counts = dict(
        session.exec(select(RateEntry.card_id, func.count()).group_by(RateEntry.card_id)).all()
    )
    cards = session.exec(select(RateCard).order_by(RateCard.name)).all()
    return [(c, counts.get(c.id, 0)) for c in cards]


def card_create(*, session: Session, actor: Actor, name: str, currency: str) -> RateCard:
    _can_manage(actor)
    name = clean_name(name)
    errors = {}
    if not name or len(name) > 120:
        errors["card_name"] = "Enter a name (at most 120 characters)."
    elif session.exec(select(RateCard.id).where(RateCard.name == name)).first():
        errors["card_name"] = "A rate card with this name exists."
    try:
        currency = check_currency(currency, field="card_currency")
    except ValidationError as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationError(errors)
    card = RateCard(name=name, currency=currency)
    session.add(card)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="rate_card.create",
        entity="rate_card",
        entity_id=card.id,
        after={"name": name, "currency": currency},
    )
    return card


def customer_cards(*, session: Session, actor: Actor, customer_id: int) -> list[int]:
    """The ids of the rate cards assigned to a customer (its Routes)."""
    customer_get(session=session, actor=actor, customer_id=customer_id)
    return _card_ids(session, customer_id)


def _card_ids(session: Session, customer_id: int) -> list[int]:
    return list(
        session.exec(
            select(CustomerRateCard.card_id).where(CustomerRateCard.customer_id == customer_id)
        ).all()
    )


def customer_cards_set(
    *, session: Session, actor: Actor, customer_id: int, card_ids: list[int]
) -> None:
    """Replace the customer's routes. A card must be in the customer's currency."""
    if not (actor.can(Area.CUSTOMER) or actor.can(Area.CARRIER)):
        raise PermissionDenied()
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("That customer no longer exists.")
    carrier_check(actor, customer.kind)
    cards = {c.id: c for c in session.exec(select(RateCard).where(RateCard.id.in_(card_ids))).all()}
    if len(cards) != len(set(card_ids)):
        raise NotFound("A rate card no longer exists.")
    wrong = [c.name for c in cards.values() if c.currency != customer.currency]
    if wrong:
        raise Conflict(
            f"{', '.join(wrong)} is not in {customer.currency}, the customer's currency."
        )
    before = sorted(_card_ids(session, customer_id))
    for row in session.exec(
        select(CustomerRateCard).where(CustomerRateCard.customer_id == customer_id)
    ).all():
        session.delete(row)
    for card_id in sorted(set(card_ids)):
        session.add(CustomerRateCard(customer_id=customer_id, card_id=card_id))
    audit_record(
        session=session,
        actor=actor,
        action="customer.routes",
        entity="customer",
        entity_id=customer_id,
        before={"rate_cards": before},
        after={"rate_cards": sorted(set(card_ids))},
    )


def rates_in_force(card_ids: list[int], at: datetime):
    """The query of the entry in force per (card, prefix) on ``card_ids`` at ``at``: the
    newest that has started."""
    newest = (
        select(
            RateEntry.card_id,
            RateEntry.prefix,
            func.max(RateEntry.effective_from).label("since"),
        )
        .where(RateEntry.card_id.in_(card_ids), RateEntry.effective_from <= at)
        .group_by(RateEntry.card_id, RateEntry.prefix)
        .subquery()
    )
    return select(RateEntry).join(
        newest,
        (RateEntry.card_id == newest.c.card_id)
        & (RateEntry.prefix == newest.c.prefix)
        & (RateEntry.effective_from == newest.c.since),
    )


def rate_search(query, search: str):
    """``query`` narrowed to entries whose prefix starts with ``search`` or whose
    destination contains it (any case); all of it when ``search`` is blank."""
    text = str(search or "").strip()[:80]
    if not text:
        return query
    like = f"%{text.lower()}%"
    return query.where(
        or_(RateEntry.prefix.startswith(text), func.lower(RateEntry.destination).like(like))
    )


@dataclass(frozen=True)
class RatePage:
    rows: list[RateEntry]
    total: int
    currency: str


def _rates_in_force(session: Session, actor: Actor, customer_id: int, search: str):
    """(the query of the prices in force on the customer's cards or None, currency)."""
    if actor.is_contact:
        if actor.customer_id != customer_id:
            raise PermissionDenied()
    elif not (actor.can(Area.CUSTOMER) or actor.can(Area.CARD)):
        raise PermissionDenied()
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("That customer no longer exists.")
    carrier_check(actor, customer.kind)  # a carrier's rates are carrier data
    cards = _card_ids(session, customer_id)
    if not cards:
        return None, customer.currency
    return rate_search(rates_in_force(cards, utcnow()), search), customer.currency


def customer_rates(
    *,
    session: Session,
    actor: Actor,
    customer_id: int,
    search: str = "",
    offset: int = 0,
    limit: int = 50,
) -> RatePage:
    """The prices in force on the customer's cards, by prefix."""
    query, currency = _rates_in_force(session, actor, customer_id, search)
    if query is None:
        return RatePage([], 0, currency)
    return rate_page(session, query, currency, offset, max(1, min(limit, 500)))


def rate_page(session: Session, query, currency: str, offset: int, limit: int) -> RatePage:
    """One page of ``query``'s entries by prefix, then card, with the count of them all."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(RateEntry.prefix, RateEntry.card_id).offset(max(0, offset)).limit(limit)
    ).all()
    return RatePage(list(rows), total, currency)


def customer_rates_csv(*, session: Session, actor: Actor, customer_id: int) -> str:
    """Every price in force on the customer's cards, in one query."""
    query, currency = _rates_in_force(session, actor, customer_id, "")
    rows = (
        []
        if query is None
        else session.exec(query.order_by(RateEntry.prefix, RateEntry.card_id)).all()
    )
    fmt = formatter(session=session)  # the account's date format, like every CSV
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "prefix",
            "destination",
            "rate_per_minute",
            "connection_fee",
            "increments",
            "currency",
            "effective_from",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r.prefix,
                csv_cell(r.destination),
                plain_micros(r.rate),
                plain_micros(r.connection_fee),
                f"{r.increment_first}/{r.increment_next}",
                currency,
                fmt.date(r.effective_from),
            ]
        )
    return out.getvalue()

"""One rate card opened (Management › Rate Cards › a card): its rates, page by page,
editing or deleting a rate, adding one, and renaming or deleting the card.

Cards are created and filled by CSV in services/rates.py and services/imports.py; this
module changes them one rate at a time. Every change is audited in its transaction,
with the card's currency so the audit log can show the amounts as money.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, select

from portal_app.models import Area, CustomerRateCard, RateCard, RateEntry

from .audit import audit_record
from .dates import formatter
from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .money import parse_micros, plain_micros
from .rates import rate_search

RATE_FIELDS = ("prefix", "destination", "rate", "connection_fee", "increments", "effective_from")


def _can_manage(actor: Actor) -> None:
    if actor.is_contact or not actor.can(Area.CARD):
        raise PermissionDenied()


def card_get(*, session: Session, actor: Actor, card_id: int) -> RateCard:
    _can_manage(actor)
    card = session.get(RateCard, card_id)
    if card is None:
        raise NotFound("That rate card no longer exists.")
    return card


@dataclass(frozen=True)
class CardRates:
    card: RateCard
    rows: list[RateEntry]
    total: int
    customers: int  # how many customers have the card among their routes


def card_rates(
    *,
    session: Session,
    actor: Actor,
    card_id: int,
    search: str = "",
    offset: int = 0,
    limit: int = 25,
) -> CardRates:
    """Every entry of a card (all dates), by prefix then date; ``search`` matches the
    start of a prefix or part of a destination."""
    card = card_get(session=session, actor=actor, card_id=card_id)
    query = rate_search(select(RateEntry).where(RateEntry.card_id == card_id), search)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(RateEntry.prefix, RateEntry.effective_from.desc())
        .offset(max(0, offset))
        .limit(max(1, min(limit, 200)))
    ).all()
    customers = session.exec(
        select(func.count())
        .select_from(CustomerRateCard)
        .where(CustomerRateCard.card_id == card_id)
    ).one()
    return CardRates(card, list(rows), total, customers)


def _view(entry: RateEntry, currency: str) -> dict[str, Any]:
    """An entry as the audit log keeps it (money in micro-units, with the currency)."""
    return {
        "prefix": entry.prefix,
        "destination": entry.destination,
        "rate": entry.rate,
        "connection_fee": entry.connection_fee,
        "increments": f"{entry.increment_first}/{entry.increment_next}",
        "effective_from": entry.effective_from.date().isoformat(),
        "currency": currency,
    }


def rate_form(entry: RateEntry | None, *, session: Session) -> dict[str, str]:
    """The edit form's text for an entry (a new one: empty, in force from today), its
    date in the account's format."""
    fmt = formatter(session=session)
    if entry is None:
        today = fmt.date(datetime.now(UTC))
        return dict.fromkeys(RATE_FIELDS, "") | {"increments": "60/60", "effective_from": today}
    return {
        "prefix": entry.prefix,
        "destination": entry.destination,
        "rate": plain_micros(entry.rate),
        "connection_fee": plain_micros(entry.connection_fee),
        "increments": f"{entry.increment_first}/{entry.increment_next}",
        "effective_from": fmt.date(entry.effective_from),
    }


def _increments(text: str) -> tuple[int, int] | None:
    first, _, nxt = str(text or "").strip().partition("/")
    try:
        a, b = int(first), int(nxt or first)
    except ValueError:
        return None
    return (a, b) if 1 <= a <= 3600 and 1 <= b <= 3600 else None


def _clean(session: Session, card: RateCard, data: dict[str, Any], entry_id: int | None) -> dict:
    errors: dict[str, str] = {}
    prefix = str(data.get("prefix") or "").strip().lstrip("+")
    if not prefix.isdigit() or len(prefix) > 16:
        errors["prefix"] = "Enter 1 to 16 digits, like 4420."
    destination = str(data.get("destination") or "").strip()
    if not destination or len(destination) > 80:
        errors["destination"] = "Enter the destination (at most 80 characters)."
    clean: dict[str, Any] = {"prefix": prefix, "destination": destination}
    for key, default in (("rate", ""), ("connection_fee", "0")):
        try:
            clean[key] = parse_micros(str(data.get(key) or default), card.currency, field=key)
        except ValidationError as exc:
            errors.update(exc.fields)
    increments = _increments(str(data.get("increments") or ""))
    if increments is None:
        errors["increments"] = "Enter seconds like 60/60 or 1/1 (1 to 3600 each)."
    else:
        clean["increment_first"], clean["increment_next"] = increments
    try:
        day = formatter(session=session).parse(data.get("effective_from"))
        clean["effective_from"] = datetime.combine(day, datetime.min.time(), UTC)
    except ValueError as exc:
        errors["effective_from"] = str(exc)
    if not errors:
        clash = session.exec(
            select(RateEntry.id).where(
                RateEntry.card_id == card.id,
                RateEntry.prefix == prefix,
                RateEntry.effective_from == clean["effective_from"],
            )
        ).first()
        if clash is not None and clash != entry_id:
            errors["effective_from"] = f"Prefix {prefix} already has a rate from this date."
    if errors:
        raise ValidationError(errors)
    return clean


def _entry(session: Session, card_id: int, entry_id: int) -> RateEntry:
    entry = session.get(RateEntry, entry_id)
    if entry is None or entry.card_id != card_id:
        raise NotFound("That rate no longer exists.")
    return entry


def rate_get(*, session: Session, actor: Actor, card_id: int, entry_id: int) -> RateEntry:
    card_get(session=session, actor=actor, card_id=card_id)
    return _entry(session, card_id, entry_id)


def rate_save(
    *, session: Session, actor: Actor, card_id: int, entry_id: int | None, data: dict[str, Any]
) -> RateEntry:
    """Add a rate to a card (``entry_id`` None) or change one of its rates."""
    card = card_get(session=session, actor=actor, card_id=card_id)
    entry = _entry(session, card_id, entry_id) if entry_id else None
    clean = _clean(session, card, data, entry_id)
    before = _view(entry, card.currency) if entry else None
    if entry is None:
        entry = RateEntry(card_id=card_id, **clean)
    else:
        for key, value in clean.items():
            setattr(entry, key, value)
    session.add(entry)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="rate.update" if before else "rate.create",
        entity="rate_card",
        entity_id=card_id,
        before=before,
        after=_view(entry, card.currency),
    )
    return entry


def rate_delete(*, session: Session, actor: Actor, card_id: int, entry_id: int) -> None:
    card = card_get(session=session, actor=actor, card_id=card_id)
    entry = _entry(session, card_id, entry_id)
    before = _view(entry, card.currency)
    session.delete(entry)
    audit_record(
        session=session,
        actor=actor,
        action="rate.delete",
        entity="rate_card",
        entity_id=card_id,
        before=before,
    )


def card_rename(*, session: Session, actor: Actor, card_id: int, name: str) -> RateCard:
    card = card_get(session=session, actor=actor, card_id=card_id)
    name = str(name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError({"card_name": "Enter a name (at most 120 characters)."})
    clash = session.exec(select(RateCard.id).where(RateCard.name == name)).first()
    if clash is not None and clash != card_id:
        raise ValidationError({"card_name": "A rate card with this name exists."})
    before = {"name": card.name}
    card.name = name
    session.add(card)
    audit_record(
        session=session,
        actor=actor,
        action="rate_card.update",
        entity="rate_card",
        entity_id=card_id,
        before=before,
        after={"name": name},
    )
    return card


def card_delete(*, session: Session, actor: Actor, card_id: int) -> int:
    """Delete a card with its rates; customers that had it lose that route. Returns how
    many customers had it."""
    result = card_rates(session=session, actor=actor, card_id=card_id, limit=1)
    card = result.card
    # One statement each: a card can hold hundreds of thousands of rates.
    session.execute(delete(CustomerRateCard).where(CustomerRateCard.card_id == card_id))
    session.execute(delete(RateEntry).where(RateEntry.card_id == card_id))
    before = {
        "name": card.name,
        "currency": card.currency,
        "rates": result.total,
        "customers": result.customers,
    }
    session.flush()
    session.delete(card)
    audit_record(
        session=session,
        actor=actor,
        action="rate_card.delete",
        entity="rate_card",
        entity_id=card_id,
        before=before,
    )
    return result.customers

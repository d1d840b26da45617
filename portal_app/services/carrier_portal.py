"""The Carrier Portal: what a carrier partner sees of its own business, and nothing more.

- Traffic it sent: its CDRs as the origin customer (``cdr_page``, its own customer id).
- Traffic it terminated: CDRs whose ``route`` is one of its routes
  (models/carrier_routes.py). Of those it sees when, where to, how long and how it
  ended: never the customer who sent the call, its caller number or what it paid.
- Per-day and month totals of both, for one month at most: grouped by hour in SQL on the
  indexes ``(customer_id, call_start, id)`` and ``(route, call_start, id)``, so a month
  costs one range scan per direction, never a scan of every CDR. (CDR rollups will
  answer these once they exist.)
- The rates it is paid: the prices in force on its routes' rate cards.

The carrier is always the contact's own customer, and only a carrier has the section
(services/customers.effective_access).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from portal_app.models import Cdr, Customer, CustomerType
from portal_app.models.base import utcnow

from .carrier_routes import routes_of
from .cdrs import PAGE_MAX, CdrQuery, cdr_page, day_range, zone
from .errors import PermissionDenied, ValidationError
from .identity import Actor
from .rates import RatePage, rate_page, rate_search, rates_in_force

SENT, RECEIVED = "sent", "received"
# What a carrier sees of a call it terminated: no caller, no customer, no price.
RECEIVED_COLUMNS = (
    "id",
    "call_start",
    "dialled",
    "destination",
    "prefix",
    "duration",
    "billed_duration",
    "status",
    "route",
)


def own_carrier(*, session: Session, actor: Actor) -> Customer:
    """The contact's own customer, when it is a carrier."""
    if not actor.is_contact or actor.customer_id is None:
        raise PermissionDenied()
    customer = session.get(Customer, actor.customer_id)
    if customer is None or customer.kind != CustomerType.CARRIER.value:
        raise PermissionDenied("The Carrier Portal is for carriers.")
    return customer


def route_names(*, session: Session, actor: Actor) -> list[str]:
    """The carrier's own route names (its terminated calls carry one of them)."""
    carrier = own_carrier(session=session, actor=actor)
    return [r.route for r in routes_of(session, carrier.id)]


def parse_month(text: str, tz: str) -> date:
    """The first day of a month typed as YYYY-MM (empty: this month in ``tz``)."""
    text = str(text or "").strip()
    if not text:
        return datetime.now(zone(tz)).date().replace(day=1)
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValidationError({"month": "Enter a month like 2026-11."}) from None
    if not 2000 <= first.year <= 2100:
        raise ValidationError({"month": "Enter a month like 2026-11."})
    return first


def month_range(first: date, tz: str) -> tuple[datetime, datetime]:
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return day_range(first, last, tz)


def traffic_sent(
    *,
    session: Session,
    actor: Actor,
    start: datetime,
    end: datetime,
    after: tuple[datetime, int] | None = None,
    limit: int = 25,
):
    """One keyset page of the calls the carrier sent (as any customer sees its own)."""
    carrier = own_carrier(session=session, actor=actor)
    query = CdrQuery(customer_id=carrier.id, start=start, end=end)
    return cdr_page(session=session, actor=actor, query=query, after=after, limit=limit)


def _received_where(names: list[str], start: datetime, end: datetime) -> list:
    return [Cdr.route.in_(names), Cdr.call_start >= start, Cdr.call_start < end]


def traffic_received(
    *,
    session: Session,
    actor: Actor,
    start: datetime,
    end: datetime,
    after: tuple[datetime, int] | None = None,
    limit: int = 25,
):
    """One keyset page (newest first) of the calls that left on the carrier's routes."""
    carrier = own_carrier(session=session, actor=actor)
    names = [r.route for r in routes_of(session, carrier.id)]
    if not names:
        return [], None
    limit = max(1, min(limit, PAGE_MAX))
    where = _received_where(names, start, end)
    if after is not None:
        at, last_id = after
        where.append(or_(Cdr.call_start < at, and_(Cdr.call_start == at, Cdr.id < last_id)))
    table = Cdr.__table__.c
    rows = session.execute(
        sa.select(*(table[c] for c in RECEIVED_COLUMNS))
        .where(*where)
        .order_by(Cdr.call_start.desc(), Cdr.id.desc())
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = list(rows[:limit])
    return rows, ((rows[-1].call_start, rows[-1].id) if more else None)


@dataclass(frozen=True)
class DayTraffic:
    day: str  # the viewer's date, ISO
    sent_calls: int = 0
    sent_seconds: int = 0
    sent_cost: int = 0  # micro-units: what the carrier pays for what it sent
    received_calls: int = 0
    received_seconds: int = 0


def _hour(session: Session):
    """The call's UTC hour as a value both databases can group by."""
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(Cdr.call_start, 1, 13)  # stored as ISO text: "YYYY-MM-DD HH"
    return func.to_char(func.date_trunc("hour", Cdr.call_start), "YYYY-MM-DD HH24")


def _by_hour(session: Session, where: list, with_cost: bool):
    hour = _hour(session)
    cost = func.coalesce(func.sum(Cdr.cost), 0) if with_cost else sa.literal(0)
    return session.exec(
        select(hour, func.count(), func.coalesce(func.sum(Cdr.billed_duration), 0), cost)
        .where(*where)
        .group_by(hour)
    ).all()


def traffic_days(*, session: Session, actor: Actor, first: date, tz: str) -> list[DayTraffic]:
    """Each day of the month starting ``first`` (in ``tz``): calls and billed seconds
    sent and terminated, and the cost of what was sent."""
    carrier = own_carrier(session=session, actor=actor)
    start, end = month_range(first, tz)
    names = [r.route for r in routes_of(session, carrier.id)]
    sent = _by_hour(
        session,
        [Cdr.customer_id == carrier.id, Cdr.call_start >= start, Cdr.call_start < end],
        True,
    )
    received = _by_hour(session, _received_where(names, start, end), False) if names else []
    z = zone(tz)
    days: dict[str, list[int]] = {}
    day = first
    while day.month == first.month:
        days[day.isoformat()] = [0, 0, 0, 0, 0]
        day += timedelta(days=1)
    for offset, rows in ((0, sent), (3, received)):
        for text, calls, seconds, cost in rows:
            at = datetime.strptime(text, "%Y-%m-%d %H").replace(tzinfo=ZoneInfo("UTC"))
            bucket = days.get(at.astimezone(z).date().isoformat())
            if bucket is None:
                continue
            bucket[offset] += int(calls)
            bucket[offset + 1] += int(seconds or 0)
            if offset == 0:
                bucket[2] += int(cost or 0)
    return [DayTraffic(d, b[0], b[1], b[2], b[3], b[4]) for d, b in days.items()]


def supplier_rates(
    *, session: Session, actor: Actor, search: str = "", offset: int = 0, limit: int = 50
) -> RatePage:
    """The prices in force on the rate cards of the carrier's routes: what it is paid."""
    carrier = own_carrier(session=session, actor=actor)
    cards = sorted({r.card_id for r in routes_of(session, carrier.id) if r.card_id})
    if not cards:
        return RatePage([], 0, carrier.currency)
    query = rate_search(rates_in_force(cards, utcnow()), search)
    return rate_page(session, query, carrier.currency, offset, max(1, min(limit, 200)))

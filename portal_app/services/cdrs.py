"""CDR reports: a customer's calls in a time range, its totals and its breakout.

Every read names one customer and a half-open UTC range, which the index
``(customer_id, call_start, id)`` answers directly. Pages are keyset pages (newest
first, then by id), so a deep page costs what the first one does. Days are the
viewer's days: ``day_range`` turns a local date into UTC bounds, 23 or 25 hours long
around a DST change. Operators see the route (carrier) a call took; contacts never do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from portal_app.models import MICROS, Area, Cdr, Customer

from .domains import BREAKOUT_COLUMNS, CDR_COLUMNS
from .errors import PermissionDenied, ValidationError
from .identity import Actor

PAGE_MAX = 200
CSV_BATCH = 5000
_CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")
_NUMERIC = {"duration", "billed_duration", "rate", "cost"}


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def day_range(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    """UTC bounds of the local days ``first``..``last`` (inclusive) in ``tz``."""
    z = zone(tz)
    start = datetime.combine(first, datetime.min.time(), z)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), z)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def today(tz: str) -> date:
    """The viewer's date now."""
    return datetime.now(zone(tz)).date()


def parse_days(first: str, last: str, tz: str, *, max_days: int = 92) -> tuple[date, date]:
    """The dates a form sent, checked: ISO dates, in order, at most ``max_days``."""
    errors: dict[str, str] = {}
    try:
        d1 = date.fromisoformat(str(first))
    except ValueError:
        errors["first"] = "Enter a date like 2026-11-25."
    try:
        d2 = date.fromisoformat(str(last))
    except ValueError:
        errors["last"] = "Enter a date like 2026-11-25."
    if not errors and d2 < d1:
        errors["last"] = "The end date is before the start date."
    elif not errors and (d2 - d1).days >= max_days:
        errors["last"] = f"Choose at most {max_days} days."
    if errors:
        raise ValidationError(errors)
    return d1, d2


@dataclass(frozen=True)
class CdrQuery:
    customer_id: int
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    search: str = ""  # digits of the caller or the called number
    status: str = ""  # answered, busy, no_answer, failed
    direction: str = ""  # inbound, outbound


def cdr_check(*, session: Session, actor: Actor, customer_id: int) -> None:
    """Operators with the CDR permission; a contact for its own customer only."""
    if actor.is_contact:
        if actor.customer_id != customer_id:
            raise PermissionDenied()
        return
    if not actor.can(Area.CDR):
        raise PermissionDenied()
    if session.get(Customer, customer_id) is None:
        raise PermissionDenied()


def _where(q: CdrQuery) -> list:
    conditions = [
        Cdr.customer_id == q.customer_id,
        Cdr.call_start >= q.start,
        Cdr.call_start < q.end,
    ]
    digits = "".join(ch for ch in q.search if ch.isdigit())[:32]
    if digits:
        pattern = f"%{digits}%"
        conditions.append(or_(Cdr.dialled.like(pattern), Cdr.cli.like(pattern)))
    if q.status:
        conditions.append(Cdr.status == q.status)
    if q.direction:
        conditions.append(Cdr.direction == q.direction)
    return conditions


def cdr_page(
    *,
    session: Session,
    actor: Actor,
    query: CdrQuery,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> tuple[list[Cdr], tuple[datetime, int] | None]:
    """One page, newest first, after the keyset cursor; returns the next cursor."""
    cdr_check(session=session, actor=actor, customer_id=query.customer_id)
    conditions = _where(query)
    if after is not None:
        at, last_id = after
        conditions.append(or_(Cdr.call_start < at, and_(Cdr.call_start == at, Cdr.id < last_id)))
    limit = max(1, min(limit, PAGE_MAX))
    rows = session.exec(
        select(Cdr)
        .where(*conditions)
        .order_by(Cdr.call_start.desc(), Cdr.id.desc())
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = list(rows[:limit])
    return rows, ((rows[-1].call_start, rows[-1].id) if more else None)


@dataclass(frozen=True)
class Totals:
    calls: int
    answered: int
    seconds: int
    billed_seconds: int
    cost: int  # micro-units

    @property
    def asr(self) -> float:
        """Answer-seizure ratio, in percent."""
        return 100.0 * self.answered / self.calls if self.calls else 0.0

    @property
    def acd(self) -> float:
        """Average call duration of answered calls, in seconds."""
        return self.seconds / self.answered if self.answered else 0.0


def cdr_totals(*, session: Session, actor: Actor, query: CdrQuery) -> Totals:
    cdr_check(session=session, actor=actor, customer_id=query.customer_id)
    answered = func.sum(case((Cdr.status == "answered", 1), else_=0))
    row = session.exec(
        select(
            func.count(),
            func.coalesce(answered, 0),
            func.coalesce(func.sum(Cdr.duration), 0),
            func.coalesce(func.sum(Cdr.billed_duration), 0),
            func.coalesce(func.sum(Cdr.cost), 0),
        ).where(*_where(query))
    ).one()
    return Totals(*(int(v) for v in row))


@dataclass(frozen=True)
class BreakoutRow:
    key: str  # destination name or prefix
    prefix: str
    calls: int
    connected: int
    seconds: int
    billed_seconds: int
    cost: int
    pdd_ms: float
    rate: int

    @property
    def asr(self) -> float:
        return 100.0 * self.connected / self.calls if self.calls else 0.0

    @property
    def acd(self) -> float:
        return self.seconds / self.connected if self.connected else 0.0


def breakout(
    *, session: Session, actor: Actor, query: CdrQuery, by: str = "destination", limit: int = 500
) -> list[BreakoutRow]:
    """Per destination (or prefix): calls, connected, minutes, cost, ASR, ACD, PDD."""
    cdr_check(session=session, actor=actor, customer_id=query.customer_id)
    key = Cdr.prefix if by == "prefix" else Cdr.destination
    connected = func.sum(case((Cdr.status == "answered", 1), else_=0))
    rows = session.exec(
        select(
            key,
            func.min(Cdr.prefix),
            func.count(),
            func.coalesce(connected, 0),
            func.coalesce(func.sum(Cdr.duration), 0),
            func.coalesce(func.sum(Cdr.billed_duration), 0),
            func.coalesce(func.sum(Cdr.cost), 0),
            func.coalesce(func.avg(Cdr.pdd_ms), 0),
            func.coalesce(func.max(Cdr.rate), 0),
        )
        .where(*_where(query))
        .group_by(key)
        .order_by(func.sum(Cdr.cost).desc(), key)
        .limit(limit)
    ).all()
    return [
        BreakoutRow(
            str(k or "Unknown"),
            str(p or ""),
            *(int(v) for v in rest[:5]),
            float(rest[5]),
            int(rest[6]),
        )
        for k, p, *rest in rows
    ]


# Presentation shared by the pages and the CSV ------------------------------------------


def money(micros: int, currency: str, places: int = 4) -> str:
    """Micro-units as a plain decimal in the currency, e.g. ``0.0123 USD``."""
    value = (Decimal(micros) / MICROS).quantize(Decimal(1).scaleb(-places))
    return f"{value} {currency}"


def duration(seconds: int) -> str:
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}" if hours else f"{minutes}:{sec:02d}"


def columns_for(chosen: list[str], actor: Actor) -> list[str]:
    """The domain's chosen CDR columns in its order; operators also see the route."""
    cols = [c for c in chosen if c in CDR_COLUMNS] or list(CDR_COLUMNS)
    return cols if actor.is_contact else [*cols, "route"]


def column_label(key: str, tz: str = "UTC") -> str:
    if key == "call_start":
        return f"Call start ({tz})"
    return "Route" if key == "route" else CDR_COLUMNS.get(key, BREAKOUT_COLUMNS.get(key, key))


STATUS_LABELS = {
    "answered": "Answered",
    "no_answer": "No answer",
    "busy": "Busy",
    "failed": "Failed",
    "cancelled": "Cancelled",
}


def cell(row: Cdr, key: str, tz: ZoneInfo, actor: Actor, *, raw: bool = False) -> str:
    """One CDR field as text, in the viewer's time zone. Never the route for a contact.

    ``raw`` is for CSV: seconds and decimal amounts as plain numbers, codes as codes."""
    if key == "route":
        return "" if actor.is_contact else row.route
    if key == "call_start":
        return row.call_start.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
    if key in ("duration", "billed_duration"):
        seconds = getattr(row, key)
        return str(seconds) if raw else duration(seconds)
    if key in ("rate", "cost"):
        value = getattr(row, key)
        return str(Decimal(value) / MICROS) if raw else money(value, row.currency)
    if key == "status" and not raw:
        return STATUS_LABELS.get(row.status, row.status)
    return str(getattr(row, key, ""))


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_CSV_RISKY) else value


def cdr_csv(
    *, session: Session, actor: Actor, query: CdrQuery, columns: list[str], tz: str
) -> Iterator[str]:
    """The whole range as CSV, oldest first, streamed in keyset batches: memory stays
    flat whatever the range holds. Times are in ``tz``; costs are plain numbers."""
    cdr_check(session=session, actor=actor, customer_id=query.customer_id)
    z = zone(tz)
    cols = columns_for(columns, actor)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column_label(c, tz) for c in cols])
    yield out.getvalue()
    cursor: tuple[datetime, int] | None = None
    while True:
        conditions = _where(query)
        if cursor is not None:
            at, last_id = cursor
            conditions.append(
                or_(Cdr.call_start > at, and_(Cdr.call_start == at, Cdr.id > last_id))
            )
        batch = session.exec(
            select(Cdr).where(*conditions).order_by(Cdr.call_start, Cdr.id).limit(CSV_BATCH)
        ).all()
        if not batch:
            return
        out.seek(0)
        out.truncate()
        for row in batch:
            writer.writerow(
                [
                    cell(row, c, z, actor, raw=True)
                    if c in _NUMERIC
                    else _safe(cell(row, c, z, actor, raw=True))
                    for c in cols
                ]
            )
        yield out.getvalue()
        cursor = (batch[-1].call_start, batch[-1].id)
        session.expunge_all()


# Dashboard charts -------------------------------------------------------------------


def _hour(session: Session):
    """The call's UTC hour as a value both databases can group by."""
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(Cdr.call_start, 1, 13)  # stored as ISO text: "YYYY-MM-DD HH"
    return func.to_char(func.date_trunc("hour", Cdr.call_start), "YYYY-MM-DD HH24")


@dataclass(frozen=True)
class DayPoint:
    day: str  # the viewer's date, ISO
    calls: int
    minutes: float
    cost: int  # micro-units


def daily(
    *, session: Session, actor: Actor, customer_id: int, days: int, tz: str
) -> list[DayPoint]:
    """Calls, minutes and spend per day of the viewer, for the last ``days`` days.

    Grouped by UTC hour in SQL (at most 24 rows a day), then folded into local days,
    so the database never returns the calls themselves."""
    cdr_check(session=session, actor=actor, customer_id=customer_id)
    last = today(tz)
    start, end = day_range(last - timedelta(days=days - 1), last, tz)
    hour = _hour(session)
    rows = session.exec(
        select(hour, func.count(), func.sum(Cdr.billed_duration), func.sum(Cdr.cost))
        .where(Cdr.customer_id == customer_id, Cdr.call_start >= start, Cdr.call_start < end)
        .group_by(hour)
    ).all()
    z = zone(tz)
    buckets = {(last - timedelta(days=i)).isoformat(): [0, 0, 0] for i in range(days - 1, -1, -1)}
    for text, calls, seconds, cost in rows:
        at = datetime.strptime(text, "%Y-%m-%d %H").replace(tzinfo=ZoneInfo("UTC"))
        key = at.astimezone(z).date().isoformat()
        if key in buckets:
            b = buckets[key]
            b[0], b[1], b[2] = b[0] + calls, b[1] + int(seconds or 0), b[2] + int(cost or 0)
    return [DayPoint(day, c, round(s / 60, 1), cost) for day, (c, s, cost) in buckets.items()]


@dataclass(frozen=True)
class TopCustomer:
    customer_id: int
    name: str
    calls: int
    cost: int  # micro-units, in the customer's currency
    currency: str


def top_customers(
    *, session: Session, actor: Actor, days: int = 7, limit: int = 10
) -> list[TopCustomer]:
    """The customers with the most spend over the last days (operators with CDR)."""
    if actor.is_contact or not actor.can(Area.CDR):
        raise PermissionDenied()
    since = datetime.now(ZoneInfo("UTC")) - timedelta(days=days)
    spend = func.sum(Cdr.cost)
    rows = session.exec(
        select(Cdr.customer_id, func.count(), spend)
        .where(Cdr.call_start >= since)
        .group_by(Cdr.customer_id)
        .order_by(spend.desc())
        .limit(limit)
    ).all()
    names = {
        c.id: c
        for c in session.exec(select(Customer).where(Customer.id.in_([r[0] for r in rows]))).all()
    }
    return [
        TopCustomer(cid, names[cid].name, calls, int(cost or 0), names[cid].currency)
        for cid, calls, cost in rows
        if cid in names
    ]

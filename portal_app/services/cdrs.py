"""CDR reports: a customer's calls in a time range, its totals and its breakout.

Every read names one customer and a half-open UTC range, which the index
``(customer_id, call_start, id)`` answers directly. Pages are keyset pages (newest
first, then by id), so a deep page costs what the first one does. Days are the
viewer's days: ``day_range`` turns a local date into UTC bounds, 23 or 25 hours long
around a DST change. Operators with the Carrier permission see the route (the carrier) a
call took; contacts never do, and carriers' own calls need that permission too
(services/policy.py).
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from portal_app.models import Area, Cdr, Customer, PortalDomain

from .csvcell import csv_cell
from .domains import BREAKOUT_COLUMNS, CDR_COLUMNS
from .errors import PermissionDenied, ValidationError
from .identity import Actor
from .money import format_micros, plain_micros
from .policy import customer_check, sees_routes

PAGE_MAX = 200
CSV_BATCH = 5000


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


REPORT_AREAS = (Area.CDR, Area.REPORT)  # Report › Breakout Report: either area


def cdr_check(
    *, session: Session, actor: Actor, customer_id: int, areas: tuple[Area, ...] = (Area.CDR,)
) -> None:
    """Operators with the CDR permission (or one of ``areas``), and the Carrier permission
    for a carrier's calls; a contact for its own customer only."""
    if actor.is_contact:
        if actor.customer_id != customer_id:
            raise PermissionDenied()
        return
    if not any(actor.can(a) for a in areas):
        raise PermissionDenied()
    customer_check(session=session, actor=actor, customer_id=customer_id)


@dataclass(frozen=True)
class ReportSetup:
    """What a customer's reports show: its domain's chosen columns and its currency."""

    cdr_columns: list[str]
    breakout_columns: list[str]
    currency: str
    customer_name: str


def report_setup(
    *, session: Session, actor: Actor, customer_id: int, areas: tuple[Area, ...] = (Area.CDR,)
) -> ReportSetup:
    """The columns and currency of a customer's CDR and Breakout reports."""
    cdr_check(session=session, actor=actor, customer_id=customer_id, areas=areas)
    customer = session.get(Customer, customer_id)
    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    return ReportSetup(
        cdr_columns=list(domain.cdr_columns) if domain else [],
        breakout_columns=list(domain.breakout_columns) if domain else [],
        currency=customer.currency,
        customer_name=customer.name,
    )


def _shape(q: CdrQuery) -> tuple[tuple[bool, bool, bool], dict]:
    """Which optional filters a query uses, and the values of all its parameters."""
    digits = "".join(ch for ch in q.search if ch.isdigit())[:32]
    params = {"cid": q.customer_id, "start": q.start, "end": q.end}
    if digits:
        params["pattern"] = f"%{digits}%"
    if q.status:
        params["status"] = q.status
    if q.direction:
        params["direction"] = q.direction
    return (bool(digits), bool(q.status), bool(q.direction)), params


def _conditions(shape: tuple[bool, bool, bool]) -> list:
    """The WHERE clause for a shape, with bound parameters: built once per shape."""
    search, status, direction = shape
    conditions = [
        Cdr.customer_id == sa.bindparam("cid"),
        Cdr.call_start >= sa.bindparam("start"),
        Cdr.call_start < sa.bindparam("end"),
    ]
    if search:
        pattern = sa.bindparam("pattern")
        conditions.append(or_(Cdr.dialled.like(pattern), Cdr.cli.like(pattern)))
    if status:
        conditions.append(Cdr.status == sa.bindparam("status"))
    if direction:
        conditions.append(Cdr.direction == sa.bindparam("direction"))
    return conditions


# Statements are built once per shape and reused: building SQLAlchemy expressions is
# most of the cost of a small page (bench/reports.py).
@functools.cache
def _page_statement(shape: tuple[bool, bool, bool], keyset: bool) -> sa.Select:
    conditions = _conditions(shape)
    if keyset:
        at, last_id = (
            sa.bindparam("at", type_=Cdr.__table__.c.call_start.type),
            sa.bindparam("last_id"),
        )
        conditions.append(or_(Cdr.call_start < at, and_(Cdr.call_start == at, Cdr.id < last_id)))
    return (
        sa.select(*Cdr.__table__.columns)
        .where(*conditions)
        .order_by(Cdr.call_start.desc(), Cdr.id.desc())
        .limit(sa.bindparam("limit"))
    )


@functools.cache
def _csv_statement(shape: tuple[bool, bool, bool], keyset: bool, columns: tuple[str, ...]):
    conditions = _conditions(shape)
    if keyset:
        at, last_id = (
            sa.bindparam("at", type_=Cdr.__table__.c.call_start.type),
            sa.bindparam("last_id"),
        )
        conditions.append(or_(Cdr.call_start > at, and_(Cdr.call_start == at, Cdr.id > last_id)))
    table = Cdr.__table__.c
    return (
        sa.select(*(table[c] for c in columns))
        .where(*conditions)
        .order_by(Cdr.call_start, Cdr.id)
        .limit(sa.bindparam("limit"))
    )


@functools.cache
def _totals_statement(shape: tuple[bool, bool, bool]) -> sa.Select:
    answered = func.sum(case((Cdr.status == "answered", 1), else_=0))
    return sa.select(
        func.count(),
        func.coalesce(answered, 0),
        func.coalesce(func.sum(Cdr.duration), 0),
        func.coalesce(func.sum(Cdr.billed_duration), 0),
        func.coalesce(func.sum(Cdr.cost), 0),
    ).where(*_conditions(shape))


@functools.cache
def _breakout_statement(shape: tuple[bool, bool, bool], by: str) -> sa.Select:
    key = Cdr.prefix if by == "prefix" else Cdr.destination
    connected = func.sum(case((Cdr.status == "answered", 1), else_=0))
    return (
        sa.select(
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
        .where(*_conditions(shape))
        .group_by(key)
        .order_by(func.sum(Cdr.cost).desc(), key)
        .limit(sa.bindparam("limit"))
    )


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
    shape, params = _shape(query)
    limit = max(1, min(limit, PAGE_MAX))
    params["limit"] = limit + 1
    if after is not None:
        params["at"], params["last_id"] = after
    # Plain rows (attribute access like a Cdr), not ORM objects: a page is only read.
    rows = session.execute(_page_statement(shape, after is not None), params).all()
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
    shape, params = _shape(query)
    row = session.execute(_totals_statement(shape), params).one()
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
    """Per destination (or prefix): calls, connected, minutes, cost, ASR, ACD, PDD.

    Operators allowed the CDR or the Report area may ask (Report › Breakout Report)."""
    cdr_check(session=session, actor=actor, customer_id=query.customer_id, areas=REPORT_AREAS)
    shape, params = _shape(query)
    params["limit"] = limit
    rows = session.execute(_breakout_statement(shape, by), params).all()
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


def duration(seconds: int) -> str:
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}" if hours else f"{minutes}:{sec:02d}"


def columns_for(chosen: list[str], actor: Actor) -> list[str]:
    """The domain's chosen CDR columns in its order; operators allowed carriers also see
    the route."""
    cols = [c for c in chosen if c in CDR_COLUMNS] or list(CDR_COLUMNS)
    return [*cols, "route"] if sees_routes(actor) else cols


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


def cell(row: Cdr, key: str, tz: ZoneInfo, actor: Actor) -> str:
    """One CDR field as text for a page, in the viewer's time zone. The route only for
    those allowed carriers. (The CSV writes its own plain values: see ``_csv_format``.)"""
    if key == "route":
        return row.route if sees_routes(actor) else ""
    if key == "call_start":
        return row.call_start.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
    if key in ("duration", "billed_duration"):
        return duration(getattr(row, key))
    if key in ("rate", "cost"):
        return format_micros(getattr(row, key), row.currency)
    if key == "status":
        return STATUS_LABELS.get(row.status, row.status)
    return str(getattr(row, key, ""))


def cdr_csv(
    *, session: Session, actor: Actor, query: CdrQuery, columns: list[str], tz: str
) -> Iterator[str]:
    """The whole range as CSV, oldest first, streamed in keyset batches: memory stays
    flat whatever the range holds. Times are in ``tz``; costs are plain numbers."""
    cdr_check(session=session, actor=actor, customer_id=query.customer_id)
    cols = columns_for(columns, actor)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column_label(c, tz) for c in cols])
    yield out.getvalue()
    formats = [_csv_format(c, zone(tz), actor) for c in cols]
    routes = sees_routes(actor)
    needed = tuple(sorted({"call_start", "id", *(c for c in cols if c != "route" or routes)}))
    shape, params = _shape(query)
    params["limit"] = CSV_BATCH
    keyset = False
    while True:
        batch = session.execute(_csv_statement(shape, keyset, needed), params).all()
        if not batch:
            return
        out.seek(0)
        out.truncate()
        writer.writerows([[f(row) for f in formats] for row in batch])
        yield out.getvalue()
        keyset, params["at"], params["last_id"] = True, batch[-1].call_start, batch[-1].id


def _csv_format(key: str, tz: ZoneInfo, actor: Actor):
    """A function from a row to the CSV text of one column: numbers stay numbers,
    times are in ``tz``, text is guarded against spreadsheet formulas."""
    if key == "route" and not sees_routes(actor):
        return lambda row: ""
    if key == "call_start":
        if tz.key == "UTC":
            return lambda row: row.call_start.strftime("%Y-%m-%d %H:%M:%S")
        return lambda row: row.call_start.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
    if key in ("rate", "cost"):
        return lambda row: plain_micros(getattr(row, key))
    if key in ("duration", "billed_duration"):
        return lambda row: getattr(row, key)
    return lambda row: csv_cell(str(getattr(row, key)))


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

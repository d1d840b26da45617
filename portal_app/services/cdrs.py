"""CDR reports: a customer's calls in a time range and its totals (the CSV export is
services/cdr_export.py, the breakout services/cdr_breakout.py).

Every read names one customer and a half-open UTC range, which the index
``(customer_id, call_start, id)`` answers directly. Pages are keyset pages (newest
first, then by id), so a deep page costs what the first one does. Days are the
viewer's days: ``day_range`` turns a local date into UTC bounds, 23 or 25 hours long
around a DST change. Operators with the Carrier permission see the route (the carrier) a
call took; contacts never do, and carriers' own calls need that permission too
(services/policy.py).
"""

from __future__ import annotations

import functools
from collections import namedtuple
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy import case, func, or_
from sqlmodel import Session

from portal_app.models import Area, Cdr, Customer, PortalDomain

from .cdr_format import (  # noqa: F401  (the pages' formatting, used through this module)
    INDEX,
    STATUS_LABELS,
    cell,
    column_label,
    columns_for,
    duration,
    page_cells,
)
from .cursor_reads import fetch_rows
from .dates import DateFormatter, as_utc
from .errors import PermissionDenied, ValidationError
from .identity import Actor
from .policy import customer_check

PAGE_MAX = 200


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


def parse_days(
    first: str, last: str, tz: str, *, max_days: int = 92, fmt: DateFormatter | None = None
) -> tuple[date, date]:
    """The dates a form sent, checked: in the account's date format ``fmt`` or ISO (a
    CSV link's), in order, at most ``max_days``."""
    errors: dict[str, str] = {}
    fmt = fmt or DateFormatter()
    try:
        d1 = fmt.parse(first)
    except ValueError as exc:
        errors["first"] = str(exc)
    try:
        d2 = fmt.parse(last)
    except ValueError as exc:
        errors["last"] = str(exc)
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
    row = session.connection().execute(_setup_statement(), {"cid": customer_id}).one()
    cdr_columns, breakout_columns, currency, name = row
    return ReportSetup(list(cdr_columns or []), list(breakout_columns or []), currency, name)


@functools.cache
def _setup_statement() -> sa.Select:
    """One read (Core, not two ORM loads: this runs on every report's first page)."""
    customer, domain = Customer.__table__, PortalDomain.__table__
    return (
        sa.select(domain.c.cdr_columns, domain.c.breakout_columns)
        .add_columns(customer.c.currency, customer.c.name)
        .select_from(customer.outerjoin(domain, domain.c.id == customer.c.domain_id))
        .where(customer.c.id == sa.bindparam("cid"))
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


def _conditions(shape: tuple[bool, bool, bool], after: str = "") -> list:
    """The WHERE clause for a shape, with bound parameters: built once per shape.

    ``after`` continues a keyset read from the cursor (``at``, ``last_id``): "older" for
    newest-first pages, "newer" for the oldest-first export. The cursor takes the place of
    the range's bound on its side (it lies inside the range): with two bounds on one side
    SQLite seeks to the range's and filters every row up to the cursor, so each page
    would read all the pages before it."""
    search, status, direction = shape
    start, end = sa.bindparam("start"), sa.bindparam("end")
    at = sa.bindparam("at", type_=Cdr.__table__.c.call_start.type)
    last_id = sa.bindparam("last_id")
    conditions = [Cdr.customer_id == sa.bindparam("cid")]
    if after == "older":
        conditions += [Cdr.call_start >= start, Cdr.call_start <= at]
        conditions.append(or_(Cdr.call_start < at, Cdr.id < last_id))  # ties at ``at``
    elif after == "newer":
        conditions += [Cdr.call_start >= at, Cdr.call_start < end]
        conditions.append(or_(Cdr.call_start > at, Cdr.id > last_id))
    else:
        conditions += [Cdr.call_start >= start, Cdr.call_start < end]
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
    conditions = _conditions(shape, "older" if keyset else "")
    return (
        sa.select(*Cdr.__table__.columns)
        .where(*conditions)
        .order_by(Cdr.call_start.desc(), Cdr.id.desc())
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


# A page's row: the table's columns in order; call_start as the driver gives it (SQLite:
# the stored text; dates.as_utc reads either).
CdrRow = namedtuple("CdrRow", INDEX)


def cdr_page(
    *,
    session: Session,
    actor: Actor,
    query: CdrQuery,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> tuple[list[CdrRow], tuple[datetime, int] | None]:
    """One page, newest first, after the keyset cursor; returns the next cursor."""
    cdr_check(session=session, actor=actor, customer_id=query.customer_id)
    shape, params = _shape(query)
    limit = max(1, min(limit, PAGE_MAX))
    params["limit"] = limit + 1
    if after is not None:
        params["at"], params["last_id"] = after
    # Plain rows (attribute access like a Cdr), not ORM objects: a page is only read, so
    # it goes straight to the cursor (services/cursor_reads.py).
    rows = fetch_rows(session, _page_statement(shape, after is not None), params)
    more = len(rows) > limit
    rows = list(map(CdrRow._make, rows[:limit]))
    return rows, ((as_utc(rows[-1].call_start), rows[-1].id) if more else None)


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
    (row,) = fetch_rows(session, _totals_statement(shape), params)
    return Totals(*(int(v) for v in row))

"""Traffic per local day or month from the call rollups: a customer's daily chart (the
portal Overview) and the account's Usage (My Account › Usage), never scanning CDRs.

A local day or month in any zone is a run of whole UTC quarter hours (every real UTC
offset is a multiple of 15 minutes), so each period is a (lo, hi) pair of UTC instants
and the database adds the quarter rows inside it: one range join against the list of
periods, a row per period and currency. A DST change only moves a period's bounds.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from portal_app.models import AccountRollup, Area, CallPeak, CallRollup
from portal_app.models.base import UTCDateTime

from .cdrs import cdr_check, day_range, today
from .dates import DateFormatter
from .errors import PermissionDenied, ValidationError
from .identity import Actor
from .money import micros_to_minor, plain_minor
from .policy import hidden_kinds, sees_carriers

USAGE_AREAS = (Area.CDR, Area.REPORT)  # My Account › Usage: either area
MAX_DAYS, MAX_MONTHS = 92, 24


@dataclass(frozen=True)
class Period:
    label: str  # ISO date of the day, or YYYY-MM of the month
    lo: datetime  # UTC, inclusive
    hi: datetime  # UTC, exclusive


def periods(first: date, last: date, tz: str, by: str = "day") -> list[Period]:
    """The viewer's days (or months) from ``first`` to ``last`` as UTC ranges."""
    out = []
    if by == "month":
        at = first.replace(day=1)
        while at <= last:
            after = (at + timedelta(days=32)).replace(day=1)
            lo, hi = day_range(at, after - timedelta(days=1), tz)
            out.append(Period(at.isoformat()[:7], lo, hi))
            at = after
        return out
    for n in range((last - first).days + 1):
        d = first + timedelta(days=n)
        out.append(Period(d.isoformat(), *day_range(d, d, tz)))
    return out


def _periods_table(items: list[Period]):
    """The periods as a derived table (label, lo, hi): a UNION ALL of one-row selects,
    which SQLite and PostgreSQL both take (SQLite has no column list on VALUES)."""
    ts = UTCDateTime()
    return sa.union_all(
        *(
            sa.select(
                sa.literal(p.label, sa.String).label("label"),
                sa.literal(p.lo, ts).label("lo"),
                sa.literal(p.hi, ts).label("hi"),
            )
            for p in items
        )
    ).subquery("period")


def _sum(column) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(column), 0)


@dataclass(frozen=True)
class DayPoint:
    day: str  # the viewer's date, ISO
    calls: int
    minutes: float
    cost: int  # micro-units


def customer_daily(
    *, session: Session, actor: Actor, customer_id: int, days: int, tz: str
) -> list[DayPoint]:
    """Calls, billed minutes and spend per day of the viewer, for the last ``days``."""
    cdr_check(session=session, actor=actor, customer_id=customer_id)
    last = today(tz)
    items = periods(last - timedelta(days=days - 1), last, tz)
    r = CallRollup
    rows = session.execute(
        _query(r, items, [r.customer_id == customer_id], [r.calls, r.billed_seconds, r.cost])
    ).all()
    found = {label: (int(c), int(s), int(m)) for label, c, s, m in rows}
    points = []
    for p in items:
        calls, seconds, cost = found.get(p.label, (0, 0, 0))
        points.append(DayPoint(p.label, calls, round(seconds / 60, 1), cost))
    return points


def _query(table, items: list[Period], where: list, sums: list, by_currency: bool = False):
    p = _periods_table(items)
    keys = [p.c.label, *([table.currency] if by_currency else [])]
    return (
        sa.select(*keys, *(_sum(c) for c in sums))
        .select_from(table)
        .join(p, sa.and_(table.bucket_start >= p.c.lo, table.bucket_start < p.c.hi))
        .where(table.bucket_start >= items[0].lo, table.bucket_start < items[-1].hi, *where)
        .group_by(*keys)
    )


@dataclass
class UsageRow:
    label: str
    calls: int = 0
    answered: int = 0
    seconds: int = 0
    billed_seconds: int = 0
    spend: dict[str, int] = field(default_factory=dict)  # currency → micro-units
    peak: int = 0  # most calls in progress at once


def usage_check(actor: Actor) -> None:
    """Operators with the CDR or the Report permission; never a contact."""
    if actor.is_contact or not any(actor.can(a) for a in USAGE_AREAS):
        raise PermissionDenied()


def parse_period(
    first: str, last: str, by: str, fmt: DateFormatter | None = None
) -> tuple[date, date, str]:
    """The form's period, checked: dates in the account's format ``fmt`` or ISO (the CSV
    link's), in order, at most 92 days or 24 months."""
    by = by if by in ("day", "month") else "day"
    fmt = fmt or DateFormatter()
    errors: dict[str, str] = {}
    dates = []
    for key, text in (("first", first), ("last", last)):
        try:
            dates.append(fmt.parse(text))
        except ValueError as exc:
            errors[key] = str(exc)
    if not errors:
        d1, d2 = dates
        months = (d2.year - d1.year) * 12 + d2.month - d1.month + 1
        if d2 < d1:
            errors["last"] = "The end date is before the start date."
        elif by == "day" and (d2 - d1).days >= MAX_DAYS:
            errors["last"] = f"Choose at most {MAX_DAYS} days, or view by month."
        elif by == "month" and months > MAX_MONTHS:
            errors["last"] = f"Choose at most {MAX_MONTHS} months."
    if errors:
        raise ValidationError(errors)
    return dates[0], dates[1], by


def usage_report(
    *, session: Session, actor: Actor, first: date, last: date, tz: str, by: str = "day"
) -> list[UsageRow]:
    """The account's traffic per local day or month: calls, minutes, spend per currency
    and peak concurrent calls. Carriers' calls only with the Carrier permission."""
    usage_check(actor)
    items = periods(first, last, tz, by)
    a = AccountRollup
    where = [a.kind.not_in(hidden)] if (hidden := hidden_kinds(actor)) else []
    sums = [a.calls, a.answered, a.seconds, a.billed_seconds, a.cost]
    out = {p.label: UsageRow(p.label) for p in items}
    for label, currency, calls, answered, seconds, billed, cost in session.execute(
        _query(a, items, where, sums, by_currency=True)
    ):
        row = out[label]
        row.calls += int(calls)
        row.answered += int(answered)
        row.seconds += int(seconds)
        row.billed_seconds += int(billed)
        row.spend[currency] = row.spend.get(currency, 0) + int(cost)
    c = CallPeak
    scope = "all" if sees_carriers(actor) else "customer"
    p = _periods_table(items)
    peaks = session.execute(
        sa.select(p.c.label, sa.func.max(c.peak))
        .select_from(c)
        .join(p, sa.and_(c.bucket_start >= p.c.lo, c.bucket_start < p.c.hi))
        .where(c.scope == scope, c.bucket_start >= items[0].lo, c.bucket_start < items[-1].hi)
        .group_by(p.c.label)
    )
    for label, peak in peaks:
        out[label].peak = int(peak or 0)
    return list(out.values())


def usage_currencies(rows: list[UsageRow]) -> list[str]:
    """The currencies spent in, in a stable order: one spend column (and chart) each."""
    return sorted({c for r in rows for c in r.spend})


def period_label(label: str, by: str, fmt: DateFormatter) -> str:
    """A period for people: a day in the account's date format, a month as "2026-11"."""
    return fmt.date(date.fromisoformat(label)) if by == "day" else label


def usage_csv(rows: list[UsageRow], by: str, fmt: DateFormatter) -> str:
    """The Usage table as CSV: one line per period, spend in plain amounts of each
    currency's minor units (money.plain_minor), days in the account's date format."""
    currencies = usage_currencies(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    period = "Day" if by == "day" else "Month"
    writer.writerow(
        [
            f"{period} ({fmt.zone_name})",
            "Calls",
            "Answered",
            "Minutes",
            "Billed minutes",
            "Peak calls",
        ]
        + [f"Spend ({c})" for c in currencies]
    )
    for r in rows:
        writer.writerow(
            [
                period_label(r.label, by, fmt),
                r.calls,
                r.answered,
                f"{r.seconds / 60:.1f}",
                f"{r.billed_seconds / 60:.1f}",
            ]
            + [r.peak]
            + [plain_minor(micros_to_minor(r.spend.get(c, 0), c), c) for c in currencies]
        )
    return out.getvalue()

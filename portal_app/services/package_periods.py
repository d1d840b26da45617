"""When a package's retail price is due: the period starts of its frequency from the
day the customer got it (``customer_package.since``, UTC). Pure functions, no database.

The first period starts at ``since`` itself (a package is paid for in advance). Monthly
periods keep the anniversary day and clamp it to the month's last day without drifting
(Jan 31 → Feb 28 or 29 → Mar 31 → Apr 30 → May 31); yearly ones likewise (Feb 29 →
Feb 28 in other years). Weekly is every 7 days, daily every day, and a one-off package
has only its first period. Every start keeps the time of day of ``since``.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from portal_app.models import Frequency

from .dates import as_utc

# At most this many periods are charged for one package in one run, the latest ones:
# after a long outage (or for an assignment older than the charging) the customer is
# charged for the last 31 periods, never for years of days at once. Older uncharged
# periods are left alone, and a period before the latest charged one is never charged.
MAX_BACKLOG = 31

_STEP = {Frequency.DAILY.value: timedelta(days=1), Frequency.WEEKLY.value: timedelta(days=7)}
_MONTHS = {Frequency.MONTHLY.value: 1, Frequency.YEARLY.value: 12}


def _add_months(since: datetime, months: int) -> datetime:
    total = since.year * 12 + since.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return since.replace(year=year, month=month + 1, day=min(since.day, last))


def period_start(since: datetime, frequency: str, n: int) -> datetime:
    """The start of period ``n`` (0 = the first, at ``since``), always from ``since`` so
    that clamping in a short month never moves the later anniversaries."""
    since = as_utc(since)
    if n == 0 or frequency == Frequency.ONE_OFF.value:
        return since
    if frequency in _STEP:
        return since + _STEP[frequency] * n
    return _add_months(since, _MONTHS.get(frequency, 1) * n)


def _last_index(since: datetime, frequency: str, now: datetime) -> int:
    """The number of the latest period that has started by ``now`` (-1: none yet)."""
    if now < since:
        return -1
    if frequency == Frequency.ONE_OFF.value:
        return 0
    if frequency in _STEP:
        return (now - since) // _STEP[frequency]
    per = _MONTHS.get(frequency, 1)
    n = ((now.year - since.year) * 12 + now.month - since.month) // per
    while n > 0 and period_start(since, frequency, n) > now:
        n -= 1
    return n


def due_periods(
    since: datetime, frequency: str, now: datetime, *, after: datetime | None = None
) -> list[datetime]:
    """The period starts due by ``now`` that a run would charge, oldest first: later than
    ``after`` (the latest charged one, if any), and only the last MAX_BACKLOG."""
    since, now = as_utc(since), as_utc(now)
    last = _last_index(since, frequency, now)
    starts = [
        period_start(since, frequency, n) for n in range(max(0, last - MAX_BACKLOG + 1), last + 1)
    ]
    if after is not None:
        after = as_utc(after)
        starts = [s for s in starts if s > after]
    return starts


def next_period(
    since: datetime, frequency: str, now: datetime, *, after: datetime | None = None
) -> datetime | None:
    """When the customer is charged next: the oldest period still to charge (due now,
    if the charging has not caught up yet) or else the next one to start; None for a
    one-off package already charged."""
    due = due_periods(since, frequency, now, after=after)
    if due:
        return due[0]
    if frequency == Frequency.ONE_OFF.value:
        return None if after is not None else as_utc(since)
    return period_start(since, frequency, _last_index(as_utc(since), frequency, as_utc(now)) + 1)

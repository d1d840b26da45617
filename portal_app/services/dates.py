"""Dates as the account shows them: My Account › Configuration's Date Format.

The one formatter for every screen, CSV and email of the control panel and the portal:
``formatter(session=..., tz=...)`` reads the account's Date Format once and writes
dates and times in the viewer's zone (UTC when the page does not know the browser's
zone), always naming the zone. Nothing else calls ``strftime`` for people
(tests/services/test_dates.py greps for it). Date fields that people type are parsed
by the same format (``DateFormatter.parse``), ISO dates accepted too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlmodel import Session

from portal_app.models import AccountConfig
from portal_app.models.base import utcnow

from .cursor_reads import fetch_rows

# The account's Date Format choices (services/account.DATE_FORMATS) as strftime patterns.
PATTERNS = {
    "YYYY-MM-DD": "%Y-%m-%d",
    "DD/MM/YYYY": "%d/%m/%Y",
    "MM/DD/YYYY": "%m/%d/%Y",
    "DD.MM.YYYY": "%d.%m.%Y",
}
# The same without the year, for a chart's day axis.
SHORT = {"%Y-%m-%d": "%m-%d", "%d/%m/%Y": "%d/%m", "%m/%d/%Y": "%m/%d", "%d.%m.%Y": "%d.%m."}
DEFAULT_FORMAT = "YYYY-MM-DD"
# Each pattern with a time, as a str.format of (year, month, day, "HH:MM:SS").
_SLICES = {
    p: p.replace("%Y", "{0}").replace("%m", "{1}").replace("%d", "{2}") + " {3}"
    for p in PATTERNS.values()
}


_iso = datetime.fromisoformat


def as_utc(value: datetime | str) -> datetime:
    """A stored time as the driver or a service's view gives it (SQLite: its text, UTC;
    PostgreSQL: an aware datetime) → an aware datetime in UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def zone(name: object) -> ZoneInfo:
    """The IANA zone ``name`` (a browser's ``Intl`` answer), UTC for anything unknown."""
    try:
        return ZoneInfo(str(name or "UTC")[:64])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class DateFormatter:
    """One account's Date Format in one viewer's zone."""

    format: str = DEFAULT_FORMAT
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    @property
    def pattern(self) -> str:
        return PATTERNS.get(self.format, PATTERNS[DEFAULT_FORMAT])

    @property
    def zone_name(self) -> str:
        return self.tz.key

    def _local(self, value: datetime | str) -> datetime:
        return as_utc(value).astimezone(self.tz)  # a service's view keeps ISO text (UTC)

    def date(self, value: date | datetime | str | None, empty: str = "") -> str:
        """ "25/11/2026": a datetime's day in the viewer's zone, a date as it is."""
        if value is None or value == "":
            return empty
        if isinstance(value, datetime | str):
            value = self._local(value)
        return value.strftime(self.pattern)

    def datetime(
        self,
        value: datetime | str | None,
        empty: str = "",
        *,
        seconds: bool = False,
        with_zone: bool = True,
    ) -> str:
        """ "25/11/2026 14:05 UTC" in the viewer's zone (``value`` a datetime or ISO text);
        ``with_zone=False`` for a table or CSV column whose header names the zone."""
        if value is None or value == "":
            return empty

        clock = "%H:%M:%S" if seconds else "%H:%M"
        text = self._local(value).strftime(f"{self.pattern} {clock}")
        return f"{text} {self.zone_name}" if with_zone else text

    def clocks(self, values: Sequence[datetime | str]) -> list[str]:
        """Many UTC times → "25/11/2026 14:03:09" each (seconds, no zone: the column's
        header names it), for a report page or a CSV: the same text as ``datetime``, by
        rearranging ISO text (SQLite's stored text as it is in a UTC view; else each
        time's local ISO form) rather than a ``strftime`` per value."""
        tz = self.tz
        if values and isinstance(values[0], str):  # "YYYY-MM-DD HH:MM:SS.ffffff", UTC
            if tz.key != "UTC":
                values = [_iso(v + "+00:00").astimezone(tz).isoformat(" ") for v in values]
        else:
            values = [as_utc(v).astimezone(tz).isoformat(" ") for v in values]
        if self.pattern == PATTERNS[DEFAULT_FORMAT]:
            return [v[:19] for v in values]
        parts = _SLICES[self.pattern]
        return [parts.format(v[0:4], v[5:7], v[8:10], v[11:19]) for v in values]

    def day_month(self, value: date | str) -> str:
        """ "25/11": a chart axis's day, the year left out (``value`` a date or ISO)."""
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return day.strftime(SHORT[self.pattern])

    def example(self) -> str:
        """The format as a hint for a date field: "DD/MM/YYYY"."""
        return self.format if self.format in PATTERNS else DEFAULT_FORMAT

    def parse(self, text: object) -> date:
        """A typed date in the account's format or ISO (a date picker's value); raises
        ValueError with the message for the field."""
        value = str(text or "").strip()
        for pattern in (self.pattern, PATTERNS[DEFAULT_FORMAT]):
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
        raise ValueError(f"Enter a date like {date(2026, 11, 25).strftime(self.pattern)}.")


def account_date_format(*, session: Session) -> str:
    """The account's Date Format option ("DD/MM/YYYY"); the default before it is set.
    Read on the cursor: every page that shows a date asks."""
    found = fetch_rows(session, _DATE_FORMAT, {})
    value = found[0][0] if found else DEFAULT_FORMAT
    return value if value in PATTERNS else DEFAULT_FORMAT


_DATE_FORMAT = sa.select(AccountConfig.__table__.c.date_format).where(
    AccountConfig.__table__.c.id == 1
)


def formatter(*, session: Session, tz: object = "UTC") -> DateFormatter:
    """The formatter for one screen, CSV or email: the account's format in zone ``tz``."""
    return DateFormatter(account_date_format(session=session), zone(tz))


def account_time_text(*, session: Session, when: datetime | None = None) -> str:
    """``when`` (now by default) as "02/12/2026 14:05 UTC" in the account's date format."""
    return formatter(session=session).datetime(when or utcnow())

"""My Account › Usage: the account's traffic per day or month in the viewer's zone —
calls, minutes, spend per currency, peak concurrent calls — with charts and a CSV.

Guarded by the CDR or the Report area (as the Breakout Report); services/usage.py
checks it again and leaves carriers out for operators without the Carrier permission.
Figures come from the call rollups only, never from the CDRs.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from urllib.parse import urlencode

import reflex as rx

from portal_app.services import dates, money, usage
from portal_app.services.cdrs import today, zone
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError

from .base import AppState
from .guard import Need, actor, guarded

AREAS = usage.USAGE_AREAS


@dataclasses.dataclass
class SpendChart:
    """One currency's spend per period: amounts of different currencies never share an
    axis."""

    currency: str
    axis: str
    total: str
    points: list[dict]


def _fetch(who, first, last, tz, by):
    with session_scope() as session:
        return usage.usage_report(session=session, actor=who, first=first, last=last, tz=tz, by=by)


def _money(micros: int, currency: str) -> str:
    return money.format_minor(money.micros_to_minor(micros, currency), currency)


class UsageState(AppState):
    tz: str = "UTC"
    date_format: str = dates.DEFAULT_FORMAT  # the account's: the From/To fields use it
    first: str = ""
    last: str = ""
    by: str = "day"
    errors: dict[str, str] = {}
    loading: bool = False
    rows: list[dict[str, str]] = []  # period, calls, answered, minutes, peak, spend
    traffic: list[dict] = []  # the chart of calls, minutes and peaks per period
    spend: list[SpendChart] = []
    calls: str = ""
    minutes: str = ""
    peak: str = ""
    csv_url: str = ""

    @guarded(Need.AREA, AREAS)
    def load(self):
        """Ask the browser for its zone; ``set_tz`` then shows the last 30 days."""
        self.errors, self.rows, self.traffic, self.spend = {}, [], [], []
        return rx.call_script(
            "Intl.DateTimeFormat().resolvedOptions().timeZone", callback=UsageState.set_tz
        )

    @guarded(Need.AREA, AREAS)
    def set_tz(self, tz: str):
        self.tz = zone(str(tz)[:64]).key
        with session_scope() as session:
            self.date_format = dates.account_date_format(session=session)
        last, fmt = today(self.tz), self._dates()
        self.first, self.last, self.by = fmt.date(last - timedelta(days=29)), fmt.date(last), "day"
        yield from self._show()

    def _dates(self) -> dates.DateFormatter:
        return dates.DateFormatter(self.date_format, dates.zone(self.tz))

    @guarded(Need.AREA, AREAS)
    def apply(self, form_data: dict):
        self.first = str(form_data.get("first") or "")[:10]
        self.last = str(form_data.get("last") or "")[:10]
        self.by = "month" if form_data.get("by") == "month" else "day"
        yield from self._show()

    def _show(self):
        try:
            fmt = self._dates()
            first, last, by = usage.parse_period(self.first, self.last, self.by, fmt)
        except ValidationError as exc:
            self.errors, self.rows, self.traffic, self.spend, self.csv_url = (
                exc.fields,
                [],
                [],
                [],
                "",
            )
            return
        self.errors, self.loading = {}, True
        yield
        try:
            rows = _fetch(actor(), first, last, self.tz, by)
        except ServiceError as exc:
            self.loading = False
            yield rx.toast.error(exc.message)
            return
        self.loading = False
        self._map(rows, by, fmt)
        query = {"first": str(first), "last": str(last), "by": by, "tz": self.tz}
        self.csv_url = "/api/export/usage.csv?" + urlencode(query)

    def _map(self, rows: list[usage.UsageRow], by: str, fmt: dates.DateFormatter) -> None:
        currencies = usage.usage_currencies(rows)

        def short(label: str) -> str:  # a chart's axis: 25/11 for days, 2026-11 for months
            return fmt.day_month(label) if by == "day" else label

        self.rows = [
            {
                "period": usage.period_label(r.label, by, fmt),
                "calls": f"{r.calls:,}",
                "answered": f"{r.answered:,}",
                "minutes": f"{r.billed_seconds / 60:,.1f}",
                "peak": f"{r.peak:,}",
                "spend": ", ".join(_money(r.spend[c], c) for c in currencies if c in r.spend)
                or "—",
            }
            for r in rows
        ]
        self.traffic = [{"period": short(r.label), "calls": r.calls, "peak": r.peak} for r in rows]
        self.spend = [
            SpendChart(
                currency=c,
                axis=f"Spend ({c})",
                total=_money(sum(r.spend.get(c, 0) for r in rows), c),
                points=[
                    {
                        "period": short(r.label),
                        "spend": money.chart_number(money.micros_to_minor(r.spend.get(c, 0), c), c),
                    }
                    for r in rows
                ],
            )
            for c in currencies
        ]
        self.calls = f"{sum(r.calls for r in rows):,}"
        self.minutes = f"{sum(r.billed_seconds for r in rows) / 60:,.1f}"
        self.peak = f"{max((r.peak for r in rows), default=0):,}"

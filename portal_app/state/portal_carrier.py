"""The portal's Carrier Portal section (services/carrier_portal.py): a carrier's month of
traffic both ways, day by day, a keyset page of each direction's calls, and the rates it
is paid. Days are UTC days, as carriers reconcile. The carrier is the session's; page
cursors stay on the server."""

from __future__ import annotations

import dataclasses
from datetime import date

import reflex as rx

from portal_app.services import carrier_portal as svc
from portal_app.services import dates
from portal_app.services.cdrs import STATUS_LABELS, duration
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.money import format_micros, format_minor, micros_to_minor

from .base import AppState
from .guard import Need, guarded, portal

SECTION = "carrier_portal"
TZ = "UTC"
PAGE = 25


@dataclasses.dataclass
class DayRow:
    day: str
    sent_calls: str
    sent_minutes: str
    sent_cost: str
    received_calls: str
    received_minutes: str


@dataclasses.dataclass
class CallRow:
    at: str
    dialled: str
    destination: str
    duration: str
    status: str
    extra: str  # sent: the cost; received: the route it came in on


@dataclasses.dataclass
class RateRow:
    prefix: str
    destination: str
    rate: str
    increments: str


def _minutes(seconds: int) -> str:
    return f"{seconds / 60:,.1f}"


def _money(micros: int, currency: str) -> str:
    """A sum of call costs as money (whole minor units, as the ledger rounds them)."""
    return format_minor(micros_to_minor(micros, currency), currency)


def _call(row, extra: str, fmt: dates.DateFormatter) -> CallRow:
    return CallRow(
        at=fmt.datetime(row.call_start, seconds=True, with_zone=False),
        dialled=row.dialled,
        destination=row.destination or "Unknown",
        duration=duration(row.billed_duration),
        status=STATUS_LABELS.get(row.status, row.status),
        extra=extra,
    )


class PortalCarrierState(AppState):
    month: str = ""  # YYYY-MM shown
    currency: str = ""
    days: list[DayRow] = []
    totals: dict[str, str] = {}
    sent: list[CallRow] = []
    received: list[CallRow] = []
    sent_more: bool = False
    received_more: bool = False
    rates: list[RateRow] = []
    rates_total: int = 0
    routes: str = ""  # the carrier's own route names
    errors: dict[str, str] = {}
    _first: date | None = None
    _cursors: dict = {}

    def _range(self):
        return svc.month_range(self._first, TZ)

    def _page(self, direction: str, after=None) -> None:
        ctx = portal()
        start, end = self._range()
        fn = svc.traffic_sent if direction == svc.SENT else svc.traffic_received
        with session_scope() as session:
            rows, cursor = fn(
                session=session, actor=ctx.actor, start=start, end=end, after=after, limit=PAGE
            )
            fmt = dates.formatter(session=session, tz=TZ)
        self._cursors = self._cursors | {direction: cursor}
        if direction == svc.SENT:
            self.sent = [_call(r, format_micros(r.cost, r.currency), fmt) for r in rows]
            self.sent_more = cursor is not None
        else:
            self.received = [_call(r, r.route, fmt) for r in rows]
            self.received_more = cursor is not None

    def _fetch(self) -> None:
        ctx = portal()
        cur = self.currency = ctx.customer.currency
        with session_scope() as session:
            days = svc.traffic_days(session=session, actor=ctx.actor, first=self._first, tz=TZ)
            self.routes = ", ".join(svc.route_names(session=session, actor=ctx.actor))
            fmt = dates.formatter(session=session, tz=TZ)
        self.days = [
            DayRow(
                fmt.date(d.day),
                f"{d.sent_calls:,}",
                _minutes(d.sent_seconds),
                _money(d.sent_cost, cur),
                f"{d.received_calls:,}",
                _minutes(d.received_seconds),
            )
            for d in days
            if d.sent_calls or d.received_calls
        ]
        self.totals = {
            "sent_calls": f"{sum(d.sent_calls for d in days):,}",
            "sent_minutes": _minutes(sum(d.sent_seconds for d in days)),
            "sent_cost": _money(sum(d.sent_cost for d in days), cur),
            "received_calls": f"{sum(d.received_calls for d in days):,}",
            "received_minutes": _minutes(sum(d.received_seconds for d in days)),
        }
        self._page(svc.SENT)
        self._page(svc.RECEIVED)

    def _rates(self, search: str = "") -> None:
        with session_scope() as session:
            page = svc.supplier_rates(session=session, actor=portal().actor, search=search)
        self.rates_total = page.total
        self.rates = [
            RateRow(
                r.prefix,
                r.destination,
                format_micros(r.rate, page.currency),
                f"{r.increment_first}/{r.increment_next}",
            )
            for r in page.rows
        ]

    @guarded(Need.CONTACT, section=SECTION)
    def load(self):
        self.errors = {}
        self._first = svc.parse_month("", TZ)
        self.month = self._first.isoformat()[:7]
        self._fetch()
        self._rates()

    @guarded(Need.CONTACT, section=SECTION)
    def show_month(self, form_data: dict):
        try:
            first = svc.parse_month(str(form_data.get("month") or "")[:7], TZ)
        except ValidationError as exc:
            self.errors = exc.fields
            return None
        self.errors, self._first, self.month = {}, first, first.isoformat()[:7]
        try:
            self._fetch()
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        return None

    @guarded(Need.CONTACT, section=SECTION)
    def older(self, direction: str):
        if direction in (svc.SENT, svc.RECEIVED) and self._first is not None:
            cursor = self._cursors.get(direction)
            if cursor is not None:
                self._page(direction, cursor)

    @guarded(Need.CONTACT, section=SECTION)
    def newest(self, direction: str):
        if direction in (svc.SENT, svc.RECEIVED) and self._first is not None:
            self._page(direction)

    @guarded(Need.CONTACT, section=SECTION)
    def search_rates(self, form_data: dict):
        self._rates(str(form_data.get("rate_search") or "")[:80])

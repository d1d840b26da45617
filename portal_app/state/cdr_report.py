"""The CDR and Breakout reports, shared by the portal (a contact's own customer) and
the control panel (an operator's chosen customer).

The mixin holds the filters, one page of rows and the totals; the concrete states say
who may ask and which customer it is. Queries run in a thread, so a long range shows
a spinner here and never holds up other users. Only the visible page is in the state:
its size is what the browser receives.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import reflex as rx

from portal_app.services import cdr_breakout, cdrs, dates, money
from portal_app.services.db import read_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Actor, Area
from portal_app.services.portal_sections import BREAKOUT_COLUMNS, DEFAULT_BREAKOUT

PAGE = 50


def _fetch_page(
    actor: Actor,
    query: cdrs.CdrQuery,
    after,
    columns: list[str] | None,
    fmt: dates.DateFormatter,
):
    """A page of cells in the viewer's zone and the account's date format (``fmt``, known
    to the state since the page loaded: no read of the account per page). A first page
    (``columns`` None) reads the report's columns and currency in the same session."""
    with read_scope() as session:
        setup = None
        if columns is None:
            setup = cdrs.report_setup(session=session, actor=actor, customer_id=query.customer_id)
            columns = setup.cdr_columns
        rows, nxt = cdrs.cdr_page(
            session=session, actor=actor, query=query, after=after, limit=PAGE
        )
        totals = (
            cdrs.cdr_totals(session=session, actor=actor, query=query) if after is None else None
        )
    cols = cdrs.columns_for(columns, actor)
    return cdrs.page_cells(rows, cols, fmt, actor), nxt, totals, cols, setup


def _fetch_breakout(actor: Actor, query: cdrs.CdrQuery, by: str):
    with read_scope() as session:
        return cdr_breakout.breakout(session=session, actor=actor, query=query, by=by)


def _domain_columns(
    actor: Actor, customer_id: int, areas: tuple[Area, ...] = (Area.CDR,)
) -> tuple[list[str], list[str], str]:
    with read_scope() as session:
        setup = cdrs.report_setup(
            session=session, actor=actor, customer_id=customer_id, areas=areas
        )
    return setup.cdr_columns, setup.breakout_columns, setup.currency


class CdrReportMixin(rx.State, mixin=True):
    tz: str = "UTC"
    date_format: str = dates.DEFAULT_FORMAT  # the account's: the From/To fields use it
    first: str = ""
    last: str = ""
    search: str = ""
    status: str = ""
    direction: str = ""
    errors: dict[str, str] = {}
    loading: bool = False
    headers: list[str] = []
    rows: list[list[str]] = []
    page_no: int = 0
    has_next: bool = False
    calls: str = ""
    minutes: str = ""
    cost: str = ""
    asr: str = ""
    acd: str = ""
    # Breakout
    by: str = "destination"
    breakout_headers: list[str] = []
    breakout_rows: list[list[str]] = []
    chart: list[dict] = []  # name, value: the costliest destinations
    currency: str = "USD"  # the customer's: every call and total of a report is in it
    _cursors: list = []  # keyset cursor at the start of each page seen
    _next: tuple | None = None
    _columns: list[str] = []
    _breakout_columns: list[str] = []
    _days: int = 1
    _mode: str = "cdr"  # or "breakout": what set_tz loads next
    csv_url: str = ""

    # Provided by the concrete state: who asks, for which customer.
    def _who(self) -> tuple[Actor, int]:
        raise NotImplementedError

    def _query(self, customer_id: int) -> cdrs.CdrQuery:
        first, last = cdrs.parse_days(self.first, self.last, self.tz, fmt=self._dates())
        start, end = cdrs.day_range(first, last, self.tz)
        return cdrs.CdrQuery(
            customer_id=customer_id,
            start=start,
            end=end,
            search=self.search,
            status=self.status,
            direction=self.direction,
        )

    def _start(self, default_days: int = 1):
        """Reset to the viewer's today (or last days) once the browser told its zone."""
        self.errors, self.rows, self.breakout_rows, self.chart = {}, [], [], []
        self.first = self.last = ""
        self._days = default_days
        return rx.call_script(
            "Intl.DateTimeFormat().resolvedOptions().timeZone", callback=type(self).set_tz
        )

    def _dates(self) -> dates.DateFormatter:
        return dates.DateFormatter(self.date_format, dates.zone(self.tz))

    def _set_tz(self, tz: str, days: int) -> None:
        self.tz = cdrs.zone(str(tz)[:64]).key
        with read_scope() as session:
            self.date_format = dates.account_date_format(session=session)
        today, fmt = cdrs.today(self.tz), self._dates()
        self.first = fmt.date(today - timedelta(days=days - 1))
        self.last = fmt.date(today)

    def _read_filters(self, form: dict) -> None:
        self.first = str(form.get("first") or "")[:10]
        self.last = str(form.get("last") or "")[:10]
        self.search = str(form.get("search") or "")[:40]
        status = str(form.get("status") or "all")
        self.status = "" if status == "all" else status[:16]
        direction = str(form.get("direction") or "all")
        self.direction = "" if direction == "all" else direction[:16]

    def _load_page(self, after):
        actor, customer_id = self._who()
        try:
            query = self._query(customer_id)
        except ValidationError as exc:
            self._refuse(exc)
            return
        self.errors, self.loading = {}, True
        yield
        try:
            # A report's first page reads its columns; later pages keep them.
            columns = None if after is None else self._columns
            rows, nxt, totals, cols, setup = _fetch_page(
                actor, query, after, columns, self._dates()
            )
            if setup is not None:
                self._columns, self.currency = setup.cdr_columns, setup.currency
        except ServiceError as exc:
            self.loading = False
            yield rx.toast.error(exc.message)
            return
        self.loading = False
        self.rows, self._next, self.has_next = rows, nxt, nxt is not None
        self.csv_url = "/api/export/cdr.csv?" + urlencode(self._csv_params() | self._extra_params())
        self.headers = [cdrs.column_label(c, self.tz) for c in cols]
        if totals is not None:
            self.calls = f"{totals.calls:,}"
            self.minutes = f"{totals.billed_seconds / 60:,.1f}"
            self.cost = self._total(totals.cost)
            self.asr = f"{totals.asr:.1f} %"
            self.acd = cdrs.duration(round(totals.acd))

    def _refuse(self, exc: ValidationError) -> None:
        """A refused range shows its error and no figures: the last range's totals, rows
        and CSV link would read as this range's."""
        self.errors = exc.fields
        self.rows, self.breakout_rows, self.chart = [], [], []
        self.calls = self.minutes = self.cost = self.asr = self.acd = ""
        self.csv_url, self.has_next, self._next = "", False, None

    def _first_page(self):
        self._cursors, self.page_no = [None], 0
        yield from self._load_page(None)

    def _older(self):
        if self._next is None:
            return
        self._cursors = [*self._cursors, self._next]
        self.page_no += 1
        yield from self._load_page(self._next)

    def _newer(self):
        if self.page_no == 0:
            return
        self._cursors = self._cursors[:-1]
        self.page_no -= 1
        yield from self._load_page(self._cursors[-1])

    def _load_breakout(self):
        actor, customer_id = self._who()
        try:
            query = self._query(customer_id)
        except ValidationError as exc:
            self._refuse(exc)
            return
        self.errors, self.loading = {}, True
        yield
        try:
            _, self._breakout_columns, self.currency = _domain_columns(
                actor, customer_id, cdrs.REPORT_AREAS
            )
            rows = _fetch_breakout(actor, query, self.by)
        except ServiceError as exc:
            self.loading = False
            yield rx.toast.error(exc.message)
            return
        self.loading = False
        cols = [c for c in self._breakout_columns if c in BREAKOUT_COLUMNS] or DEFAULT_BREAKOUT
        if self.by == "prefix" and "prefix" not in cols:
            cols = ["prefix", *cols]
        self.breakout_headers = [BREAKOUT_COLUMNS[c] for c in cols]
        self.breakout_rows = [[self._breakout_cell(r, c) for c in cols] for r in rows]
        self.chart = [
            {
                "name": (r.prefix if self.by == "prefix" else r.key)[:24],
                "value": money.chart_number(
                    money.micros_to_minor(r.cost, self.currency), self.currency
                ),
            }
            for r in rows[:12]
        ]

    def _breakout_cell(self, r: cdr_breakout.BreakoutRow, key: str) -> str:
        return {
            "destination": r.key if self.by != "prefix" else r.key,
            "prefix": r.prefix,
            "calls": f"{r.calls:,}",
            "connected": f"{r.connected:,}",
            "minutes": f"{r.billed_seconds / 60:,.1f}",
            "asr": f"{r.asr:.1f} %",
            "acd": cdrs.duration(round(r.acd)),
            "pdd": f"{r.pdd_ms / 1000:.2f} s",
            "rate": money.format_micros(r.rate, self.currency),
            "cost": self._total(r.cost),
        }[key]

    def _total(self, micros: int) -> str:
        """A sum of call costs, in whole minor units of the currency ($12.35, ¥1,235)."""
        return money.format_minor(money.micros_to_minor(micros, self.currency), self.currency)

    def _csv_params(self) -> dict:
        fmt = self._dates()  # the link carries ISO dates; only shown after a good range
        return {
            "first": fmt.parse(self.first).isoformat(),
            "last": fmt.parse(self.last).isoformat(),
            "tz": self.tz,
            "search": self.search,
            "status": self.status,
            "direction": self.direction,
        }

    def _extra_params(self) -> dict:
        return {}

    @rx.var
    def range_label(self) -> str:
        if not self.first:
            return ""
        return (
            f"{self.first} – {self.last} ({self.tz})"
            if self.first != self.last
            else f"{self.first} ({self.tz})"
        )

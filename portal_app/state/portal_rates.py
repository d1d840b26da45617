"""The portal's Rate Card section: the prices in force on the customer's routes."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import dates
from portal_app.services import rates as svc
from portal_app.services.db import session_scope
from portal_app.services.money import format_micros

from .base import AppState
from .guard import Need, guarded, portal
from .paging import has_next, page_label, step_page

PAGE = 50


@dataclasses.dataclass
class RateRow:
    prefix: str
    destination: str
    rate: str
    fee: str
    increments: str
    since: str


class PortalRatesState(AppState):
    search: str = ""
    rows: list[RateRow] = []
    total: int = 0
    page: int = 0

    def _fetch(self) -> None:
        ctx = portal()
        with session_scope() as session:
            result = svc.customer_rates(
                session=session,
                actor=ctx.actor,
                customer_id=ctx.customer.id,
                search=self.search,
                offset=self.page * PAGE,
                limit=PAGE,
            )
            fmt = dates.formatter(session=session)
        self.total = result.total
        self.rows = [
            RateRow(
                prefix=r.prefix,
                destination=r.destination,
                rate=format_micros(r.rate, result.currency),
                fee=format_micros(r.connection_fee, result.currency),
                increments=f"{r.increment_first}/{r.increment_next}",
                since=fmt.date(r.effective_from),
            )
            for r in result.rows
        ]

    @guarded(Need.CONTACT, section="rate_card")
    def load(self):
        self.search, self.page = "", 0
        self._fetch()

    @guarded(Need.CONTACT, section="rate_card")
    def apply(self, form_data: dict):
        self.search, self.page = str(form_data.get("search") or "")[:80], 0
        self._fetch()

    @guarded(Need.CONTACT, section="rate_card")
    def go_page(self, delta: int):
        self.page = step_page(self.page, self.total, PAGE, delta)
        self._fetch()

    @guarded(Need.CONTACT, section="rate_card")
    def download_csv(self):
        ctx = portal()
        with session_scope() as session:
            data = svc.customer_rates_csv(
                session=session, actor=ctx.actor, customer_id=ctx.customer.id
            )
        return rx.download(data=data, filename="rates.csv")

    @rx.var
    def page_label(self) -> str:
        return page_label(self.page, self.total, PAGE, "")

    @rx.var
    def has_next(self) -> bool:
        return has_next(self.page, self.total, PAGE)

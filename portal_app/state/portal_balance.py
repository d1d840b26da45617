"""The portal's Balance section: the contact's own customer's money, nobody else's."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import dates
from portal_app.services import ledger as svc
from portal_app.services.db import session_scope
from portal_app.services.money import format_minor
from portal_app.services.runway import balance_runway

from .base import AppState
from .guard import Need, guarded, portal
from .paging import has_next, page_label, step_page

PAGE_SIZE = 20
# The Balance section, and the Carrier Portal, which shows the same balance and statement.
SECTIONS = ("balance", "carrier_portal")


@dataclasses.dataclass
class StatementRow:
    at: str
    kind: str
    amount: str
    negative: bool
    reference: str


KIND_LABELS = {
    "payment": "Payment",
    "credit": "Credit",
    "charge": "Charge",
    "correction": "Correction",
}


class PortalBalanceState(AppState):
    currency: str = ""
    balance: str = ""
    credit_limit: str = ""
    available: str = ""
    low: bool = False
    runway: str = ""  # "About 3 days at the last 7 days' spend ($4.10 a day)."
    rows: list[StatementRow] = []
    total: int = 0
    page: int = 0

    def _figures(self, session, ctx) -> None:
        customer = ctx.customer  # from the session, never from the browser
        runway = balance_runway(session=session, actor=ctx.actor, customer_id=customer.id)
        cur = customer.currency
        self.currency = cur
        self.balance = format_minor(runway.available - customer.credit_limit, cur)
        self.credit_limit = format_minor(customer.credit_limit, cur)
        self.available = format_minor(runway.available, cur)
        self.low = runway.available <= 0
        self.runway = runway.text

    def _fetch(self) -> None:
        ctx = portal()
        with session_scope() as session:
            self._figures(session, ctx)
            entries, self.total = svc.ledger_page(
                session=session,
                actor=ctx.actor,
                customer_id=ctx.customer.id,
                offset=self.page * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
            fmt = dates.formatter(session=session)
        self.rows = [
            StatementRow(
                at=fmt.datetime(e.created_at, with_zone=False),  # the header says UTC
                kind=KIND_LABELS.get(e.kind, e.kind),
                amount=format_minor(e.amount, e.currency),
                negative=e.amount < 0,
                reference=e.reference,
            )
            for e in entries
        ]

    @guarded(Need.CONTACT, section=SECTIONS)
    def load(self):
        self.page = 0
        self._fetch()

    @guarded(Need.CONTACT)
    def load_summary(self):
        """The overview's money line: only when the contact may see the Balance section."""
        ctx = portal()
        if "balance" in ctx.sections:
            with session_scope() as session:
                self._figures(session, ctx)

    @guarded(Need.CONTACT, section=SECTIONS)
    def go_page(self, delta: int):
        self.page = step_page(self.page, self.total, PAGE_SIZE, delta)
        self._fetch()

    @guarded(Need.CONTACT, section=SECTIONS)
    def download_csv(self):
        ctx = portal()
        with session_scope() as session:
            data = svc.ledger_csv(session=session, actor=ctx.actor, customer_id=ctx.customer.id)
        return rx.download(data=data, filename="statement.csv")

    @rx.var
    def page_label(self) -> str:
        return page_label(self.page, self.total, PAGE_SIZE, "")

    @rx.var
    def has_next(self) -> bool:
        return has_next(self.page, self.total, PAGE_SIZE)

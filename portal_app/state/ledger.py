"""A customer's balance and ledger (the Balance tab of the customer dialog)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import dates
from portal_app.services import ledger as svc
from portal_app.services.customers import customer_get
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Area
from portal_app.services.money import format_minor
from portal_app.services.payment_admin import payment_list
from portal_app.services.runway import balance_runway

from .base import AppState
from .guard import Need, actor, guarded
from .paging import step_page

PAGE_SIZE = 10
PAYMENTS_SHOWN = 5  # Management › Payments has them all


@dataclasses.dataclass
class EntryRow:
    id: int
    at: str
    kind: str
    amount: str
    negative: bool
    reference: str
    note: str
    who: str


@dataclasses.dataclass
class CustomerPaymentRow:
    date: str
    gateway: str
    amount: str
    status: str
    reference: str
    problem: str


class LedgerState(AppState):
    customer_id: int = 0
    currency: str = ""
    balance: str = ""
    credit_limit: str = ""
    available: str = ""
    runway: str = ""
    payments: list[CustomerPaymentRow] = []  # the latest, for the Payment area only
    rows: list[EntryRow] = []
    total: int = 0
    page: int = 0
    can_pay: bool = False
    errors: dict[str, str] = {}
    form_key: int = 0
    correcting: int = 0  # the entry a correction reverses, or 0

    def _fetch(self) -> None:
        with session_scope() as session:
            customer = customer_get(session=session, actor=actor(), customer_id=self.customer_id)
            self._summary(session, customer)
            rows, self.total = svc.ledger_page(
                session=session,
                actor=actor(),
                customer_id=customer.id,
                offset=self.page * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
            fmt = dates.formatter(session=session)
        self.rows = [
            EntryRow(
                id=e.id,
                at=fmt.datetime(e.created_at, with_zone=False),  # the header says UTC
                kind=e.kind,
                amount=format_minor(e.amount, e.currency),
                negative=e.amount < 0,
                reference=e.reference,
                note=e.note,
                who=e.actor_label,
            )
            for e in rows
        ]

    def _summary(self, session, customer) -> None:
        runway = balance_runway(session=session, actor=actor(), customer_id=customer.id)
        cur = customer.currency
        self.currency = cur
        self.balance = format_minor(runway.available - customer.credit_limit, cur)
        self.credit_limit = format_minor(customer.credit_limit, cur)
        self.available = format_minor(runway.available, cur)
        self.runway = runway.text
        self.can_pay = actor().can(Area.PAYMENT)
        self.payments = []
        if self.can_pay:
            rows, _ = payment_list(
                session=session, actor=actor(), customer_id=customer.id, limit=PAYMENTS_SHOWN
            )
            self.payments = [
                CustomerPaymentRow(
                    date=r["date"],
                    gateway=r["gateway"],
                    amount=r["amount"],
                    status=r["status"],
                    reference=r["reference"],
                    problem=r["problem"],
                )
                for r in rows
            ]

    @guarded(Need.AREA, Area.CUSTOMER)
    def open_ledger(self, customer_id: int):
        if customer_id <= 0:  # a new customer has no ledger yet
            self.customer_id, self.rows, self.total = 0, [], 0
            return
        self.customer_id, self.page, self.errors = customer_id, 0, {}
        try:
            self._fetch()
        except ServiceError as exc:
            self.customer_id = 0
            return rx.toast.error(exc.message)

    @guarded(Need.AREA, Area.CUSTOMER)
    def go_page(self, delta: int):
        self.page = step_page(self.page, self.total, PAGE_SIZE, delta)
        self._fetch()

    @guarded(Need.AREA, Area.PAYMENT)
    def add_entry(self, form_data: dict):
        if not self.customer_id:
            return
        try:
            with session_scope() as session:
                recorded = svc.ledger_record(
                    session=session,
                    actor=actor(),
                    customer_id=self.customer_id,
                    kind=str(form_data.get("kind", ""))[:20],
                    amount=str(form_data.get("amount", ""))[:40],
                    note=str(form_data.get("note", ""))[:600],
                    reference=str(form_data.get("reference", ""))[:200],
                    corrects_id=self.correcting or None,
                )
                text = format_minor(recorded.entry.amount, recorded.entry.currency)
        except ValidationError as exc:
            self.errors = exc.fields
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.errors, self.page, self.correcting = {}, 0, 0
        self.form_key += 1
        self._fetch()
        events = [rx.toast.success(f"Recorded {text}. Balance is now {self.balance}.")]
        if recorded.alerted:
            to = ", ".join(recorded.alerted)
            events.append(rx.toast.info(f"Low-balance alert queued for {to}.", duration=8000))
        return events

    @guarded(Need.AREA, Area.PAYMENT)
    def start_correction(self, entry_id: int):
        """Entries are never edited: a correction is a new entry that reverses one."""
        if any(r.id == entry_id for r in self.rows):
            self.correcting, self.errors = entry_id, {}
            self.form_key += 1

    @guarded(Need.AREA, Area.PAYMENT)
    def cancel_correction(self):
        self.correcting, self.errors = 0, {}
        self.form_key += 1

    @guarded(Need.AREA, Area.CUSTOMER)
    def download_csv(self):
        if not self.customer_id:
            return
        with session_scope() as session:
            data = svc.ledger_csv(session=session, actor=actor(), customer_id=self.customer_id)
        return rx.download(data=data, filename=f"ledger-customer-{self.customer_id}.csv")

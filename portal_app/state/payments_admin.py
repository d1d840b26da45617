"""Management › Payments: every customer's payments, filtered, refused provider events,
and recording a refund (Payment area only)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import reflex as rx

from portal_app.services import payment_admin as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError
from portal_app.services.identity import Area
from portal_app.services.validation import parse_id

from .base import AppState
from .guard import Need, actor, guarded
from .paging import has_next, page_label, step_page

PAGE_SIZE = 25
STATUSES = ["", "pending", "succeeded", "failed", "canceled", "refunded"]
PERIODS = {"any": None, "1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}


def _since(period: str) -> datetime | None:
    span = PERIODS.get(period)
    return datetime.now(UTC) - span if span else None


@dataclasses.dataclass
class AttemptRow:
    id: int
    date: str
    customer: str
    gateway: str
    amount: str
    surcharge: str
    status: str
    reference: str
    problem: str


@dataclasses.dataclass
class EventRow:
    date: str
    provider: str
    event: str
    attempt: str
    message: str


class PaymentsState(AppState):
    rows: list[AttemptRow] = []
    events: list[EventRow] = []
    status: str = ""
    problems_only: bool = False
    customer_name: str = ""
    period: str = "any"
    total: int = 0
    page: int = 0
    refund_id: int = 0
    refund_label: str = ""

    def _fetch(self) -> None:
        with session_scope() as session:
            rows, self.total = svc.payment_list(
                session=session,
                actor=actor(),
                status=self.status,
                customer_name=self.customer_name,
                since=_since(self.period),
                problems_only=self.problems_only,
                offset=self.page * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
            events = svc.payment_event_list(session=session, actor=actor())
        self.rows = [
            AttemptRow(
                id=r["id"],
                date=r["date"],
                customer=r["customer"],
                gateway=r["gateway"],
                amount=r["amount"],
                surcharge=r["surcharge"],
                status=r["status"],
                reference=r["reference"],
                problem=r["problem"],
            )
            for r in rows
        ]
        self.events = [EventRow(**e) for e in events]

    @guarded(Need.AREA, Area.PAYMENT)
    def load(self):
        self.page, self.refund_id = 0, 0
        self._fetch()

    @guarded(Need.AREA, Area.PAYMENT)
    def set_status(self, status: str):
        self.status = status if status in STATUSES else ""  # "all" is every status
        self.page = 0
        self._fetch()

    @guarded(Need.AREA, Area.PAYMENT)
    def set_customer_name(self, text: str):
        self.customer_name, self.page = str(text)[:120], 0
        self._fetch()

    @guarded(Need.AREA, Area.PAYMENT)
    def set_period(self, period: str):
        self.period = period if period in PERIODS else "any"
        self.page = 0
        self._fetch()

    @guarded(Need.AREA, Area.PAYMENT)
    def set_problems_only(self, value: bool):
        self.problems_only, self.page = bool(value), 0
        self._fetch()

    @guarded(Need.AREA, Area.PAYMENT)
    def go_page(self, delta: int):
        self.page = step_page(self.page, self.total, PAGE_SIZE, delta)
        self._fetch()

    @guarded(Need.AREA, Area.PAYMENT)
    def ask_refund(self, attempt_id: str):
        row = next((r for r in self.rows if r.id == parse_id(attempt_id)), None)
        if row is not None and row.status == "succeeded":
            self.refund_id, self.refund_label = row.id, f"{row.amount} from {row.customer}"

    @guarded(Need.AREA, Area.PAYMENT)
    def close(self):
        self.refund_id = 0

    @guarded(Need.AREA, Area.PAYMENT)
    def refund(self, form_data: dict):
        attempt_id, self.refund_id = self.refund_id, 0
        if not attempt_id or not isinstance(form_data, dict):
            return
        note = str(form_data.get("note", ""))[:400]
        try:
            with session_scope() as session:
                svc.payment_refund(session=session, actor=actor(), attempt_id=attempt_id, note=note)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._fetch()
        return rx.toast.success("Refund recorded: the credit is reversed.")

    @rx.var
    def page_label(self) -> str:
        return page_label(self.page, self.total, PAGE_SIZE, "")

    @rx.var
    def has_next(self) -> bool:
        return has_next(self.page, self.total, PAGE_SIZE)

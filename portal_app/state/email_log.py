"""Setup › Email Log: every queued email's fate, a resend button, and (development only)
the built-in mailbox with whole messages. The log itself never carries a body."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import dates
from portal_app.services import email_log as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError
from portal_app.services.identity import Area
from portal_app.services.outbox import mailbox_enabled

from .base import AppState
from .guard import Need, actor, guarded
from .paging import has_next, page_label, step_page

PAGE_SIZE = 25


@dataclasses.dataclass
class EmailRow:
    id: int
    at: str
    recipient: str
    subject: str
    brand: str
    status: str  # sent, in mailbox, queued, sending, failed, dead
    attempts: int
    last_error: str
    can_resend: bool


def _row(e: svc.LogEntry, fmt: dates.DateFormatter) -> EmailRow:
    return EmailRow(
        id=e.id,
        at=fmt.datetime(e.at, seconds=True, with_zone=False),  # the header says UTC
        recipient=e.to,
        subject=e.subject,
        brand=e.brand,
        status="in mailbox" if e.in_mailbox else e.status,
        attempts=e.attempts,
        last_error=e.last_error,
        can_resend=e.status not in ("queued", "sending"),
    )


class EmailLogState(AppState):
    tab: str = "log"  # or "mailbox"
    rows: list[EmailRow] = []
    total: int = 0
    page: int = 0
    status: str = ""
    search: str = ""
    has_mailbox: bool = False
    open_id: int = 0  # the mailbox message shown in full
    open_subject: str = ""
    open_to: str = ""
    open_text: str = ""
    open_links: list[str] = []

    def _fetch(self) -> None:
        with session_scope() as session:
            result = svc.outbox_list(
                session=session,
                actor=actor(),
                status=self.status if self.tab == "log" else "",
                search=self.search,
                offset=self.page * PAGE_SIZE,
                limit=PAGE_SIZE,
                mailbox=self.tab == "mailbox",
            )
            fmt = dates.formatter(session=session)
        self.total, self.rows = result.total, [_row(e, fmt) for e in result.rows]

    def _close(self) -> None:
        self.open_id, self.open_subject, self.open_to = 0, "", ""
        self.open_text, self.open_links = "", []

    @guarded(Need.AREA, Area.SETUP)
    def load(self):
        self.has_mailbox = mailbox_enabled()
        self.tab, self.page, self.status, self.search = "log", 0, "", ""
        self._close()
        self._fetch()

    @guarded(Need.AREA, Area.SETUP)
    def show_tab(self, tab: str):
        self.tab = "mailbox" if tab == "mailbox" and mailbox_enabled() else "log"
        self.page = 0
        self._close()
        self._fetch()

    @guarded(Need.AREA, Area.SETUP)
    def apply_filter(self, form_data: dict):
        status = str(form_data.get("status", ""))
        self.status = status if status in svc.STATUSES else ""
        self.search = str(form_data.get("search", ""))[:100]
        self.page = 0
        self._fetch()

    @guarded(Need.AREA, Area.SETUP)
    def go_page(self, delta: int):
        self.page = step_page(self.page, self.total, PAGE_SIZE, delta)
        self._fetch()

    @guarded(Need.AREA, Area.SETUP)
    def refresh(self):
        self._fetch()

    @guarded(Need.AREA, Area.SETUP)
    def resend(self, message_id: int):
        try:
            with session_scope() as session:
                entry = svc.outbox_resend(session=session, actor=actor(), message_id=message_id)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._fetch()
        return rx.toast.success(f"The email to {entry.to} is queued again.")

    @guarded(Need.AREA, Area.SETUP)
    def open_message(self, message_id: int):
        try:
            with session_scope() as session:
                message = svc.mailbox_get(session=session, actor=actor(), message_id=message_id)
        except ServiceError as exc:
            self._close()
            return rx.toast.error(exc.message)
        entry = message.entry
        self.open_id, self.open_subject, self.open_to = entry.id, entry.subject, entry.to
        self.open_text, self.open_links = message.text, message.links

    @guarded(Need.AREA, Area.SETUP)
    def close_message(self):
        self._close()

    @rx.var
    def page_label(self) -> str:
        return page_label(self.page, self.total, PAGE_SIZE, "No emails")

    @rx.var
    def has_next(self) -> bool:
        return has_next(self.page, self.total, PAGE_SIZE)

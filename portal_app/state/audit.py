"""The audit log browser (Log area): readable changes, filters and a CSV download."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import reflex as rx

from portal_app.services import dates
from portal_app.services.audit import audit_filter_choices, audit_list
from portal_app.services.audit_view import AuditView, audit_csv_text, audit_views
from portal_app.services.db import session_scope
from portal_app.services.identity import Area

from .base import AppState
from .guard import Need, actor, guarded
from .paging import has_next, page_label, step_page

PAGE_SIZE = 25
CSV_ROWS = 50_000  # a download holds at most this many of the newest matching rows
ANY = "any"


@dataclasses.dataclass
class AuditRow:
    id: int
    at: str
    who: str
    action: str
    item: str
    changes: list[dict[str, str]]  # label, before, after, kind ("new", "gone", "changed")


def audit_row(v: AuditView) -> AuditRow:
    return AuditRow(
        id=v.id,
        at=v.at,
        who=v.who,
        action=v.action,
        item=v.item,
        changes=[
            {
                "label": c.label,
                "before": c.before or "",
                "after": c.after or "",
                "kind": "new" if c.before is None else "gone" if c.after is None else "changed",
            }
            for c in v.changes
        ],
    )


def _day(text: str, fmt: str = dates.DEFAULT_FORMAT) -> date | None:
    try:
        return dates.DateFormatter(fmt).parse(text) if text else None
    except ValueError:
        return None


class AuditState(AppState):
    rows: list[AuditRow] = []
    total: int = 0
    page: int = 0
    search: str = ""
    first: str = ""  # UTC dates in the account's format, as the table shows times in UTC
    last: str = ""
    date_format: str = dates.DEFAULT_FORMAT
    who: str = ANY
    action: str = ANY
    people: list[str] = []
    actions: list[str] = []
    errors: dict[str, str] = {}

    def _filters(self) -> dict:
        first, last = _day(self.first, self.date_format), _day(self.last, self.date_format)
        return {
            "search": self.search,
            "since": datetime.combine(first, datetime.min.time(), UTC) if first else None,
            "until": datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
            if last
            else None,
            "who": "" if self.who == ANY else self.who,
            "action": "" if self.action == ANY else self.action,
        }

    def _fetch(self) -> None:
        with session_scope() as session:
            result = audit_list(
                session=session,
                actor=actor(),
                offset=self.page * PAGE_SIZE,
                limit=PAGE_SIZE,
                **self._filters(),
            )
            views = audit_views(session=session, events=result.rows)
        self.total = result.total
        self.rows = [audit_row(v) for v in views]

    @guarded(Need.AREA, Area.LOG)
    def load(self):
        self.page, self.search, self.first, self.last, self.errors = 0, "", "", "", {}
        self.who = self.action = ANY
        with session_scope() as session:
            self.people, self.actions = audit_filter_choices(session=session, actor=actor())
            self.date_format = dates.account_date_format(session=session)
        self._fetch()

    @guarded(Need.AREA, Area.LOG)
    def apply_filters(self, form_data: dict):
        first, last = (str(form_data.get(k) or "").strip()[:10] for k in ("first", "last"))
        fmt = self.date_format
        example = dates.DateFormatter(fmt).date(date(2026, 12, 1))
        errors = {
            k: f"Enter a date like {example}."
            for k, v in (("first", first), ("last", last))
            if v and _day(v, fmt) is None
        }
        if not errors and first and last and _day(first, fmt) > _day(last, fmt):
            errors["last"] = "The end is before the start."
        self.errors = errors
        if errors:
            self.rows, self.total = [], 0
            return
        self.search = str(form_data.get("search") or "")[:100]
        self.first, self.last = first, last
        who, action = str(form_data.get("who") or ANY), str(form_data.get("action") or ANY)
        self.who = who if who in self.people else ANY
        self.action = action if action in self.actions else ANY
        self.page = 0
        self._fetch()

    @guarded(Need.AREA, Area.LOG)
    def go_page(self, delta: int):
        self.page = step_page(self.page, self.total, PAGE_SIZE, delta)
        self._fetch()

    @guarded(Need.AREA, Area.LOG)
    def download_csv(self):
        """The rows the filters select (newest first, at most CSV_ROWS) as a CSV file."""
        if self.errors:
            return
        with session_scope() as session:
            result = audit_list(session=session, actor=actor(), limit=CSV_ROWS, **self._filters())
            data = audit_csv_text(audit_views(session=session, events=result.rows))
        return rx.download(data=data, filename="audit-log.csv")

    @rx.var
    def page_label(self) -> str:
        return page_label(self.page, self.total, PAGE_SIZE, "No entries")

    @rx.var
    def has_next(self) -> bool:
        return has_next(self.page, self.total, PAGE_SIZE)

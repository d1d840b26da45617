"""The audit log browser (Log area)."""

from __future__ import annotations

import dataclasses
import json

import reflex as rx

from portal_app.services.audit import audit_list
from portal_app.services.db import session_scope
from portal_app.services.identity import Area

from .base import AppState
from .guard import Need, actor, guarded

PAGE_SIZE = 25


@dataclasses.dataclass
class AuditRow:
    id: int
    at: str
    who: str
    action: str
    entity: str
    before: str
    after: str


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, default=str) if value else ""


class AuditState(AppState):
    rows: list[AuditRow] = []
    total: int = 0
    page: int = 0
    search: str = ""

    def _fetch(self) -> None:
        with session_scope() as session:
            result = audit_list(
                session=session,
                actor=actor(),
                search=self.search,
                offset=self.page * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
        self.total = result.total
        self.rows = [
            AuditRow(
                id=r.id,
                at=r.at.strftime("%Y-%m-%d %H:%M:%S"),
                who=r.actor_label,
                action=r.action,
                entity=f"{r.entity} {r.entity_id}".strip(),
                before=_json(r.before),
                after=_json(r.after),
            )
            for r in result.rows
        ]

    @guarded(Need.AREA, Area.LOG)
    def load(self):
        self.page, self.search = 0, ""
        self._fetch()

    @guarded(Need.AREA, Area.LOG)
    def apply_search(self, form_data: dict):
        self.search = str(form_data.get("search", ""))[:100] if isinstance(form_data, dict) else ""
        self.page = 0
        self._fetch()

    @guarded(Need.AREA, Area.LOG)
    def go_page(self, delta: int):
        try:
            step = max(-1, min(1, int(delta)))
        except (TypeError, ValueError):
            return
        last = max(0, (self.total - 1) // PAGE_SIZE)
        self.page = max(0, min(last, self.page + step))
        self._fetch()

    @rx.var
    def page_label(self) -> str:
        if not self.total:
            return "No entries"
        first = self.page * PAGE_SIZE + 1
        return f"{first}–{min(self.total, first + PAGE_SIZE - 1)} of {self.total}"

    @rx.var
    def has_next(self) -> bool:
        return (self.page + 1) * PAGE_SIZE < self.total

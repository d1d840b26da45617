"""The dashboard: a few figures and, for those allowed, the latest changes."""

from __future__ import annotations

import reflex as rx

from portal_app.models import Area
from portal_app.services.audit import audit_list
from portal_app.services.dashboard import dashboard_figures
from portal_app.services.db import session_scope

from .audit import AuditRow, _json
from .base import AppState
from .guard import Need, actor, guarded


def _top(who) -> list[dict]:
    from sqlmodel import Session

    from portal_app.services import money
    from portal_app.services.cdrs import top_customers
    from portal_app.services.db import get_engine

    with Session(get_engine()) as session:
        rows = top_customers(session=session, actor=who, days=7)
    return [
        {
            "name": r.name[:22],
            "calls": r.calls,
            "spend": money.chart_number(money.micros_to_minor(r.cost, r.currency), r.currency),
            "label": money.format_minor(money.micros_to_minor(r.cost, r.currency), r.currency),
        }
        for r in rows
    ]


class DashboardState(AppState):
    top: list[dict] = []  # name, calls, spend, label (recharts wants plain dicts)
    figures: dict[str, int] = {}
    recent: list[AuditRow] = []
    can_see_log: bool = False

    @guarded(Need.OPERATOR)
    def load(self):
        who = actor()
        with session_scope() as session:
            self.figures = vars(dashboard_figures(session=session, actor=who))
            self.can_see_log = who.can(Area.LOG)
            if self.can_see_log:
                rows = audit_list(session=session, actor=who, limit=8).rows
                self.recent = [
                    AuditRow(
                        id=r.id,
                        at=r.at.strftime("%Y-%m-%d %H:%M"),
                        who=r.actor_label,
                        action=r.action,
                        entity=f"{r.entity} {r.entity_id}".strip(),
                        before=_json(r.before),
                        after=_json(r.after),
                    )
                    for r in rows
                ]
            else:
                self.recent = []

    @guarded(Need.OPERATOR)
    def load_top(self):
        """Top customers by spend over 7 days, for operators who may read CDRs."""
        who = actor()
        self.top = _top(who) if who.can(Area.CDR) else []

    @rx.var
    def has_recent(self) -> bool:
        return len(self.recent) > 0

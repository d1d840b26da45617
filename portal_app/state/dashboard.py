"""The dashboard: a few figures and, for those allowed, the latest changes."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import money
from portal_app.services.audit import audit_list
from portal_app.services.dashboard import dashboard_figures, top_customers
from portal_app.services.db import session_scope
from portal_app.services.email_log import mail_warnings
from portal_app.services.identity import Area

from .audit import AuditRow, _json
from .base import AppState
from .guard import Need, actor, guarded


@dataclasses.dataclass
class SpendGroup:
    """One currency's top customers: a chart and a table of their own."""

    currency: str
    axis: str  # "Spend (USD)": every axis names its currency
    total: str  # all of this currency's spend, formatted
    calls: str
    rows: list[dict]  # name, calls, spend (a number for the chart), label (recharts: dicts)


def _row(r, currency: str) -> dict:
    minor = money.micros_to_minor(r.cost, currency)
    return {
        "name": r.name[:22],
        "calls": r.calls,
        "spend": money.chart_number(minor, currency),
        "label": money.format_minor(minor, currency),
    }


def _top(who) -> list[SpendGroup]:
    with session_scope() as session:
        groups = top_customers(session=session, actor=who, days=7)
    return [
        SpendGroup(
            currency=g.currency,
            axis=f"Spend ({g.currency})",
            total=money.format_minor(money.micros_to_minor(g.cost, g.currency), g.currency),
            calls=f"{g.calls:,}",
            rows=[_row(r, g.currency) for r in g.top],
        )
        for g in groups
    ]


class DashboardState(AppState):
    top: list[SpendGroup] = []  # one per currency, busiest first
    figures: dict[str, int] = {}
    recent: list[AuditRow] = []
    can_see_log: bool = False
    mail_warnings: list[dict[str, str]] = []  # level ("info" or "warning") and text

    @guarded(Need.OPERATOR)
    def load(self):
        who = actor()
        with session_scope() as session:
            self.figures = vars(dashboard_figures(session=session, actor=who))
            self.mail_warnings = [
                {"level": level, "text": text}
                for level, text in mail_warnings(session=session, actor=who)
            ]
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
        """Top customers by spend over 7 days, per currency, for operators who may read CDRs."""
        who = actor()
        self.top = _top(who) if who.can(Area.CDR) else []

    @rx.var
    def has_recent(self) -> bool:
        return len(self.recent) > 0

"""The dashboard: today's traffic, customers near their credit limit, the top customers
per currency, the team's figures and, for those allowed, the latest changes."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import money
from portal_app.services.audit import audit_list
from portal_app.services.audit_view import audit_views
from portal_app.services.cdrs import duration
from portal_app.services.dashboard import (
    customers_near_limit,
    dashboard_figures,
    top_customers,
    traffic_since,
)
from portal_app.services.db import session_scope
from portal_app.services.email_log import mail_warnings
from portal_app.services.identity import Area
from portal_app.services.payment_admin import payments_waiting

from .audit import AuditRow, audit_row
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


def _traffic(who) -> dict[str, str]:
    with session_scope() as session:
        t = traffic_since(session=session, actor=who)
    return {
        "calls": f"{t.calls:,}",
        "minutes": f"{t.billed_seconds / 60:,.0f}",
        "asr": f"{t.asr:.1f} %" if t.calls else "—",
        "acd": duration(round(t.acd)) if t.answered else "—",
    }


def _near(who) -> list[dict[str, str]]:
    with session_scope() as session:
        rows = customers_near_limit(session=session, actor=who)
    return [
        {
            "name": r.name,
            "available": money.format_minor(r.available, r.currency),
            "limit": money.format_minor(r.credit_limit, r.currency),
            "over": "yes" if r.available < 0 else "",
        }
        for r in rows
    ]


class DashboardState(AppState):
    top: list[SpendGroup] = []  # one per currency, busiest first
    figures: dict[str, int] = {}
    traffic: dict[str, str] = {}  # today (UTC): calls, minutes, asr, acd
    near_limit: list[dict[str, str]] = []  # name, available, limit, over
    can_see_traffic: bool = False
    can_see_credit: bool = False
    recent: list[AuditRow] = []
    can_see_log: bool = False
    mail_warnings: list[dict[str, str]] = []  # level ("info" or "warning") and text
    payments_pending: int = 0  # for the Payment area only
    payments_refused: int = 0  # provider events refused in 24 h

    @guarded(Need.OPERATOR)
    def load(self):
        who = actor()
        with session_scope() as session:
            self.figures = vars(dashboard_figures(session=session, actor=who))
            self.mail_warnings = [
                {"level": level, "text": text}
                for level, text in mail_warnings(session=session, actor=who)
            ]
            self.payments_pending = self.payments_refused = 0
            if who.can(Area.PAYMENT):
                waiting = payments_waiting(session=session, actor=who)
                self.payments_pending, self.payments_refused = waiting
            self.can_see_log = who.can(Area.LOG)
            if self.can_see_log:
                rows = audit_list(session=session, actor=who, limit=8).rows
                self.recent = [audit_row(v) for v in audit_views(session=session, events=rows)]
            else:
                self.recent = []

    @guarded(Need.OPERATOR)
    def load_top(self):
        """Today's traffic and the top customers by spend over 7 days, per currency, for
        operators who may read CDRs; customers near their credit limit for those who may
        see customers or carriers."""
        who = actor()
        self.can_see_traffic = who.can(Area.CDR)
        self.top = _top(who) if self.can_see_traffic else []
        self.traffic = _traffic(who) if self.can_see_traffic else {}
        self.can_see_credit = who.can(Area.CUSTOMER) or who.can(Area.CARRIER)
        self.near_limit = _near(who) if self.can_see_credit else []

    @rx.var
    def has_recent(self) -> bool:
        return len(self.recent) > 0

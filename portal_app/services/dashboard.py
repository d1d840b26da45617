"""Figures for the dashboard, and its top customers by spend, one list per currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, func, select

from portal_app.models import (
    Area,
    AuditEvent,
    AuthSession,
    Cdr,
    Customer,
    OperatorGroup,
    OperatorUser,
)
from portal_app.models.base import utcnow

from .errors import PermissionDenied
from .identity import Actor
from .policy import hidden_kinds


@dataclass(frozen=True)
class DashboardFigures:
    users: int
    admins_without_2fa: int
    groups: int
    active_sessions: int
    changes_24h: int


def dashboard_figures(*, session: Session, actor: Actor) -> DashboardFigures:
    """Counts every operator may see: they reveal no names or settings."""
    now = utcnow()

    def count(query) -> int:
        return session.exec(query).one()

    return DashboardFigures(
        users=count(select(func.count()).select_from(OperatorUser)),
        admins_without_2fa=count(
            select(func.count())
            .select_from(OperatorUser)
            .where(
                OperatorUser.role == "admin",
                OperatorUser.enabled,
                OperatorUser.totp_enabled.is_(False),
            )
        ),
        groups=count(select(func.count()).select_from(OperatorGroup)),
        active_sessions=count(
            select(func.count())
            .select_from(AuthSession)
            .where(
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
                AuthSession.principal == "operator",
            )
        ),
        changes_24h=count(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.at >= now - timedelta(hours=24))
        ),
    )


@dataclass(frozen=True)
class TopCustomer:
    customer_id: int
    name: str
    calls: int
    cost: int  # micro-units of the list's currency


@dataclass(frozen=True)
class CurrencySpend:
    """One currency's spend: its customers are ranked against each other only."""

    currency: str
    calls: int  # every call in this currency in the window
    cost: int  # micro-units, every customer in this currency
    top: list[TopCustomer]


def top_customers(
    *, session: Session, actor: Actor, days: int = 7, limit: int = 10
) -> list[CurrencySpend]:
    """The customers with the most spend over the last days, per currency (operators with
    CDR). Dollars and euros are never added or ranked on one scale; the busiest currency
    (by calls, which do compare) comes first. Without the Carrier permission carriers
    are left out of the ranks and of the totals alike (services/policy.py)."""
    if actor.is_contact or not actor.can(Area.CDR):
        raise PermissionDenied()
    since = utcnow() - timedelta(days=days)
    spend = func.sum(Cdr.cost)
    window = [Cdr.call_start >= since]
    if hidden := hidden_kinds(actor):
        hidden_ids = select(Customer.id).where(Customer.kind.in_(hidden))
        window.append(Cdr.customer_id.not_in(hidden_ids))
    per_customer = (
        select(
            Cdr.currency.label("currency"),
            Cdr.customer_id.label("customer_id"),
            func.count().label("calls"),
            spend.label("cost"),
            func.row_number()
            .over(partition_by=Cdr.currency, order_by=(spend.desc(), Cdr.customer_id))
            .label("rank"),
            func.sum(func.count()).over(partition_by=Cdr.currency).label("currency_calls"),
            func.sum(spend).over(partition_by=Cdr.currency).label("currency_cost"),
        )
        .where(*window)
        .group_by(Cdr.currency, Cdr.customer_id)
        .subquery()
    )
    rows = session.exec(
        select(per_customer, Customer.name)
        .join(Customer, Customer.id == per_customer.c.customer_id)
        .where(per_customer.c.rank <= limit)
        .order_by(per_customer.c.currency, per_customer.c.rank)
    ).all()
    groups: dict[str, CurrencySpend] = {}
    for row in rows:
        group = groups.setdefault(
            row.currency,
            CurrencySpend(row.currency, int(row.currency_calls), int(row.currency_cost or 0), []),
        )
        group.top.append(TopCustomer(row.customer_id, row.name, row.calls, int(row.cost or 0)))
    return sorted(groups.values(), key=lambda g: (-g.calls, g.currency))

"""Figures for the dashboard: the operator's own counts, today's traffic (calls, minutes,
ASR, ACD), customers near their credit limit and the top customers by spend, one list per
currency (amounts of different currencies are never added or ranked together). Traffic
and spend come from the call rollups, never from the CDRs themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, func, select

from portal_app.models import (
    AccountRollup,
    Area,
    AuditEvent,
    AuthSession,
    CallRollupDay,
    Customer,
    LedgerEntry,
    OperatorGroup,
    OperatorUser,
)
from portal_app.models.base import utcnow

from .call_rollups import quarter
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
    """The customers with the most spend over the last ``days`` UTC days (today so far
    and the days before), per currency (operators with CDR). Dollars and euros are never
    added or ranked on one scale; the busiest currency (by calls, which do compare)
    comes first. Without the Carrier permission carriers are left out of the ranks and
    of the totals alike (services/policy.py). Reads the per-day rollups, never the CDRs:
    one row per customer and day (services/call_rollups.py)."""
    if actor.is_contact or not actor.can(Area.CDR):
        raise PermissionDenied()
    first_day = utcnow().date() - timedelta(days=days - 1)
    day = CallRollupDay
    spend = func.sum(day.cost)
    window = [day.day >= first_day]
    if hidden := hidden_kinds(actor):
        hidden_ids = select(Customer.id).where(Customer.kind.in_(hidden))
        window.append(day.customer_id.not_in(hidden_ids))
    per_customer = (
        select(
            day.currency.label("currency"),
            day.customer_id.label("customer_id"),
            func.sum(day.calls).label("calls"),
            spend.label("cost"),
            func.row_number()
            .over(partition_by=day.currency, order_by=(spend.desc(), day.customer_id))
            .label("rank"),
            func.sum(func.sum(day.calls)).over(partition_by=day.currency).label("currency_calls"),
            func.sum(spend).over(partition_by=day.currency).label("currency_cost"),
        )
        .where(*window)
        .group_by(day.currency, day.customer_id)
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
        group.top.append(TopCustomer(row.customer_id, row.name, int(row.calls), int(row.cost or 0)))
    return sorted(groups.values(), key=lambda g: (-g.calls, g.currency))


@dataclass(frozen=True)
class Traffic:
    """Every customer's calls since a moment (the dashboard: UTC midnight)."""

    calls: int
    answered: int
    seconds: int
    billed_seconds: int

    @property
    def asr(self) -> float:
        """Answer-seizure ratio, in percent."""
        return 100.0 * self.answered / self.calls if self.calls else 0.0

    @property
    def acd(self) -> float:
        """Average duration of answered calls, in seconds."""
        return self.seconds / self.answered if self.answered else 0.0


def traffic_since(*, session: Session, actor: Actor, since: datetime | None = None) -> Traffic:
    """Calls, answered calls and minutes of every customer since ``since`` (default:
    today's UTC midnight; otherwise from the start of its quarter hour), for operators
    who may read CDRs; carriers' only with the Carrier permission. Reads the account's
    quarter-hour rollups (services/call_rollups.py)."""
    if actor.is_contact or not actor.can(Area.CDR):
        raise PermissionDenied()
    if since is None:
        since = datetime.combine(utcnow().date(), datetime.min.time(), UTC)
    a = AccountRollup
    window = [a.bucket_start >= quarter(since)]
    if hidden := hidden_kinds(actor):
        window.append(a.kind.not_in(hidden))
    row = session.exec(
        select(
            *(
                func.coalesce(func.sum(c), 0)
                for c in (a.calls, a.answered, a.seconds, a.billed_seconds)
            )
        ).where(*window)
    ).one()
    return Traffic(*(int(v) for v in row))


@dataclass(frozen=True)
class NearLimit:
    customer_id: int
    name: str
    currency: str
    credit_limit: int  # minor units
    available: int  # balance + credit limit, minor units (negative: over the limit)


def customers_near_limit(
    *, session: Session, actor: Actor, share: float = 0.1, limit: int = 10
) -> list[NearLimit]:
    """Active customers with a credit limit whose available credit is at most ``share``
    of it (or gone), lowest first; only the kinds (customer, carrier) ``actor`` may see."""
    if actor.is_contact:
        raise PermissionDenied()
    kinds = [k for k, a in (("customer", Area.CUSTOMER), ("carrier", Area.CARRIER)) if actor.can(a)]
    if not kinds:
        raise PermissionDenied()
    balance = func.coalesce(func.sum(LedgerEntry.amount), 0)
    available = balance + Customer.credit_limit
    rows = session.exec(
        select(Customer.id, Customer.name, Customer.currency, Customer.credit_limit, available)
        .join(LedgerEntry, LedgerEntry.customer_id == Customer.id, isouter=True)
        .where(Customer.status == "active", Customer.credit_limit > 0, Customer.kind.in_(kinds))
        .group_by(Customer.id, Customer.name, Customer.currency, Customer.credit_limit)
        .having(available * 1.0 <= Customer.credit_limit * share)
        .order_by(available * 1.0 / Customer.credit_limit, Customer.id)
        .limit(limit)
    ).all()
    return [NearLimit(int(i), n, c, int(lim), int(a)) for i, n, c, lim, a in rows]

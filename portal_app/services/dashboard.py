"""Figures for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, func, select

from portal_app.models import AuditEvent, AuthSession, OperatorGroup, OperatorUser
from portal_app.models.base import utcnow

from .identity import Actor


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

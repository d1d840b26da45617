"""Server-side sessions: the browser holds a random token, we store its hash."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from portal_app.models import AuthSession, OperatorUser
from portal_app.models.base import utcnow

from .crypto import new_token, token_hash
from .security_settings import session_limits

# The cookie that carries the token: set by the app's state, read by plain HTTP routes.
SESSION_COOKIE = "cp_session"


def session_create(
    *,
    session: Session,
    user_id: int,
    principal: str = "operator",
    client_ip: str = "",
    user_agent: str = "",
) -> str:
    """Start a session and return the token, which is never stored in the clear."""
    token = new_token()
    now = utcnow()
    session.add(
        AuthSession(
            token_hash=token_hash(token),
            principal=principal,
            user_id=user_id,
            created_at=now,
            expires_at=now + timedelta(days=session_limits(session=session).days),
            client_ip=client_ip[:64],
            user_agent=user_agent[:255],
        )
    )
    return token


def session_row(*, session: Session, token: str, principal: str) -> AuthSession | None:
    """The live session of this kind (operator or contact) behind a token, or None."""
    if not token or len(token) > 128:
        return None
    row = session.exec(
        select(AuthSession).where(AuthSession.token_hash == token_hash(token))
    ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row if row.principal == principal else None


def session_user(*, session: Session, token: str) -> OperatorUser | None:
    """The enabled operator behind a live token, or None."""
    from .principals import operator_for_token

    who = operator_for_token(session, token)
    return session.get(OperatorUser, who.id) if who is not None else None


def session_revoke(*, session: Session, token: str) -> None:
    row = session.exec(
        select(AuthSession).where(AuthSession.token_hash == token_hash(token))
    ).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)


def sessions_revoke_for_user(
    *,
    session: Session,
    user_id: int,
    principal: str = "operator",
    keep_token: str | None = None,
) -> int:
    """End every live session of a user (password change, disable, delete)."""
    keep = token_hash(keep_token) if keep_token else None
    rows = session.exec(
        select(AuthSession).where(
            AuthSession.user_id == user_id,
            AuthSession.principal == principal,
            AuthSession.revoked_at.is_(None),
        )
    ).all()
    now = utcnow()
    count = 0
    for row in rows:
        if row.token_hash != keep:
            row.revoked_at = now
            session.add(row)
            count += 1
    return count

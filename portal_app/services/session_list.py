"""Your own sessions: where you are logged in, and signing out of them (operators and
contacts alike; an actor only ever sees and ends its own)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from portal_app.models import AuthSession
from portal_app.models.base import utcnow

from .crypto import token_hash
from .errors import NotFound, PermissionDenied
from .identity import Actor

_BROWSERS = [("Edge", r"Edg/"), ("Opera", r"OPR/"), ("Firefox", r"Firefox/")]
_BROWSERS += [("Chrome", r"Chrome/|CriOS/"), ("Safari", r"Safari/")]
_SYSTEMS = [("Android", r"Android"), ("iPhone", r"iPhone"), ("iPad", r"iPad")]
_SYSTEMS += [("Windows", r"Windows"), ("macOS", r"Mac OS X"), ("Linux", r"Linux")]


@dataclass(frozen=True)
class SessionView:
    id: int
    device: str
    address: str
    started: datetime
    last_seen: datetime  # the login itself until a later use is written
    current: bool


def describe_agent(agent: str) -> str:
    """ "Firefox on Linux" from a User-Agent header; "Unknown browser" when unsure."""
    browser = next((name for name, pat in _BROWSERS if re.search(pat, agent)), "")
    system = next((name for name, pat in _SYSTEMS if re.search(pat, agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def _principal(actor: Actor) -> str:
    from .contacts import PRINCIPAL

    if actor.kind == "operator":
        return "operator"
    if actor.is_contact:
        return PRINCIPAL
    raise PermissionDenied()


def _mine(actor: Actor):
    return (
        AuthSession.user_id == actor.id,
        AuthSession.principal == _principal(actor),
        AuthSession.viewer_id.is_(None),  # an operator's "view as" is not the person's
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > utcnow(),
    )


def sessions_mine(*, session: Session, actor: Actor, current_token: str) -> list[SessionView]:
    """The actor's live sessions, the most recently used first."""
    current = token_hash(current_token) if current_token else ""
    rows = session.exec(select(AuthSession).where(*_mine(actor))).all()
    rows = sorted(rows, key=lambda r: r.last_seen_at or r.created_at, reverse=True)
    return [
        SessionView(
            id=r.id,
            device=describe_agent(r.user_agent),
            address=r.client_ip or "unknown",
            started=r.created_at,
            last_seen=r.last_seen_at or r.created_at,
            current=r.token_hash == current,
        )
        for r in rows
    ]


def session_end_mine(*, session: Session, actor: Actor, session_id: int) -> None:
    """Sign one of the actor's own sessions out (another device, say)."""
    row = session.exec(
        select(AuthSession).where(AuthSession.id == session_id, *_mine(actor))
    ).first()
    if row is None:
        raise NotFound("That session has already ended.")
    row.revoked_at = utcnow()
    session.add(row)


def sessions_end_mine(*, session: Session, actor: Actor) -> int:
    """Sign out everywhere: every live session of the actor, this one included."""
    rows = session.exec(select(AuthSession).where(*_mine(actor))).all()
    now = utcnow()
    for row in rows:
        row.revoked_at = now
        session.add(row)
    return len(rows)

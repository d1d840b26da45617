"""Server-side login sessions, session tickets, rate-limit counters and the auth epoch."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class AuthSession(SQLModel, table=True):
    """One login. The browser holds a random token; only its hash is stored."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    principal: str = Field(default="operator", max_length=16)
    user_id: int = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    expires_at: datetime = Field(sa_column=ts_column())
    revoked_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    client_ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=255)
    # Written at most once a minute by the guard (see services/principals.py): what the
    # owner's session list shows, and what the idle lifetime is measured from.
    last_seen_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    # "View as this contact": the operator user who opened this read-only contact
    # session from the control panel (services/view_as.py); None for a real login.
    viewer_id: int | None = Field(default=None)


class SessionTicket(SQLModel, table=True):
    """A just-started session on its way into the browser's HttpOnly cookie.

    A login happens over the websocket, but only a plain HTTP response can set an
    HttpOnly cookie. So the login handler stores the new session token here (encrypted,
    for one minute) under a random ticket, the page posts the ticket to
    ``/api/session``, and that response sets the cookie. The ticket is single-use and
    bound to the host and the client it was issued to.
    """

    __tablename__ = "session_ticket"

    id: int | None = Field(default=None, primary_key=True)
    ticket_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    token_enc: str = Field(max_length=512, repr=False)
    principal: str = Field(max_length=16)
    host: str = Field(max_length=253)
    client_ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    expires_at: datetime = Field(sa_column=ts_column(index=True))
    used_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class RateLimit(SQLModel, table=True):
    """One rate limit's count for one key (services/limiter.py): hits since
    ``started_at``; the window ends at ``expires_at``, and the next hit after that starts
    a new one. The key is the limit's name and a digest of what it counts (an address,
    an account), so no email or address is kept here."""

    __tablename__ = "rate_limit"

    key: str = Field(max_length=100, primary_key=True)
    hits: int = 0
    started_at: datetime = Field(sa_column=ts_column())
    expires_at: datetime = Field(sa_column=ts_column(index=True))


class AuthEpoch(SQLModel, table=True):
    """One row whose value goes up in the same transaction as any change that could
    alter who a session is or what it may do (a revoked session, a disabled user, a
    group's grants, a contact, a customer's status or access, a domain).

    Resolved sessions are cached per process; each event compares this one value, so
    a revocation takes effect at once in every worker without resolving the session
    from scratch on every event (see services/principals.py).
    """

    __tablename__ = "auth_epoch"

    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_type=sa.BigInteger)

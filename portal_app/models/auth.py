"""Server-side login sessions and the failed-login record used for throttling."""

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


class LoginFailure(SQLModel, table=True):
    """A failed login, keyed by account or by client address."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, index=True)
    at: datetime = Field(default_factory=utcnow, sa_column=ts_column(index=True))


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

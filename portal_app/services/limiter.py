"""The one rate limiter: logins, "forgot password", password links, sign-ups, "Verify now".

Each limit is a setting written the way the `limits` library writes rates ("5 per 15
minutes", settings.LIMIT_DEFAULTS), and `limits` parses it. The count lives in the
database, the one thing every worker and process shares (Redis is optional here, and
`limits` has no SQL storage): a row per limit and key, whose window starts at its first
hit and ends ``window`` later; the next hit after that starts a new window.

A hit is one statement, an INSERT ... ON CONFLICT DO UPDATE whose WHERE admits it only
while the window has room, so concurrent hits never count past the limit: PostgreSQL
locks the row for the upsert until commit, SQLite has one writer. It is part of the
caller's transaction, so a caller whose work may still fail but whose hit must count
(a login) commits right after the hit, which also keeps the lock short: never hold it
across argon2. (A hit on a connection of its own would deadlock on SQLite whenever the
caller had already written.)

Rows are purged only once their own window has ended (``limits_purge``), so the hourly
purge never resets a window early.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import limits
import sqlalchemy as sa
from sqlmodel import Session

from portal_app.models import RateLimit
from portal_app.models.base import utcnow
from portal_app.settings import LIMIT_DEFAULTS, get_settings

_TABLE = RateLimit.__table__


@dataclass(frozen=True)
class Rate:
    """A limit: at most ``amount`` hits in ``window``."""

    name: str
    amount: int
    window: timedelta

    @property
    def wait_words(self) -> str:
        """How long the window is, for people: "15 minutes", "1 hour", "10 seconds"."""
        seconds = int(self.window.total_seconds())
        for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
            if seconds % size == 0:
                n = seconds // size
                return f"{n} {unit}{'s' if n != 1 else ''}"
        return f"{seconds} seconds"


@functools.cache
def _parse(name: str, text: str) -> Rate:
    item = limits.parse(text)
    return Rate(name=name, amount=item.amount, window=timedelta(seconds=item.get_expiry()))


def rate(name: str) -> Rate:
    """The limit called ``name`` (a key of settings.LIMIT_DEFAULTS), as configured."""
    if name not in LIMIT_DEFAULTS:
        raise KeyError(name)
    return _parse(name, getattr(get_settings(), f"limit_{name}"))


def _row_key(name: str, key: str) -> str:
    return f"{name}:{hashlib.sha256(key.encode()).hexdigest()}"


def _insert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def limit_hit(*, session: Session, name: str, key: str, now: datetime | None = None) -> int | None:
    """Count one hit of limit ``name`` for ``key`` in the caller's transaction; the count
    it made, or None when the window was already full (nothing is counted then)."""
    r = rate(name)
    now = now or utcnow()
    insert = _insert(session.get_bind().dialect.name)(_TABLE).values(
        key=_row_key(name, key), hits=1, started_at=now, expires_at=now + r.window
    )
    live = _TABLE.c.expires_at > now
    stmt = insert.on_conflict_do_update(
        index_elements=[_TABLE.c.key],
        set_={
            "hits": sa.case((live, _TABLE.c.hits + 1), else_=1),
            "started_at": sa.case((live, _TABLE.c.started_at), else_=insert.excluded.started_at),
            "expires_at": sa.case((live, _TABLE.c.expires_at), else_=insert.excluded.expires_at),
        },
        where=sa.or_(~live, _TABLE.c.hits < r.amount),
    ).returning(_TABLE.c.hits)
    row = session.execute(stmt).first()
    return None if row is None else int(row[0])


def limit_count(*, session: Session, name: str, key: str, now: datetime | None = None) -> int:
    """Hits counted in the live window (0 when there is none)."""
    now = now or utcnow()
    hits = session.execute(
        sa.select(_TABLE.c.hits).where(
            _TABLE.c.key == _row_key(name, key), _TABLE.c.expires_at > now
        )
    ).scalar()
    return int(hits or 0)


def limit_full(*, session: Session, name: str, key: str, now: datetime | None = None) -> bool:
    """True when the next hit would be refused."""
    return limit_count(session=session, name=name, key=key, now=now) >= rate(name).amount


def limit_release(*, session: Session, name: str, key: str) -> None:
    """Give one hit back (in the caller's transaction): it turned out not to count."""
    session.execute(
        sa.update(_TABLE)
        .where(_TABLE.c.key == _row_key(name, key), _TABLE.c.hits > 0)
        .values(hits=_TABLE.c.hits - 1)
    )


def limit_reset(*, session: Session, name: str, key: str) -> None:
    """Forget the count (in the caller's transaction), e.g. after a successful login."""
    session.execute(sa.delete(_TABLE).where(_TABLE.c.key == _row_key(name, key)))


def limits_purge(*, session: Session, now: datetime | None = None) -> int:
    """Remove counts whose window has ended; a live window is never cut short."""
    now = now or utcnow()
    return session.execute(sa.delete(_TABLE).where(_TABLE.c.expires_at <= now)).rowcount

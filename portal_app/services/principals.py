"""Who is behind a session token: resolved once, then re-checked cheaply on every event.

Resolving a session reads the session row, the operator (and group) or the contact,
customer and domain. Doing that on every event was a quarter of the server's CPU on
light events, so a resolved identity is cached per process and each later event only
reads one value, the auth epoch (models.AuthEpoch). Any change that could alter who a
session is or what it may do raises the epoch in the same transaction, by construction:
a SQLAlchemy flush hook (services/auth_epoch.py) watches the tables, so no service can forget. A
revocation therefore takes effect at the next event in every worker and process (the
CLI's ``create-admin`` included), and the cache never outlives the session's expiry.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from portal_app.models import (
    AuthSession,
    OperatorGroup,
    OperatorUser,
)
from portal_app.models.base import utcnow

from .auth_epoch import epoch_read, epoch_reader, on_bump
from .crypto import token_hash
from .db import get_engine, session_scope
from .identity import Actor
from .security_settings import session_limits, totp_required

CACHE_SIZE = 20_000
TOUCH_SECONDS = 60  # how often a session in use is checked in full and marked "last seen"


@dataclass(frozen=True)
class _Entry:
    epoch: int
    expires_at: datetime
    value: object  # an operator Actor or a PortalContext
    checked_at: float  # time.monotonic() of the last full check against the database


class _Cache:
    """A bounded, thread-safe map (kind, token hash, host) -> resolved identity."""

    def __init__(self, size: int):
        self.size = size
        self.rows: OrderedDict[tuple[str, str, str], _Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str, str], epoch: int) -> _Entry | None:
        with self.lock:
            entry = self.rows.get(key)
            if entry is None:
                return None
            if entry.epoch != epoch or entry.expires_at <= utcnow():
                del self.rows[key]
                return None
            self.rows.move_to_end(key)
            return entry

    def put(self, key: tuple[str, str, str], entry: _Entry) -> None:
        with self.lock:
            self.rows[key] = entry
            self.rows.move_to_end(key)
            while len(self.rows) > self.size:
                self.rows.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.rows.clear()


_cache = _Cache(CACHE_SIZE)


def resolved(
    session: Session | None, *, kind: str, token: str, host: str, resolve
) -> object | None:
    """The cached identity for this token (and host), or ``resolve(row)`` on a miss.

    ``resolve`` gets the live AuthSession row and returns the identity or None; None
    is never cached, so a refused token is looked at afresh each time. Without a
    ``session`` (the guard, on every event) a hit costs one epoch read on a dedicated
    connection and a miss opens a session; with one, everything is read through it, so a
    transaction sees its own changes (a revocation it has not committed yet).
    """
    if not token or len(token) > 128:
        return None
    key = (kind, token_hash(token), host)
    if session is None:
        entry = _cache.get(key, epoch_reader.read(get_engine()))
        if entry is not None and time.monotonic() - entry.checked_at < TOUCH_SECONDS:
            return entry.value
        # A miss, or a minute since the last full check: the idle lifetime and the
        # session's "last seen" are looked at (and written) in the database.
        with session_scope() as fresh:
            return _resolve(fresh, key, kind, resolve, touch=True)
    entry = _cache.get(key, epoch_read(session))
    if entry is not None:
        return entry.value
    return _resolve(session, key, kind, resolve, touch=False)


def _resolve(
    session: Session, key: tuple[str, str, str], kind: str, resolve, *, touch: bool
) -> object | None:
    epoch = epoch_read(session)
    row = session.execute(
        sa.select(AuthSession).where(AuthSession.token_hash == key[1])
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if row.principal != kind:
        return None
    limits = session_limits(session=session)  # the account's Settings, else the env's
    if (row.last_seen_at or row.created_at) <= now - timedelta(minutes=limits.idle_minutes):
        return None
    if row.created_at <= now - timedelta(days=limits.days):  # a lifetime shortened since
        return None
    value = resolve(session, row)
    if value is not None and touch and not _seen_lately(row, now):
        _seen.mark(row.id, now)
    # A transaction that raised the epoch itself sees data others may never see
    # (it can still roll back): what it resolves is not cached.
    if value is not None and not session.info.get("auth_epoch_bumped"):
        entry = _Entry(epoch, row.expires_at, value, checked_at=time.monotonic())
        _cache.put(key, entry)
    return value


class _Seen:
    """Sessions in use since the last flush. Checking a session must never wait for the
    database's write lock (an import may hold it for a moment), so "last seen" is noted
    here and written in one short batch by a lifespan task (tasks.seen_flush_loop)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[int, datetime] = {}

    def mark(self, session_id: int, when: datetime) -> None:
        with self.lock:
            self.pending[session_id] = when

    def take(self) -> dict[int, datetime]:
        with self.lock:
            pending, self.pending = self.pending, {}
        return pending


_seen = _Seen()


def seen_flush() -> int:
    """Write the noted "last seen" times; how many sessions. Blocking (database)."""
    pending = _seen.take()
    if not pending:
        return 0
    table = AuthSession.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("sid"))
        .values(last_seen_at=sa.bindparam("at"))
    )
    # Core on a plain connection: bookkeeping must not raise the auth epoch.
    with get_engine().begin() as conn:
        conn.execute(statement, [{"sid": k, "at": v} for k, v in pending.items()])
    return len(pending)


def _seen_lately(row: AuthSession, now: datetime) -> bool:
    return row.last_seen_at is not None and row.last_seen_at > now - timedelta(
        seconds=TOUCH_SECONDS
    )


def cache_clear() -> None:
    """Forget every resolved identity in this process (tests; after an epoch bump)."""
    _cache.clear()


on_bump(cache_clear)


def operator_resolve(session: Session, row: AuthSession) -> Actor | None:
    """The enabled operator of a live session row, with its group's grants."""
    return operator_actor(session, row.user_id)


def operator_actor(session: Session, user_id: int) -> Actor | None:
    """The enabled operator ``user_id`` as an Actor, with its group's grants."""
    user = session.get(OperatorUser, user_id)
    if user is None or not user.enabled:
        return None
    grants: dict[str, str] = {}
    if user.group_id is not None:
        group = session.get(OperatorGroup, user.group_id)
        grants = dict(group.grants) if group else {}
    must_enrol = not user.totp_enabled and totp_required(session=session)
    return Actor(
        kind="operator",
        id=user.id,
        label=user.email,
        role=user.role,
        grants=grants,
        totp_required=must_enrol,
    )


def operator_for_token(session: Session | None, token: str) -> Actor | None:
    """The operator behind a session token (cached; see the module docstring)."""
    return resolved(session, kind="operator", token=token, host="", resolve=operator_resolve)

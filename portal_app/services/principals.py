"""Who is behind a session token: resolved once, then re-checked cheaply on every event.

Resolving a session reads the session row, the operator (and group) or the contact,
customer and domain. Doing that on every event was a quarter of the server's CPU on
light events, so a resolved identity is cached per process and each later event only
reads one value, the auth epoch (models.AuthEpoch). Any change that could alter who a
session is or what it may do raises the epoch in the same transaction, by construction:
a SQLAlchemy flush hook watches the tables below, so no service can forget it. A
revocation therefore takes effect at the next event in every worker and process (the
CLI's ``create-admin`` included), and the cache never outlives the session's expiry.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from portal_app.models import (
    AuthEpoch,
    AuthSession,
    Contact,
    Customer,
    OperatorGroup,
    OperatorUser,
    PortalDomain,
)
from portal_app.models.base import utcnow

from .crypto import token_hash
from .db import get_engine, session_scope
from .identity import Actor
from .offloop import check_off_loop

# Changes to these tables can change a resolved identity. Inserts cannot (a new row
# was never cached), except a domain: a new verified host can admit a session.
WATCHED = (AuthSession, OperatorUser, OperatorGroup, Contact, Customer, PortalDomain)
WATCHED_TABLES = frozenset(m.__tablename__ for m in WATCHED)
# Columns whose change alters nothing a session can do: written on every login, or the
# DNS re-check's bookkeeping (pending domains are re-checked every few seconds).
IGNORED_COLUMNS = frozenset(
    {"last_login_at", "last_seen_at", "status_detail", "last_checked_at", "next_check_at"}
    | {"check_failures"}
)
CACHE_SIZE = 20_000


@dataclass(frozen=True)
class _Entry:
    epoch: int
    expires_at: datetime
    value: object  # an operator Actor or a PortalContext


class _Cache:
    """A bounded, thread-safe map (kind, token hash, host) -> resolved identity."""

    def __init__(self, size: int):
        self.size = size
        self.rows: OrderedDict[tuple[str, str, str], _Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str, str], epoch: int) -> object | None:
        with self.lock:
            entry = self.rows.get(key)
            if entry is None:
                return None
            if entry.epoch != epoch or entry.expires_at <= utcnow():
                del self.rows[key]
                return None
            self.rows.move_to_end(key)
            return entry.value

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


def epoch_read(session: Session) -> int:
    """The current auth epoch (0 before anything has raised it)."""
    value = session.execute(sa.select(AuthEpoch.value).where(AuthEpoch.id == 1)).scalar()
    return int(value or 0)


def _epoch_bump(session: OrmSession) -> None:
    table = AuthEpoch.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values(id=1, value=1)
    stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={"value": table.c.value + 1})
    session.execute(stmt)


class _EpochReader:
    """Reads the epoch on one dedicated connection, without a Session: about 6 µs on
    SQLite against 550 µs for a Session round trip, which matters on every event. The
    connection reads in autocommit, so each read sees the latest committed value."""

    SQL = "SELECT value FROM auth_epoch WHERE id = 1"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.conn = None
        self.engine: sa.Engine | None = None

    def _open(self, engine: sa.Engine) -> None:
        self.close()
        conn = engine.raw_connection()
        if engine.dialect.name == "postgresql":
            conn.dbapi_connection.autocommit = True
        self.conn, self.engine = conn, engine

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.invalidate()
        self.conn = self.engine = None

    def read(self, engine: sa.Engine) -> int:
        check_off_loop("a database read")
        with self.lock:
            for attempt in (1, 2):
                try:
                    if self.conn is None or self.engine is not engine:
                        self._open(engine)
                    cursor = self.conn.cursor()
                    cursor.execute(self.SQL)
                    row = cursor.fetchone()
                    cursor.close()
                    return int(row[0]) if row and row[0] is not None else 0
                except Exception:
                    self.close()  # a broken connection: open a new one once
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")


_epoch_reader = _EpochReader()


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
        hit = _cache.get(key, _epoch_reader.read(get_engine()))
        if hit is not None:
            return hit
        with session_scope() as fresh:
            return _resolve(fresh, key, kind, resolve)
    return _resolve(session, key, kind, resolve)


def _resolve(session: Session, key: tuple[str, str, str], kind: str, resolve) -> object | None:
    epoch = epoch_read(session)
    hit = _cache.get(key, epoch)
    if hit is not None:
        return hit
    row = session.execute(
        sa.select(AuthSession).where(AuthSession.token_hash == key[1])
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    if row.principal != kind:
        return None
    value = resolve(session, row)
    # A transaction that raised the epoch itself sees data others may never see
    # (it can still roll back): what it resolves is not cached.
    if value is not None and not session.info.get("auth_epoch_bumped"):
        _cache.put(key, _Entry(epoch=epoch, expires_at=row.expires_at, value=value))
    return value


def cache_clear() -> None:
    """Forget every resolved identity in this process (tests; after an epoch bump)."""
    _cache.clear()


def _touches_identity(session: OrmSession) -> bool:
    for obj in session.deleted:
        if isinstance(obj, WATCHED):
            return True
    for obj in session.new:
        if isinstance(obj, PortalDomain):
            return True
    for obj in session.dirty:
        if not isinstance(obj, WATCHED):
            continue
        state = sa.inspect(obj)
        for attr in state.attrs:
            if attr.key not in IGNORED_COLUMNS and attr.history.has_changes():
                return True
    return False


def _before_flush(session: OrmSession, _context, _instances) -> None:
    # before_flush sees the pending changes with their attribute history intact.
    if not session.info.get("auth_epoch_bumped") and _touches_identity(session):
        session.info["auth_epoch_pending"] = True


def _after_flush(session: OrmSession, _context) -> None:
    if session.info.pop("auth_epoch_pending", False):
        session.info["auth_epoch_bumped"] = True
        _epoch_bump(session)


def _on_orm_execute(state) -> None:
    """Bulk UPDATE/DELETE statements on watched tables raise the epoch too."""
    if not (state.is_update or state.is_delete) or state.session.info.get("auth_epoch_bumped"):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and getattr(table, "name", None) in WATCHED_TABLES:
        state.session.info["auth_epoch_bumped"] = True
        _epoch_bump(state.session)


def _after_end(session: OrmSession, *_args) -> None:
    if session.info.pop("auth_epoch_bumped", False):
        cache_clear()  # this process knows at once; others see the epoch
    session.info.pop("auth_epoch_pending", None)


def _after_rollback(session: OrmSession) -> None:
    if session.info.pop("auth_epoch_bumped", False):
        cache_clear()
    session.info.pop("auth_epoch_pending", None)


sa.event.listen(OrmSession, "before_flush", _before_flush)
sa.event.listen(OrmSession, "after_flush", _after_flush)
sa.event.listen(OrmSession, "do_orm_execute", _on_orm_execute)
sa.event.listen(OrmSession, "after_commit", _after_end)
sa.event.listen(OrmSession, "after_soft_rollback", lambda s, _t: _after_rollback(s))


def operator_resolve(session: Session, row: AuthSession) -> Actor | None:
    """The enabled operator of a live session row, with its group's grants."""
    user = session.get(OperatorUser, row.user_id)
    if user is None or not user.enabled:
        return None
    grants: dict[str, str] = {}
    if user.group_id is not None:
        group = session.get(OperatorGroup, user.group_id)
        grants = dict(group.grants) if group else {}
    return Actor(kind="operator", id=user.id, label=user.email, role=user.role, grants=grants)


def operator_for_token(session: Session | None, token: str) -> Actor | None:
    """The operator behind a session token (cached; see the module docstring)."""
    return resolved(session, kind="operator", token=token, host="", resolve=operator_resolve)

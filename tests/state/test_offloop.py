"""Nothing slow runs on the event loop: one user's blocked handler never holds up another's.

The ordering checks below cannot flake: handler A is blocked by something the test holds
(the database's write lock, taken by another connection), handler B runs to the end while A is
provably still waiting, and only then does the test let A go.
"""

from __future__ import annotations

import asyncio
import sqlite3

import psycopg
import pytest
import sqlalchemy as sa
from reflex_base.event import Event
from sqlmodel import SQLModel

from portal_app.models import AccountConfig, OperatorUser
from portal_app.services.db import get_engine, session_scope
from portal_app.services.offloop import BlockingOnLoop, watch_loop
from portal_app.state.config import ConfigState
from portal_app.state.users import UsersState

from .helpers import count, make_state, seed_operator

CONFIG = {"company_name": "Acme Telecom", "country": "GB", "currency": "GBP"}
CONFIG |= {"date_format": "DD/MM/YYYY", "phone": "", "login_alerts": ""}


async def _drain(state, handler: str, **payload) -> list:
    gen = type(state).event_handlers[handler].fn(state, **payload)
    return [e for item in [x async for x in gen] for e in Event.from_event_type(item)]


def _write_lock():
    """Another connection that holds the write lock until it commits: SQLite's one lock,
    or on PostgreSQL every table locked against writes (reads still go through)."""
    engine = get_engine()
    if engine.dialect.name == "postgresql":
        holder = psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(False))
        holder.autocommit = True
        holder.execute("BEGIN")
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        holder.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        return holder
    holder = sqlite3.connect(engine.url.database, timeout=30, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_database_statement_on_the_apps_loop_is_refused():
    """Positive control for the check every test below relies on."""

    async def on_the_loop():
        watch_loop()
        with session_scope() as session:
            session.execute(sa.text("SELECT 1"))

    with pytest.raises(BlockingOnLoop):
        asyncio.run(on_the_loop())


def test_a_loop_that_is_not_the_apps_is_left_alone():
    async def elsewhere():
        with session_scope() as session:
            return session.execute(sa.text("SELECT 1")).scalar()

    assert asyncio.run(elsewhere()) == 1


def test_one_users_write_waiting_on_a_lock_does_not_delay_another_users_event(db):
    admin = seed_operator(db, "admin@example.com", role="admin")
    writer = make_state(ConfigState, token=admin.token)
    reader = make_state(UsersState, token=admin.token)

    async def scenario():
        watch_loop()
        holder = _write_lock()
        try:
            a = asyncio.create_task(_drain(writer, "save", form_data=CONFIG))
            await asyncio.sleep(0.2)  # A reaches the lock and waits on it
            await _drain(reader, "load")  # B, on the same loop
            b_done_while_a_waits = not a.done()
            rows_before_release = list(reader.users)
        finally:
            holder.execute("COMMIT")
            holder.close()
        return b_done_while_a_waits, rows_before_release, await a

    b_first, rows, a_events = asyncio.run(scenario())
    assert b_first, "B's reply had to wait for A"
    assert [r.email for r in rows] == ["admin@example.com"]
    assert a_events and count(db, AccountConfig) == 1  # A went through once released


def test_one_users_password_hash_does_not_delay_another_users_event(db):
    """Saving a user hashes with argon2 (~0.2 s); the other tab's event is answered first."""
    admin = seed_operator(db, "admin@example.com", role="admin")
    saver = make_state(UsersState, token=admin.token)
    reader = make_state(UsersState, token=admin.token)
    form = {"name": "Nia", "email": "nia@example.com", "password": "long enough password 1"}
    form |= {"role": "user", "group_id": "none", "enabled": "on"}

    async def scenario():
        watch_loop()
        await _drain(saver, "open_user", user_id="new")
        holder = _write_lock()  # keeps A from finishing, however fast the hash is
        try:
            a = asyncio.create_task(_drain(saver, "save_user", form_data=form))
            await asyncio.sleep(0.05)
            await _drain(reader, "load")
            b_first = not a.done()
        finally:
            holder.execute("COMMIT")
            holder.close()
        await a
        return b_first

    assert asyncio.run(scenario())
    assert count(db, OperatorUser, OperatorUser.email == "nia@example.com") == 1

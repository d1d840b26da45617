"""Slow work never runs on the event loop: the check that makes it so by construction.

Every place that can block — a database statement, argon2, SMTP, DNS, an HTTP call to
a provider — calls :func:`check_off_loop` first. On a thread that is running the app's
event loop (registered with :func:`watch_loop` by a lifespan task, and by the state
tests for theirs) it raises :class:`BlockingOnLoop` (outside production), so a handler
or task that forgot to move its I/O into a worker thread fails in the tests, not in
front of users. Other loops (a test's browser driver) are not the app's business.
In production it logs once per call site instead: a missed path must be found, but a
slow page beats a broken one.

The database check is installed once per engine (:func:`install_engine_check`) as a
SQLAlchemy ``before_cursor_execute`` hook, so no caller can forget it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import traceback
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import sqlalchemy as sa

log = logging.getLogger("portal.offloop")
_reported: set[str] = set()
T = TypeVar("T")

# The threads that run handler bodies and every other blocking call of the app. Many,
# because most of them wait (on SQLite's write lock, on a slow SMTP server) rather than
# compute: one user's slow action must not take the thread another user's needs.
# CPU-heavy work (argon2) has its own small low-priority pool in services/crypto.py.
POOL_SIZE = int(os.environ.get("PORTAL_IO_THREADS", "64"))
_pool = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="portal-io")


class BlockingOnLoop(RuntimeError):
    """Blocking I/O was attempted on a thread that runs the event loop."""


def _strict() -> bool:
    # Read directly (not through Settings) so this check has no import cycle and
    # costs nothing on the hot path but a dict lookup.
    return os.environ.get("PORTAL_ENV", "development").strip().lower() != "production"


_watched: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def watch_loop() -> None:
    """Declare the running event loop the app's: blocking calls on it are refused."""
    _watched.add(asyncio.get_running_loop())


async def watch_app_loop() -> None:
    """A lifespan task: register the worker's loop, then stay out of the way."""
    watch_loop()


def on_loop() -> bool:
    """True when the current thread is running a watched event loop right now."""
    loop = asyncio._get_running_loop()
    return loop is not None and loop in _watched


def check_off_loop(what: str) -> None:
    """Refuse (or in production, report) blocking ``what`` on the event loop thread."""
    if not on_loop():
        return
    if _strict():
        raise BlockingOnLoop(f"{what} on the event loop: run it in a worker thread")
    site = "".join(traceback.format_stack(limit=6)[:-1])
    if site not in _reported:
        _reported.add(site)
        log.error("%s on the event loop (fix: run it in a worker thread):\n%s", what, site)


def install_engine_check(engine: sa.Engine) -> None:
    """Every statement and every connection checkout of ``engine`` is checked."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany):
        check_off_loop("a database statement")

    @sa.event.listens_for(engine.pool, "checkout")
    def _checkout(dbapi_conn, record, proxy):
        check_off_loop("a database connection checkout")


async def run_blocking(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` in the I/O pool, with this task's context variables."""
    ctx = contextvars.copy_context()
    call = functools.partial(ctx.run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_pool, call)


async def run_in_context(ctx: contextvars.Context, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` in the I/O pool inside ``ctx`` (reused across calls, so context
    variables one step sets are seen by the next, as for a generator's steps)."""
    call = functools.partial(ctx.run, fn, *args)
    return await asyncio.get_running_loop().run_in_executor(_pool, call)

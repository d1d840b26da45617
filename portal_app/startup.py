"""What a worker does before it serves: lifespan contexts, which Reflex enters during
start-up and the server awaits before it accepts connections (tasks.py has the loops
that only run beside the server)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from portal_app.services import tls_allow
from portal_app.services.brand_scripts import brand_scripts
from portal_app.services.db import get_engine

log = logging.getLogger("portal.tasks")
TLS_ALLOW_REFRESH_SECONDS = 5  # how long a newly verified domain waits for its certificate


@contextlib.asynccontextmanager
async def tls_allow_kept():
    """Keep the TLS allow-list (what /api/tls/ask and the websocket's origin check answer
    from) and the brands' script origins (for their pages' CSP) in step with the database.

    Loaded once before the worker serves: a fresh worker refused the websockets of brand
    pages until its first refresh had run (bench/events.py met it on 3 workers)."""
    await _allow_list_refresh()
    task = asyncio.create_task(_allow_list_loop(), name="tls_allow_refresh")
    try:
        yield
    finally:
        task.cancel()


async def _allow_list_refresh() -> None:
    try:
        await asyncio.to_thread(tls_allow.allow_list.refresh_from_db, get_engine())
        await asyncio.to_thread(brand_scripts.refresh_from_db, get_engine())
    except Exception:
        log.exception("refreshing the TLS allow-list failed")


async def _allow_list_loop() -> None:
    while True:
        await asyncio.sleep(TLS_ALLOW_REFRESH_SECONDS)
        await _allow_list_refresh()

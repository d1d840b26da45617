"""Running the SIP health probes of My Servers: the periodic round (tasks.py) and the
operator's "Check now".

Each probe is two short transactions around the network wait — read where to probe,
then record the outcome — so no database transaction waits on a server that does not
answer. The round probes a few servers at a time (each in a worker thread, at most
PROBE_TIMEOUT seconds), which bounds both the threads it takes from the pool and how
long a round lasts.
"""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa

from .db import session_scope
from .identity import Actor
from .servers import server_get, server_probe_record, server_probes_prune, server_target
from .servers import servers_due as _due
from .sip_probe import sip_options

PROBE_TIMEOUT = 2.0  # seconds: a SIP server on a working network answers in milliseconds
PROBE_CONCURRENCY = 8


def probe_one(
    server_id: int, host: str, port: int, *, timeout: float = PROBE_TIMEOUT, engine=None
) -> bool:
    """Probe one server and store the outcome (False: deleted or moved meanwhile).
    Blocking: run it in a thread."""
    outcome = sip_options(host, port, timeout=timeout)
    with session_scope(engine) as session:
        return server_probe_record(
            session=session, server_id=server_id, host=host, port=port, outcome=outcome
        )


def server_check(
    server_id: int, *, actor: Actor, timeout: float = PROBE_TIMEOUT, engine=None
) -> dict[str, Any]:
    """Check now: probe the server at once and return its view. Blocking."""
    with session_scope(engine) as session:
        host, port = server_target(session=session, actor=actor, server_id=server_id)
    probe_one(server_id, host, port, timeout=timeout, engine=engine)
    with session_scope(engine) as session:
        return server_get(session=session, actor=actor, server_id=server_id)


def servers_due(engine: sa.Engine | None = None) -> list[tuple[int, str, int]]:
    with session_scope(engine) as session:
        return _due(session=session)


def probes_prune(engine: sa.Engine | None = None) -> int:
    with session_scope(engine) as session:
        return server_probes_prune(session=session)


async def probe_round(
    *,
    timeout: float = PROBE_TIMEOUT,
    concurrency: int = PROBE_CONCURRENCY,
    engine: sa.Engine | None = None,
) -> int:
    """Probe every server not in maintenance, ``concurrency`` at a time, each in a
    thread; then drop old history. How many outcomes were stored."""
    limit = asyncio.Semaphore(concurrency)

    async def one(target: tuple[int, str, int]) -> bool:
        async with limit:
            return await asyncio.to_thread(probe_one, *target, timeout=timeout, engine=engine)

    due = await asyncio.to_thread(servers_due, engine)
    stored = await asyncio.gather(*(one(t) for t in due), return_exceptions=True)
    await asyncio.to_thread(probes_prune, engine)
    for failure in (s for s in stored if isinstance(s, BaseException)):
        raise failure
    return sum(1 for s in stored if s is True)

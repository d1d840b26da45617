"""Live updates through Redis: one worker polls, every worker's tabs wake.

Three "workers" (three ``redis_loop`` tasks with topic tables of their own, as three
processes would have) share a real Redis server. A stamp read is counted per worker: the
database must see the reads of one of them only, and a change must reach all three. When
the polling worker stops, another takes the lease and changes keep arriving.
"""

from __future__ import annotations

import asyncio
import time

import pytest
import redis

from portal_app import live
from tests import redisserver

pytestmark = pytest.mark.skipif(not redisserver.available(), reason="needs redis-server")


class Worker:
    def __init__(self, url: str, source: dict):
        self.reads = 0
        self.source = source

        def read():
            self.reads += 1
            return ("count", self.source["value"])

        self.topics = {"pending": live.Topic("pending", read)}
        self.task = asyncio.create_task(live.redis_loop(url, self.topics))

    @property
    def version(self) -> int:
        return self.topics["pending"].version


async def _until(check, timeout: float = 8.0) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError("not within the timeout")
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def _scenario(url: str) -> dict:
    source = {"value": 1}
    workers = [Worker(url, source) for _ in range(3)]
    await _until(lambda: all(w.version >= 1 for w in workers))
    await asyncio.sleep(2)  # several rounds with nothing new
    quiet = [w.version for w in workers]
    source["value"] = 2
    first = await _until(lambda: all(w.version > v for w, v in zip(workers, quiet, strict=True)))
    pollers = [w for w in workers if w.reads]
    leader = pollers[0]
    leader.task.cancel()
    await asyncio.gather(leader.task, return_exceptions=True)
    rest = [w for w in workers if w is not leader]
    before = [w.version for w in rest]
    source["value"] = 3
    takeover = await _until(lambda: all(w.version > v for w, v in zip(rest, before, strict=True)))
    for w in rest:
        w.task.cancel()
    await asyncio.gather(*(w.task for w in rest), return_exceptions=True)
    return {
        "pollers_before_stop": len(pollers),
        "quiet_versions": quiet,
        "first": first,
        "takeover": takeover,
        "rest_pollers": sum(1 for w in rest if w.reads),
    }


def test_one_worker_polls_and_every_worker_hears_changes():
    with redisserver.running() as url:
        got = asyncio.run(_scenario(url))
        # Released on stop: no lease is left behind.
        assert redis.Redis.from_url(url).get(live.LEASE_KEY) is None
    assert got["pollers_before_stop"] == 1, got
    assert got["quiet_versions"] == [1, 1, 1], "an unchanged stamp woke the tabs"
    assert got["first"] < 2.0, got
    # The lease was released, so the next worker polls within a round or two.
    assert got["takeover"] < 2.0 + live.LEASE_MS / 1000, got
    assert got["rest_pollers"] == 1, got


async def _dead_leader(url: str) -> dict:
    # A worker killed with SIGKILL leaves its lease to expire: nobody else polls until
    # then, and then exactly one does.
    redis.Redis.from_url(url).set(live.LEASE_KEY, "killed-worker", px=live.LEASE_MS)
    start = time.monotonic()
    source = {"value": 1}
    workers = [Worker(url, source) for _ in range(2)]
    await _until(lambda: any(w.reads for w in workers))
    waited = time.monotonic() - start
    await asyncio.sleep(1.5)
    for w in workers:
        w.task.cancel()
    await asyncio.gather(*(w.task for w in workers), return_exceptions=True)
    return {"waited": waited, "pollers": sum(1 for w in workers if w.reads)}


def test_a_killed_leaders_lease_expires_and_one_worker_takes_over():
    with redisserver.running() as url:
        got = asyncio.run(_dead_leader(url))
    assert got["waited"] > live.LEASE_MS / 1000 - 1.0, got  # the held lease was respected
    assert got["waited"] < live.LEASE_MS / 1000 + 2.0, got
    assert got["pollers"] == 1, got

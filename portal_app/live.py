"""Live updates for open tabs: one poller for the whole app, any number of waiting tabs.

A tab that shows something other people change (the pending sign-ups badge, domain
statuses, payments) does not poll the database itself. A lifespan task reads every
:class:`Topic`'s cheap stamp (an indexed count, a max timestamp) in a worker thread twice
a second; when a stamp changes it wakes the tabs waiting on that topic, which then
re-check their session with the policy and load what they show.

- Embedded (one worker, no Redis): that worker polls.
- With Redis (several workers): one worker at a time holds a 3-second lease in Redis and
  polls; it publishes changed stamps on a Redis channel, and every worker (itself too)
  wakes its own tabs from that channel. If the leader dies, another worker takes the
  lease within 3 seconds. So the database sees two small reads a second in all, whatever
  the number of workers and tabs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable, Hashable

from portal_app.services.offloop import run_blocking

log = logging.getLogger("portal.live")
POLL_SECONDS = 0.5


class Topic:
    """A stamp kept fresh by the poller; ``version`` goes up each time it changes."""

    def __init__(self, name: str, read: Callable[[], Hashable]):
        self.name = name
        self.read = read
        self.stamp: Hashable = None
        self.version = 0
        self._changed: asyncio.Event | None = None

    def _event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def publish(self, stamp: Hashable) -> None:
        """Record a freshly read stamp; wake the waiting tabs when it changed."""
        if stamp == self.stamp and self.version:
            return
        self.stamp, self.version = stamp, self.version + 1
        event, self._changed = self._event(), asyncio.Event()
        event.set()

    async def wait(self, seen: int, timeout: float) -> int:
        """The current version once it differs from ``seen``, or after ``timeout``."""
        if self.version != seen:
            return self.version
        event = self._event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
        return self.version


TOPICS: dict[str, Topic] = {}


def topic(name: str, read: Callable[[], Hashable]) -> Topic:
    """Register (once) the topic ``name`` whose stamp ``read`` returns (blocking)."""
    if name not in TOPICS:
        TOPICS[name] = Topic(name, read)
    return TOPICS[name]


async def _read_all(topics: dict[str, Topic]) -> dict[str, Hashable]:
    stamps = {}
    for item in list(topics.values()):
        try:
            stamps[item.name] = await run_blocking(item.read)
        except Exception:  # one bad read must not stop the others
            log.exception("reading the live topic %s failed", item.name)
    return stamps


async def poll_once(topics: dict[str, Topic] | None = None) -> None:
    topics = TOPICS if topics is None else topics
    for name, stamp in (await _read_all(topics)).items():
        topics[name].publish(stamp)


async def poll_loop() -> None:
    """The lifespan task: every topic, every half second, for as long as the worker runs."""
    from portal_app.settings import get_settings

    redis_url = get_settings().redis_url
    if redis_url is not None:
        await redis_loop(redis_url.get_secret_value())
        return
    while True:
        await poll_once()
        await asyncio.sleep(POLL_SECONDS)


CHANNEL = "portal:live"
STAMPS_KEY = "portal:live:stamps"  # the last published stamps, for workers that join later
LEASE_KEY = "portal:live:leader"
LEASE_MS = 3000
# Take the lease if it is free, or extend it if it is ours: one atomic step.
_LEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end"


async def redis_loop(url: str, topics: dict[str, Topic] | None = None) -> None:
    """Poll while this worker holds the lease, publish changes; always listen."""
    import redis.asyncio as aioredis

    topics = TOPICS if topics is None else topics
    me = secrets.token_hex(8)
    client = aioredis.Redis.from_url(url, decode_responses=True)
    ready = asyncio.Event()
    listener = asyncio.create_task(_listen(client, topics, ready))
    sent: dict[str, str] = {}
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), 10)
        while True:
            try:
                if await client.eval(_LEASE, 1, LEASE_KEY, me, LEASE_MS):
                    stamps = await _read_all(topics)
                    wire = {name: json.dumps(stamp, default=str) for name, stamp in stamps.items()}
                    changed = {name: s for name, s in wire.items() if sent.get(name) != s}
                    if changed:
                        async with client.pipeline(transaction=True) as pipe:
                            pipe.hset(STAMPS_KEY, mapping=changed)
                            pipe.publish(CHANNEL, json.dumps(changed))
                            await pipe.execute()
                        sent.update(changed)
                else:
                    sent.clear()  # a new leader publishes everything once
            except Exception:  # Redis away: keep trying, the tabs keep their timeouts
                log.exception("the live-update round through Redis failed")
            await asyncio.sleep(POLL_SECONDS)
    finally:
        listener.cancel()
        with contextlib.suppress(Exception):
            await client.eval(_RELEASE, 1, LEASE_KEY, me)
        await client.aclose()


def _deliver(topics: dict[str, Topic], stamps: dict[str, str]) -> None:
    for name, stamp in stamps.items():
        if name in topics:
            topics[name].publish(stamp)


async def _listen(client, topics: dict[str, Topic], ready: asyncio.Event) -> None:
    while True:
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(CHANNEL)
                # Subscribed first, then caught up: no change falls between the two.
                _deliver(topics, await client.hgetall(STAMPS_KEY))
                ready.set()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        _deliver(topics, json.loads(message["data"]))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("listening for live updates on Redis failed")
            await asyncio.sleep(1)

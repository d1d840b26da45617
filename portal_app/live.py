"""Live updates for open tabs: one poller per worker, any number of waiting tabs.

A tab that shows something other people change (the pending sign-ups badge, domain
statuses) does not poll the database itself. Each app worker runs one lifespan task
that reads every :class:`Topic`'s cheap stamp (an indexed count, a max timestamp) in a
worker thread twice a second; when a stamp changes it wakes the tabs waiting on that
topic, which then re-check their session with the policy and load what they show.
So the database sees two small reads a second per worker, whatever the number of tabs,
and every worker sees changes made by any other (the database is the shared truth).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
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


async def poll_once() -> None:
    for item in list(TOPICS.values()):
        try:
            item.publish(await run_blocking(item.read))
        except Exception:  # one bad read must not stop the others
            log.exception("reading the live topic %s failed", item.name)


async def poll_loop() -> None:
    """The lifespan task: every topic, every half second, for as long as the worker runs."""
    while True:
        await poll_once()
        await asyncio.sleep(POLL_SECONDS)

"""A minimal Reflex browser over Socket.IO, for tests and benchmarks (not the app).

It speaks the wire protocol of shared/RECIPES.md: a client token in the query string,
hydration in the CONNECT packet, events in and deltas out. ``request`` measures one
event's round trip precisely: from emit to the first reply for that connection.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid

import httpx
import socketio

from portal_app.services.sessions import SESSION_COOKIE

NS = "/_event"
USER_AGENT = "portal-devclient/1"
_TICKET = re.compile(r'i\.name = "ticket"; i\.value = ("[^"]*")')


def find_ticket(messages: list[dict]) -> str:
    """The session ticket a login handed to the page (its script posts it), or ""."""
    for message in reversed(messages):
        match = _TICKET.search(json.dumps(message).replace('\\"', '"'))
        if match:
            return json.loads(match.group(1))
    return ""


async def claim_ticket(url: str, ticket: str, *, origin: str | None = None) -> str:
    """Post a ticket as the page on ``origin`` does (to ``url``, with the origin's Host);
    the token the HttpOnly cookie of the answer holds, or ""."""
    origin = origin or url
    async with httpx.AsyncClient(follow_redirects=False) as http:
        response = await http.post(
            f"{url}/api/session",
            data={"ticket": ticket},
            headers={
                "Origin": origin,
                "Host": origin.split("://", 1)[-1],
                "User-Agent": USER_AGENT,
            },
        )
    return response.cookies.get(SESSION_COOKIE, "")


HYDRATE = "reflex___state____state.hydrate_and_load"


class DevClient:
    """One browser tab: a page on ``origin`` (the host the app reads) at ``path``."""

    def __init__(self, url: str, *, origin: str | None = None, path: str = "/"):
        self.url, self.origin = url, origin or url
        self.router = {"pathname": path, "asPath": path}
        self.token = str(uuid.uuid4())
        self.sio = socketio.AsyncClient(reconnection=False)
        self.messages: list[dict] = []
        self._arrived = asyncio.Event()
        self.sio.on("event", self._on_event, namespace=NS)

    async def _on_event(self, data) -> None:
        self.messages.append(data)
        self._arrived.set()

    async def connect(self, session_token: str = "", timeout: float = 30) -> None:
        """Connect as a browser whose (HttpOnly) session cookie holds ``session_token``."""
        headers = {"Origin": self.origin, "User-Agent": USER_AGENT}
        if session_token:
            headers["Cookie"] = f"{SESSION_COOKIE}={session_token}"
        await self.sio.connect(
            f"{self.url}?token={self.token}",
            socketio_path="/_event",
            namespaces=[NS],
            transports=["websocket"],
            headers=headers,
            auth={"event": {"name": HYDRATE, "payload": {}, "router_data": self.router}},
        )
        await self.wait_for(lambda m: "is_hydrated_rx_state_" in str(m), "hydration", timeout)

    async def emit(self, name: str, **payload) -> None:
        await self.sio.emit(
            "event", {"name": name, "payload": payload, "router_data": self.router}, namespace=NS
        )

    async def request(self, name: str, timeout: float = 30, **payload) -> float:
        """Send one event and wait for the first reply; the round trip in seconds."""
        self._arrived.clear()
        start = time.perf_counter()
        await self.emit(name, **payload)
        await asyncio.wait_for(self._arrived.wait(), timeout)
        return time.perf_counter() - start

    async def wait_for(self, predicate, what: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(predicate(m) for m in self.messages):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {what} within {timeout}s: {self.messages[-3:]}")
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await self.sio.disconnect()

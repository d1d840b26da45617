"""Socket.IO load for bench/events.py: clients that speak Reflex's event protocol, and
the server processes' CPU and memory read from /proc."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
import uuid
from dataclasses import dataclass, field

import socketio

from portal_app.services.sessions import SESSION_COOKIE

NS = "/_event"
HYDRATE = "reflex___state____state.hydrate_and_load"
CLK = os.sysconf("SC_CLK_TCK")
SEARCHES = ["summit", "river tele", "nova", "golden swift", "harbor", "iron", "apex media"]


class Client:
    """One browser tab: a client token, a session cookie, one event in flight at a time."""

    def __init__(self, url: str, origin: str, path: str, cookie: str, query: str = ""):
        self.url, self.origin, self.cookie, self.query = url, origin, cookie, query
        self.router = {"pathname": path, "asPath": path}
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_event, namespace=NS)
        self._done: asyncio.Future | None = None
        self.replies: list = []  # the frames of the last event
        self._heard = 0.0
        self._until = "is_hydrated_rx_state_"

    async def _on_event(self, data) -> None:
        self.replies.append(data)
        self._heard = time.monotonic()
        # Reflex 0.10 marks no frame as an event's last: an event is answered when the
        # var it ends by setting arrives.
        if self._done is not None and not self._done.done():
            delta = data.get("delta") or {}
            if any(self._until in values for values in delta.values()):
                self._done.set_result(data)

    async def connect(self) -> None:
        self._done = asyncio.get_running_loop().create_future()
        await self.sio.connect(
            f"{self.url}?token={uuid.uuid4()}{self.query}",
            socketio_path="/_event",
            namespaces=[NS],
            transports=["websocket"],
            headers={"Origin": self.origin, "Cookie": f"{SESSION_COOKIE}={self.cookie}"},
            auth={"event": {"name": HYDRATE, "payload": {}, "router_data": self.router}},
            wait_timeout=60,
        )
        await asyncio.wait_for(self._done, 120)
        # The page's on_load events answer after the hydration: wait until they have.
        while time.monotonic() - self._heard < 1.0:
            await asyncio.sleep(0.2)

    async def send(self, name: str, payload: dict, path: str, until: str) -> float:
        """Milliseconds from emitting the event to the delta that sets the var ``until``."""
        self._done = asyncio.get_running_loop().create_future()
        self._until = until
        self.replies = []
        router = {"pathname": path, "asPath": path} if path else self.router
        started = time.perf_counter()
        await self.sio.emit(
            "event", {"name": name, "payload": payload, "router_data": router}, namespace=NS
        )
        await asyncio.wait_for(self._done, 120)
        return (time.perf_counter() - started) * 1000

    async def close(self) -> None:
        await self.sio.disconnect()


@dataclass
class Work:
    """What a client sends, in turn: (kind, handler, payload) for a role."""

    kind: str
    name: str
    payload: dict
    path: str = ""  # the page it is sent from, when not the tab's first
    until: str = "rows_rx_state_"  # the var the handler sets last (a refusal sets none)


@dataclass
class Result:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    cpu: float = 0.0  # server CPU seconds over the run

    @property
    def events(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def p(self, kind: str | None, q: float) -> float:
        values = sorted(v for k, vs in self.latencies.items() if kind in (None, k) for v in vs)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(q * len(values)))]

    def p50(self, kind: str | None = None) -> float:
        return statistics.median(
            v for k, vs in self.latencies.items() if kind in (None, k) for v in vs
        )


async def drive(clients: list[tuple[Client, list[Work]]], rounds: int, pids) -> Result:
    """Every client sends its work ``rounds`` times over, all at once; one event in flight
    per client (a person waits for the answer)."""
    result = Result()
    rnd = random.Random(1)

    async def one(client: Client, work: list[Work]) -> None:
        await asyncio.sleep(rnd.random() * 0.2)  # not all in the same millisecond
        for _ in range(rounds):
            for w in work:
                ms = await client.send(w.name, w.payload, w.path, w.until)
                result.latencies.setdefault(w.kind, []).append(ms)

    cpu_before, started = cpu_seconds(pids()), time.perf_counter()
    await asyncio.gather(*(one(c, w) for c, w in clients))
    result.seconds = time.perf_counter() - started
    result.cpu = cpu_seconds(pids()) - cpu_before
    return result


def group_pids(pgid: int) -> list[int]:
    """Every live process in the process group ``pgid`` (the server and its workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    found.append(int(entry))
            except ProcessLookupError:
                continue
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / CLK


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())

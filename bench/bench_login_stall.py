"""Does one login stall other users? (argon2 must run off the event loop.)

Starts the app as `make run` does, then measures the round trip of a cheap event
(`AppState.sync_identity`) for a logged-in client: first alone (the baseline), then while
other clients keep submitting logins. Prints both medians and their ratio. With hashing
on the event loop the ratio would approach the cost of a hash (~225 ms) over a few ms.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal_app.devserver import serve  # noqa: E402
from portal_app.state.auth import LoginState  # noqa: E402
from portal_app.state.base import AppState  # noqa: E402

NS = "/_event"
ROUTER = {"pathname": "/", "asPath": "/"}
SAMPLES = 40


async def connect(url: str) -> tuple[socketio.AsyncClient, asyncio.Queue]:
    sio = socketio.AsyncClient(reconnection=False)
    queue: asyncio.Queue = asyncio.Queue()
    sio.on("event", lambda data: queue.put_nowait(data), namespace=NS)
    await sio.connect(
        f"{url}?token={uuid.uuid4()}",
        socketio_path="/_event",
        namespaces=[NS],
        transports=["websocket"],
        headers={"Origin": url},
        auth={
            "event": {
                "name": "reflex___state____state.hydrate_and_load",
                "payload": {},
                "router_data": ROUTER,
            }
        },
    )
    await asyncio.sleep(1.0)
    return sio, queue


async def round_trip(sio, queue, name: str, payload: dict) -> float:
    while not queue.empty():
        queue.get_nowait()
    start = time.perf_counter()
    await sio.emit("event", {"name": name, "payload": payload, "router_data": ROUTER}, namespace=NS)
    await asyncio.wait_for(queue.get(), 10)
    return time.perf_counter() - start


async def measure(url: str) -> tuple[float, float, int]:
    probe, queue = await connect(url)
    login = f"{LoginState.get_full_name()}.submit_password"
    await round_trip(
        probe,
        queue,
        login,
        {"form_data": {"email": "admin@example.com", "password": "admin-password-1"}},
    )
    await asyncio.sleep(1.0)
    cheap = f"{AppState.get_full_name()}.sync_identity"

    async def samples() -> list[float]:
        out = []
        for _ in range(SAMPLES):
            out.append(await round_trip(probe, queue, cheap, {}))
            await asyncio.sleep(0.05)
        return out

    idle = await samples()
    stop = asyncio.Event()
    logins = 0

    async def hammer():
        nonlocal logins
        sio, q = await connect(url)
        while not stop.is_set():
            # a wrong password for a throwaway address: full argon2 cost, no lock-out
            await round_trip(
                sio,
                q,
                login,
                {
                    "form_data": {
                        "email": f"x{uuid.uuid4().hex[:8]}@example.com",
                        "password": "wrong-pass-1",
                    }
                },
            )
            logins += 1
        await sio.disconnect()

    hammers = [asyncio.create_task(hammer()) for _ in range(2)]
    await asyncio.sleep(1.0)
    busy = await samples()
    stop.set()
    await asyncio.gather(*hammers)
    await probe.disconnect()
    return statistics.median(idle), statistics.median(busy), logins


def main() -> None:
    log = Path("test-artifacts/bench-server.log")
    with serve(log) as served:
        idle, busy, logins = asyncio.run(measure(served.url))
    print(f"cheap event round trip, idle:             {idle * 1000:7.1f} ms (baseline)")
    print(f"cheap event round trip, during {logins:3d} logins: {busy * 1000:7.1f} ms")
    print(f"ratio busy/idle: {busy / idle:.2f}")


if __name__ == "__main__":
    main()

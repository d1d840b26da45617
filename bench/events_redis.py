"""bench/events.py with Redis as the state manager: 1, 2 and 3 workers, then 500
connected portal tabs (50 of them active) on 3 workers."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from events_load import Result, load_average, rss_bytes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def redis_phases(args, env, logins, host, embedded: Result, skip: set, log) -> None:
    import redis
    from events import app_argv, line, run_load, server

    from portal_app.devserver import free_port
    from tests.redisserver import running

    n = max(int(x) for x in args.loads.split(","))
    base = embedded.cpu / embedded.events
    with running() as redis_url:
        store = redis.Redis.from_url(redis_url)
        env = dict(env, PORTAL_REDIS_URL=redis_url)
        if "redis" not in skip:
            for workers in (1, 2, 3):
                port = free_port()
                env.update(GRANIAN_WORKERS=str(workers), PORTAL_PORT=str(port))
                with server(app_argv(port), env, port, log) as pids:
                    url = f"http://127.0.0.1:{port}"
                    r = asyncio.run(run_load(url, logins, n, args.rounds, pids, host))
                print(line(f"redis, {workers} worker(s)", r), flush=True)
                print(
                    f"{'':<22} CPU/ev / embedded's: {r.cpu / r.events / base:.2f}; "
                    f"load average {load_average()}",
                    flush=True,
                )
        if "sessions" in skip:
            return
        port = free_port()
        env.update(GRANIAN_WORKERS="3", PORTAL_PORT=str(port))
        with server(app_argv(port), env, port, log) as pids:
            url = f"http://127.0.0.1:{port}"
            asyncio.run(_many(url, logins, host, pids, store, args))


async def _many(url, logins, host, pids, store, args) -> None:
    from events import tabs
    from events_load import drive

    total = args.sessions
    # Warm the workers (first events import and compile) before measuring memory.
    warm = tabs(url, logins, 3, host, False)[0]
    await asyncio.gather(*(c.connect() for c, _ in warm))
    await drive(warm, 1, pids)
    await asyncio.gather(*(c.close() for c, _ in warm))
    await asyncio.sleep(2)
    redis_before, rss_before = store.info("memory")["used_memory"], rss_bytes(pids())
    idle = [c for c, _ in tabs(url, logins, total - 50, host, False, True)[0]]
    clients = []
    for i in range(0, len(idle), 25):  # in batches, as a crowd arrives
        batch = idle[i : i + 25]
        await asyncio.gather(*(c.connect() for c in batch))
        clients += batch
    active = tabs(url, logins, 50, host, False, True)[0]
    await asyncio.gather(*(c.connect() for c, _ in active))
    connected = len(clients) + len(active)
    r = await drive(active, args.rounds, pids)
    await asyncio.sleep(1)
    redis_after, rss_after = store.info("memory")["used_memory"], rss_bytes(pids())
    from events import line

    print(line(f"{connected} tabs, 50 active", r), flush=True)
    print(
        f"{'':<22} per connected tab: Redis {(redis_after - redis_before) / connected / 1024:.1f}"
        f" KB, workers' RSS {(rss_after - rss_before) / connected / 1024:.1f} KB; "
        f"load average {load_average()}",
        flush=True,
    )
    await asyncio.gather(*(c.close() for c in clients), *(c.close() for c, _ in active))

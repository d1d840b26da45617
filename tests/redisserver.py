"""A real Redis server on loopback for the multi-worker test (Debian's redis-server)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator

import redis

from portal_app.devserver import free_port


def available() -> bool:
    return shutil.which("redis-server") is not None


@contextlib.contextmanager
def running() -> Iterator[str]:
    """Start redis-server on a free port with no persistence; yields its URL."""
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="portal-redis-")
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)

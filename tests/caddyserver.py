"""A real Caddy (Debian's ``caddy``) on free ports, for the deploy tests.

Caddy keeps its autosaved config, data and certificates under HOME/XDG: all of it goes
into a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def binary() -> str:
    found = shutil.which("caddy")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("caddy is missing: `make test` installs it")
        pytest.skip("caddy is not installed (make test installs it)")
    return found


@contextlib.contextmanager
def running(caddyfile: str, wait_port: int, wait_host: str = "127.0.0.1") -> Iterator[Path]:
    """Run Caddy with ``caddyfile`` (``{storage}`` is replaced by a temporary folder)
    until ``wait_host:wait_port`` accepts connections; yields the folder."""
    tmp = Path(tempfile.mkdtemp(prefix="portal-caddy-"))
    config = tmp / "Caddyfile"
    config.write_text(caddyfile.replace("{storage}", str(tmp / "data")))
    env = dict(os.environ, HOME=str(tmp), XDG_CONFIG_HOME=str(tmp), XDG_DATA_HOME=str(tmp))
    log = tmp / "caddy.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [binary(), "run", "--config", str(config), "--adapter", "caddyfile"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"caddy exited:\n{log.read_text()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection((wait_host, wait_port), timeout=1),
            ):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"caddy did not listen:\n{log.read_text()}")
            time.sleep(0.1)
        yield tmp
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)

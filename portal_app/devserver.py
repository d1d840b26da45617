"""Start the app as `make run` does (`portal serve`) on a fresh database, for tests and
benchmarks. Not used by the app itself."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from portal_app.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    url: str
    db_url: str
    log: Path
    env: dict[str, str]
    proc: subprocess.Popen

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


def _start(env: dict[str, str], log: Path) -> subprocess.Popen:
    out = open(log, "a")  # noqa: SIM115 (the child keeps writing to it)
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "portal"), "serve"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_ready(served: Served, timeout: float = 900) -> None:
    """Wait for the backend and the login page (the first build installs npm packages)."""
    deadline = time.monotonic() + timeout
    while True:
        if served.proc.poll() is not None:
            raise RuntimeError(f"portal serve exited early:\n{served.log.read_text()[-3000:]}")
        try:
            if (
                httpx.get(f"{served.url}/ping", timeout=2).status_code == 200
                and httpx.get(f"{served.url}/login", timeout=5, follow_redirects=True).status_code
                == 200
            ):
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"app did not start in time; see {served.log}")
        time.sleep(1)


def restart(served: Served) -> None:
    """Stop and start the same app on the same database and port."""
    served.stop()
    served.proc = _start(served.env, served.log)
    wait_ready(served)


@contextlib.contextmanager
def serve(log: Path, db_url: str | None = None, **extra_env: str) -> Iterator[Served]:
    """Serve on a free port and ``db_url`` (default: a new SQLite file)."""
    tmp = Path(tempfile.mkdtemp(prefix="portal-live-"))
    port = free_port()
    db_url = db_url or f"sqlite:///{tmp / 'live.db'}"
    env = dict(os.environ, PORTAL_DATABASE_URL=db_url, PORTAL_PORT=str(port), **extra_env)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    served = Served(f"http://localhost:{port}", db_url, log, env, _start(env, log))
    try:
        wait_ready(served)
        yield served
    finally:
        served.stop()

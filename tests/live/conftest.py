"""The app as `make run` starts it (`portal serve`), on a fresh temporary database.

One server for the whole test session: the first production build takes a while.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from portal_app.services.db import make_engine
from portal_app.settings import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveApp:
    def __init__(self, url: str, db_url: str, log: Path):
        self.url, self.db_url, self.log = url, db_url, log
        self.engine = make_engine(db_url)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)


@pytest.fixture(scope="session")
def live_app() -> LiveApp:
    tmp = Path(tempfile.mkdtemp(prefix="portal-live-"))
    port = _free_port()
    db_url = f"sqlite:///{tmp / 'live.db'}"
    env = dict(os.environ, PORTAL_DATABASE_URL=db_url, PORTAL_PORT=str(port))
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "live-server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "portal"), "serve"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 900  # the first build installs npm packages
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"portal serve exited early; see {log}:\n" + log.read_text()[-3000:]
                )
            try:
                if (
                    httpx.get(f"{url}/ping", timeout=2).status_code == 200
                    and httpx.get(f"{url}/login", timeout=5, follow_redirects=True).status_code
                    == 200
                ):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"app did not start in time; see {log}")
            time.sleep(1)
        yield LiveApp(url, db_url, log)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, live_app):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()

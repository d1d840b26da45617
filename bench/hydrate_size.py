"""How many bytes of state does a page load send, and a reconnect?

Starts the app as `make run` does and drives a real Chromium through the first screens
of both apps, counting the bytes of every Socket.IO frame the server sends:

  - control panel: the login page, then the dashboard after logging in;
  - brand portal: the login page, then the portal overview after logging in;
  - a reconnect (the page's WebSocket drops and Socket.IO reconnects), in full.

On a page's first hydrate the browser sends the hashes of the state it was compiled
with, and the server sends only what differs from it (Reflex's ``hydrate_and_load``),
so a portal customer is never sent the operator screens' state. A reconnect resends the
whole tree, because the browser no longer holds the defaults. The full tree's size is the
baseline each figure is divided by. Run: ``.venv/bin/python bench/hydrate_size.py``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from portal_app.devserver import serve  # noqa: E402

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# Keeps the page's WebSockets so the bench can drop them (a transport close: Socket.IO
# reconnects and rehydrates, as after a network change or a server restart).
SPY = """
window.__sockets = [];
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new Native(...args);
  window.__sockets.push(socket);
  return socket;
};
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, Native);
"""


class Frames:
    """Bytes and state names of the event frames the server sent since the last take()."""

    def __init__(self, page) -> None:
        self.sizes: list[int] = []
        self.states: set[str] = set()
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
        self.sizes.append(len(text.encode()))
        start = text.find("[")
        if start < 0:
            return
        try:
            message = json.loads(text[start:])
        except ValueError:
            return
        if isinstance(message, list) and len(message) == 2 and isinstance(message[1], dict):
            self.states.update((message[1].get("delta") or {}).keys())

    def take(self) -> tuple[int, int]:
        total, count = sum(self.sizes), len(self.states)
        self.sizes, self.states = [], set()
        return total, count


def _settle(page, frames: Frames) -> None:
    """Until the server has sent nothing for 1.5 s (at most 30 s)."""
    page.wait_for_load_state("networkidle")
    for _ in range(20):
        seen = len(frames.sizes)
        page.wait_for_timeout(1500)
        if len(frames.sizes) == seen and seen:
            return


def run(url: str) -> list[tuple[str, int, int]]:
    port = url.rsplit(":", 1)[1]
    rows: list[tuple[str, int, int]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, base, login, email, password, after in (
            (
                "control",
                f"http://localhost:{port}",
                "/login",
                "admin@example.com",
                "admin-password-1",
                "/",
            ),
            (
                "portal",
                f"http://acme.localhost:{port}",
                "/portal/login",
                "bea@bluebird.example",
                "bluebird-pass-1",
                "/portal",
            ),
        ):
            context = browser.new_context()
            context.add_init_script(SPY)
            page = context.new_page()
            frames = Frames(page)
            page.goto(base + login)
            _settle(page, frames)
            rows.append((f"{name}: login page, first load", *frames.take()))
            page.fill("#email", email)
            page.fill("#password", password)
            page.click("#login-submit")
            page.wait_for_url(lambda u: "/login" not in u)
            _settle(page, frames)
            frames.take()
            page.reload()
            _settle(page, frames)
            rows.append((f"{name}: {after} after login, first load", *frames.take()))
            page.evaluate("window.__sockets.forEach((s) => s.close())")
            page.wait_for_timeout(4000)
            _settle(page, frames)
            rows.append((f"{name}: reconnect (full tree)", *frames.take()))
            context.close()
        browser.close()
    return rows


def main() -> None:
    with serve(Path(tempfile.mkdtemp()) / "hydrate.log") as served:
        rows = run(served.url)
    full = max(size for label, size, _ in rows if "reconnect" in label) or 1
    print(f"{'what':48} {'bytes':>8} {'states':>7} {'/ full tree':>12}")
    for label, size, states in rows:
        print(f"{label:48} {size:8,} {states:7} {size / full:12.2f}")


if __name__ == "__main__":
    main()

"""``python -m tests.fakes.paypal``: a local PayPal in the foreground, until Ctrl-C."""

from __future__ import annotations

import contextlib
import threading

from . import paypal_server

if __name__ == "__main__":
    with paypal_server() as server:
        print(f"PORTAL_PAYPAL_API_BASE={server.url}")
        print(f"client id: {server.client_id}\nsecret:    {server.secret}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()

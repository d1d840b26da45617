"""Run the local PayPal on 127.0.0.1 (a thread of the test process) and drive it from tests."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from portal_app.devserver import free_port

from .routes import Api, Request
from .store import Account, Order, Store
from .webhooks import Delivery, Hooks

CLIENT_ID = "AaPayPalLocalClientId0000000000000000000000000000000000000000000000000000000000"
SECRET = "EEPayPalLocalSecret00000000000000000000000000000000000000000000000000000000000"
MERCHANT_EMAIL = "merchant@example.test"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Http

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        size = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=parts.path.rstrip("/") or "/",
            query=dict(parse_qsl(parts.query)),
            headers=self.headers,
            body=self.rfile.read(size) if size else b"",
        )
        reply = self.server.api.handle(request)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Paypal-Debug-Id", "local")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args) -> None:  # quiet in test output
        pass


class _Http(ThreadingHTTPServer):
    daemon_threads = True
    api: Api


class PayPalServer:
    """A running local PayPal. ``url`` is its API base (and its approval pages' host)."""

    def __init__(self, *, token_ttl: int = 32400, port: int | None = None):
        self.port = port or free_port()  # a fixed one: PORTAL_PAYPAL_API_BASE's
        self.url = f"http://127.0.0.1:{self.port}"
        self.client_id, self.secret = CLIENT_ID, SECRET
        self.store = Store(self.url, [Account(CLIENT_ID, SECRET, MERCHANT_EMAIL)], token_ttl)
        self.hooks = Hooks(self.url)
        self.store.on_event = self.hooks.emit
        self._http = _Http(("127.0.0.1", self.port), _Handler)
        self._http.api = Api(self.store, self.hooks, CLIENT_ID)
        self._thread = threading.Thread(
            target=self._http.serve_forever, args=(0.05,), name="paypal-http", daemon=True
        )

    def start(self) -> PayPalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self.hooks.stop()

    # --- for tests ---------------------------------------------------------------
    def add_account(self, client_id: str, secret: str, email: str) -> None:
        """Another REST app (another gateway's credentials) the server accepts."""
        self.store.accounts[client_id] = Account(client_id, secret, email)

    def register_webhook(
        self, url: str, event_types: tuple[str, ...] = ("*",), client_id: str | None = None
    ) -> str:
        """Subscribe ``url`` to the app's events; returns the webhook id to verify with."""
        return self.hooks.register(client_id or self.client_id, url, event_types).id

    def fail_next(self, endpoint: str, error: str, times: int = 1) -> None:
        """``endpoint``: token, create, capture, get, verify. ``error``:
        INTERNAL_SERVER_ERROR or SERVICE_UNAVAILABLE anywhere; for capture also
        INSTRUMENT_DECLINED (422, the order goes back to awaiting approval) or PENDING
        (the capture succeeds as PENDING; :meth:`complete_capture` clears it later)."""
        self.store.fail_next(endpoint, error, times)

    def expire_tokens(self) -> None:
        self.store.expire_tokens()

    def complete_capture(self, capture_id: str) -> None:
        self.store.complete_capture(capture_id)

    def resend(self, event_id: str) -> list[Delivery]:
        """Deliver a recorded event again, now (PayPal retries and duplicates)."""
        return self.hooks.resend(event_id)

    def drop_webhooks(self, drop: bool = True) -> None:
        """While on, events are recorded (``events``) but not delivered: a lost webhook."""
        self.hooks.drop = drop

    def wait_for_webhooks(self, timeout: float = 30.0) -> bool:
        """Until every queued webhook delivery was attempted."""
        return self.hooks.wait(timeout)

    @property
    def deliveries(self) -> list[Delivery]:
        return self.hooks.deliveries

    @property
    def events(self) -> list[dict]:
        return [event for _client, event in self.hooks.events.values()]

    @property
    def token_requests(self) -> int:
        return self.store.token_requests

    def order(self, order_id: str) -> Order:
        return self.store.order(None, order_id)


@contextlib.contextmanager
def paypal_server(**options) -> Iterator[PayPalServer]:
    """A local PayPal for the duration of the block."""
    server = PayPalServer(**options).start()
    try:
        yield server
    finally:
        server.stop()

"""A local SMS gateway for tests: a real HTTP server on loopback that checks a send
request as a provider would, and keeps what it received for the test to assert on.

``POST /send`` with HTTP Basic credentials (USERNAME, SECRET) and the fields ``to``,
``from``, ``text`` as a form or as JSON. Wrong or missing credentials: 401. A number
that is not E.164, or a missing field: 400 with a JSON error. Otherwise 200 with a
JSON message id.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

USERNAME = "AC-test-account"
SECRET = "sms-secret-key-123"
E164 = re.compile(r"\+[1-9][0-9]{7,14}")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    fields: dict[str, str]
    status: int


@dataclass
class SmsGateway:
    port: int
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/send"


def _fields(handler: BaseHTTPRequestHandler, body: bytes) -> dict[str, str]:
    kind = handler.headers.get("content-type", "")
    if kind.startswith("application/json"):
        data = json.loads(body or b"{}")
        return {str(k): str(v) for k, v in data.items()}
    return {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}


def _handler(gateway: SmsGateway) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{USERNAME}:{SECRET}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args) -> None:  # quiet test output
            return

        def _answer(self, status: int, payload: dict, fields: dict) -> None:
            # Recorded before the answer goes out: the client may look as soon as it has it.
            headers = {k.lower(): v for k, v in self.headers.items()}
            gateway.received.append(Received(self.path, headers, fields, status))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            fields = _fields(self, body)
            if self.path != "/send":
                self._answer(404, {"error": "no such endpoint"}, fields)
            elif self.headers.get("authorization") != expected:
                self._answer(401, {"error": "authentication failed"}, fields)
            elif not all(fields.get(k) for k in ("to", "from", "text")):
                self._answer(400, {"error": "to, from and text are required"}, fields)
            elif not (E164.fullmatch(fields["to"]) and E164.fullmatch(fields["from"])):
                self._answer(400, {"error": "invalid phone number"}, fields)
            else:
                self._answer(200, {"id": f"SM{len(gateway.received) + 1}"}, fields)

    return Handler


@contextlib.contextmanager
def sms_gateway() -> Iterator[SmsGateway]:
    """Start the gateway on a free loopback port; stop it afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    gateway = SmsGateway(port=server.server_address[1])
    server.RequestHandlerClass = _handler(gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

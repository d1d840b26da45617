"""deploy/body_limits.caddy in a real Caddy: large bodies only for CSV imports.

Caddy runs the deployed file in front of a stand-in upstream that reads every body to
the end (the app refuses early on its own, which would hide Caddy's limit), so the
answer shows what Caddy let through.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from portal_app.devserver import free_port
from portal_app.settings import PROJECT_ROOT
from tests import caddyserver

LIMITS = PROJECT_ROOT / "deploy" / "body_limits.caddy"
MB = 1024 * 1024
STATE = "reflex___state____state.portal_app___state___base____app_state"
IMPORT = f"{STATE}.portal_app___state___rate_cards____rate_cards_state.upload_import"
LOGO = f"{STATE}.portal_app___state___files____files_state.upload"


class _ReadAll(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        size = int(self.headers.get("Content-Length", "0"))
        seen = 0
        while seen < size and (chunk := self.rfile.read(min(MB, size - seen))):
            seen += len(chunk)
        body = f"read {seen}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class _Upstream(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # Caddy drops the connection of a body it stopped: expected here


@pytest.fixture(scope="module")
def edge() -> Iterator[str]:
    upstream = _Upstream(("127.0.0.1", 0), _ReadAll)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port, http_port = free_port(), free_port()
    config = f"""{{
	admin off
	skip_install_trust
	http_port {http_port}
	storage file_system {{storage}}
}}

http://127.0.0.1:{port} {{
	import {LIMITS}
	reverse_proxy 127.0.0.1:{upstream.server_address[1]}
}}
"""
    try:
        with caddyserver.running(config, port):
            yield f"http://127.0.0.1:{port}"
    finally:
        upstream.shutdown()


def post(url: str, size: int, handler: str | None = None) -> httpx.Response:
    headers = {"Reflex-Event-Handler": handler} if handler else {}
    return httpx.post(url, content=b"x" * size, headers=headers, timeout=60)


def refused(answer: httpx.Response) -> bool:
    # Caddy 2.6 answers 502 when a proxied body passes max_size (later releases: 413).
    return answer.status_code in (413, 502) and not answer.text.startswith("read")


def test_only_the_import_upload_may_be_large(edge):
    big = 6 * MB
    imported = post(f"{edge}/_upload", big, IMPORT)
    assert (imported.status_code, imported.text) == (200, f"read {big}")

    assert refused(post(f"{edge}/_upload", big, LOGO))
    assert refused(post(f"{edge}/_upload", big))
    assert refused(post(f"{edge}/api/export/cdr.csv", big, IMPORT))
    # A handler name that only contains the import's name is not the import.
    assert refused(post(f"{edge}/_upload", big, IMPORT + ".x"))

    small = MB
    for path, handler in (("/_upload", LOGO), ("/api/anything", None), ("/_upload", IMPORT)):
        answer = post(f"{edge}{path}", small, handler)
        assert (answer.status_code, answer.text) == (200, f"read {small}"), path

"""ASGI middleware: security headers on every response, the page CSP with the hashes of
each page's own inline scripts, and a neutral page for hosts that are not the app's.

Reflex serves the compiled pages as static files (some gzipped, some sent by path), so
an HTML response is held until it is complete, its inline scripts are hashed
(services/csp.py) and the policy goes into its headers. Other responses pass through
with the short resource policy. A host that is neither a control-panel host nor a
verified brand domain gets the "Portal not configured" page instead of the app: the
websocket refuses such origins (api/socket_origins.py), so the app could not run there.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
from pathlib import Path

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal_app.services import csp, tls_allow
from portal_app.services.brand_scripts import brand_scripts
from portal_app.services.hosts import normalize_host
from portal_app.services.policy import control_host
from portal_app.settings import get_settings

log = logging.getLogger("portal.edge")

MAX_PAGE_BYTES = 4 * 1024 * 1024  # a compiled page is ~10 KB; larger ones are not hashed
NEUTRAL_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
NEUTRAL_PAGE = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Portal not configured</title><style>body{margin:0;font-family:system-ui,sans-serif;
color:#1c2024;background:#fcfcfd}main{display:flex;flex-direction:column;align-items:center;
justify-content:center;height:100vh;gap:.5rem}h1{font-size:1.5rem;margin:0}p{color:#60646c;
margin:0}</style></head><body><main id="not-configured"><h1>Portal not configured</h1>
<p>There is nothing here yet.</p></main></body></html>
"""


def site_of(host_header: str) -> tuple[str, str | None]:
    """("control" | "brand" | "unknown", the brand's script origin) for a Host header."""
    host = normalize_host(host_header)
    if control_host(host):
        return "control", None
    if tls_allow.allow_list.allows(host):
        return "brand", brand_scripts.origin_for(host)
    return "unknown", None


def _decoded(body: bytes, encoding: str) -> bytes | None:
    if encoding in ("", "identity"):
        return body
    if encoding == "gzip":
        try:
            return gzip.decompress(body)
        except (OSError, EOFError):
            return None
    return None


class _Page:
    """One HTML response, held until its body is complete."""

    def __init__(self, start: Message):
        self.start: Message | None = start
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, body: bytes) -> bool:
        """Keep ``body``; False once the page is too large to hold."""
        self.chunks.append(body)
        self.size += len(body)
        return self.size <= MAX_PAGE_BYTES


def edge_headers(app: ASGIApp) -> ASGIApp:
    """Wrap the whole backend (pages, API, uploads) with the headers above."""

    async def with_headers(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        site, script_origin = site_of(Headers(scope=scope).get("host", ""))
        common = csp.common_headers(production=get_settings().is_production)
        page: _Page | None = None

        def finish_start(start: Message, policy: str | None) -> Message:
            headers = MutableHeaders(scope=start)
            for name, value in common:
                headers.setdefault(name, value)
            if policy is not None and start["status"] != 304:
                # A 304 would overwrite the cached page's policy: it keeps its own.
                headers.setdefault("Content-Security-Policy", policy)
            return start

        async def send_page(body: bytes, more_body: bool = False) -> None:
            assert page is not None and page.start is not None
            headers = Headers(raw=page.start["headers"])
            if site == "unknown":
                await send_neutral(page.start["status"])
                return
            html = _decoded(body, headers.get("content-encoding", "").lower())
            if html is None:
                log.warning("cannot read a page to hash its scripts: %s", scope["path"][:200])
            hashes = csp.inline_script_hashes(html) if html is not None else []
            policy = csp.page_policy(
                script_hashes=hashes, brand_script_origin=script_origin, payments=site == "brand"
            )
            await send(finish_start(page.start, policy))
            await send({"type": "http.response.body", "body": body, "more_body": more_body})

        async def send_neutral(status: int) -> None:
            start = {
                "type": "http.response.start",
                "status": 404 if status < 400 else status,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(NEUTRAL_PAGE)).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
            await send(finish_start(start, NEUTRAL_POLICY))
            body = b"" if scope["method"] == "HEAD" else NEUTRAL_PAGE
            await send({"type": "http.response.body", "body": body})

        async def wrapped_send(message: Message) -> None:
            nonlocal page
            kind = message["type"]
            if kind == "http.response.start":
                content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
                if content_type.startswith("text/html") and message["status"] != 304:
                    page = _Page(message)
                    return
                await send(finish_start(message, csp.RESOURCE_POLICY))
                return
            if page is None or page.start is None:
                await send(message)
                return
            if kind == "http.response.pathsend":
                data = await asyncio.to_thread(Path(message["path"]).read_bytes)
                page.start["headers"] = [
                    (k, v) for k, v in page.start["headers"] if k.lower() != b"content-length"
                ] + [(b"content-length", str(len(data)).encode())]
                await send_page(data)
                page.start = None
                return
            if kind != "http.response.body":
                await send(message)
                return
            more = message.get("more_body", False)
            if page.add(message.get("body", b"")) and more:
                return
            body = b"".join(page.chunks)
            page.chunks = []
            await send_page(body, more_body=more)
            page.start = None  # anything after this streams through unchanged

        await app(scope, receive, wrapped_send)

    return with_headers

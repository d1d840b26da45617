"""The scheme the browser used, behind the trusted proxy (``REFLEX_TRUSTED_PROXY_HOPS``).

Caddy talks plain HTTP to the app and says in ``X-Forwarded-Proto`` that the browser
used HTTPS. Without this, every URL the app builds from the request (the trailing-slash
redirect of ``/login`` to ``/login/``, for one) said ``http://`` on an HTTPS-only port,
and the browser could not follow it: nothing loaded through Caddy. The header is read
only when a proxy is configured as trusted, because any client can send it.
"""

from __future__ import annotations

from reflex_base.config import get_config
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

_WEBSOCKET = {"http": "ws", "https": "wss"}


def forwarded_scheme(app: ASGIApp, hops: int | None = None) -> ASGIApp:
    """Wrap the backend: the request's scheme is the one the trusted proxy reports
    (``hops`` defaults to Reflex's ``trusted_proxy_hops``)."""
    hops = get_config().trusted_proxy_hops if hops is None else hops

    async def with_scheme(scope: Scope, receive: Receive, send: Send) -> None:
        if hops and scope["type"] in ("http", "websocket"):
            said = Headers(scope=scope).get("x-forwarded-proto", "")
            values = [part.strip().lower() for part in said.split(",") if part.strip()]
            if len(values) >= hops and values[-hops] in _WEBSOCKET:
                scheme = values[-hops]
                if scope["type"] == "websocket":
                    scheme = _WEBSOCKET[scheme]
                scope = dict(scope, scheme=scheme)
        await app(scope, receive, send)

    return with_scheme

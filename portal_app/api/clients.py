"""The client's address for a plain HTTP request, worked out as Reflex does for the
websocket (``REFLEX_TRUSTED_PROXY_HOPS``), so both sides of a login agree on it."""

from __future__ import annotations

from reflex_base.config import get_config
from starlette.requests import Request


def client_address(request: Request) -> str:
    address = request.client.host if request.client else ""
    hops = get_config().trusted_proxy_hops
    if hops:
        forwarded = [
            ip.strip() for ip in request.headers.get("x-forwarded-for", "").split(",") if ip.strip()
        ]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    return address[:64]

"""HTTP endpoints: the health check, and the TLS "ask" endpoint Caddy consults.

``/api/tls/ask`` decides whether Caddy may obtain a certificate for a host. Anyone can
make Caddy ask (by sending that SNI), so it answers from the in-memory allow-list
(``services/tls_allow.py``), never from the database, and every doubt is a 403.
"""

from __future__ import annotations

import asyncio
import logging

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import BaseRoute, Route

from portal_app.services import tls_allow
from portal_app.services.db import get_engine

log = logging.getLogger("portal.api")


def _db_ok() -> bool:
    try:
        with get_engine().connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        return False


async def health(_request: Request) -> JSONResponse:
    ok = await asyncio.to_thread(_db_ok)
    return JSONResponse(
        {"ok": ok, "database": "up" if ok else "down"}, status_code=200 if ok else 503
    )


async def tls_ask(request: Request) -> PlainTextResponse:
    """200 "ok" when ``domain`` is a verified brand domain, else 403 (Caddy's contract)."""
    try:
        if tls_allow.allow_list.allows(request.query_params.get("domain")):
            return PlainTextResponse("ok")
    except Exception:  # fail closed
        log.exception("TLS ask failed")
    return PlainTextResponse("not allowed", status_code=403)


def build_api(*extra_routes: BaseRoute) -> Starlette:
    """The Starlette app Reflex mounts; other features pass their routes in."""
    return Starlette(
        routes=[
            Route("/api/health", health, methods=["GET"]),
            Route("/api/tls/ask", tls_ask, methods=["GET"]),
            *extra_routes,
        ]
    )

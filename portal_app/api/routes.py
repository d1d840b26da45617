"""HTTP endpoints: health check for load balancers and the deploy scripts."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal_app.services.db import get_engine


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


def build_api() -> Starlette:
    return Starlette(routes=[Route("/api/health", health, methods=["GET"])])

"""Public files at stable URLs: ``GET /public/{name}`` (logos in brands' pages and mail).

The integrator mounts ``file_routes()`` on the app's Starlette API.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from portal_app.services.db import session_scope
from portal_app.services.files import file_get_by_name

PREFIX = "/public/"
# Short enough that a replaced logo shows within minutes; the ETag makes rechecks cheap.
CACHE_CONTROL = "public, max-age=300"


def public_file_url(name: str) -> str:
    """The stable URL of a public file, relative to the portal's host."""
    return PREFIX + quote(name, safe="")


def _load(name: str) -> tuple[bytes, str, str] | None:
    with session_scope() as session:
        row = file_get_by_name(session=session, name=name)
        return (row.data, row.content_type, row.sha256) if row else None


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: ``W/"x"`` matches ``"x"``."""
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


async def public_file(request: Request) -> Response:
    found = await asyncio.to_thread(_load, request.path_params["name"])
    if found is None:
        return PlainTextResponse("Not found", status_code=404)
    data, content_type, sha256 = found
    etag = f'"{sha256}"'
    headers = {
        "ETag": etag,
        "Cache-Control": CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
        # Only images are stored, but nothing here should ever run as a document.
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    if _etag_matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=content_type, headers=headers)


def file_routes() -> list[Route]:
    return [Route(PREFIX + "{name}", public_file, methods=["GET", "HEAD"], name="public_file")]

"""ASGI middleware: refuse oversized uploads before Reflex spools them to disk."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

MAX_UPLOAD_BYTES = 4 * 1024 * 1024  # logos are at most 2 MB; room for multipart framing
# CSV imports (CDRs, rate cards) may be large; only their handler gets the bigger limit.
MAX_IMPORT_BYTES = 256 * 1024 * 1024
IMPORT_HANDLER_SUFFIX = ".upload_import"


def _limit(headers: dict[bytes, bytes]) -> int:
    handler = headers.get(b"reflex-event-handler", b"").decode("latin-1")
    return MAX_IMPORT_BYTES if handler.endswith(IMPORT_HANDLER_SUFFIX) else MAX_UPLOAD_BYTES


def limit_upload_body(app: ASGIApp) -> ASGIApp:
    """Wrap the backend: a /_upload request larger than MAX_UPLOAD_BYTES gets 413."""

    async def guarded_app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/_upload"):
            await app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        limit = _limit(headers)
        try:
            declared = int(headers.get(b"content-length", b"0"))
        except ValueError:
            declared = limit + 1
        if declared > limit:
            await _too_large(send)
            return
        seen = 0

        async def counting_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise ValueError("upload larger than allowed")
            return message

        await app(scope, counting_receive, send)

    return guarded_app


async def _too_large(send: Send) -> None:
    body = b"File too large: logos can be at most 2 MB, CSV imports 256 MB."
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

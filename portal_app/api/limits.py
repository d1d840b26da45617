"""ASGI middleware in front of Reflex's ``POST /_upload``: who may upload, how much, and
how many at once, decided before Reflex reads (and spools to disk) any of the body.

The request names its handler in the ``reflex-event-handler`` header. The handler must
exist and take files; the session in the cookie must pass that handler's own rule
(the policy, services/policy.py, as the guard will ask again when the handler runs).
Only then does the size limit apply, and it is the named handler's: a client cannot
claim the import limit by naming the import handler without the Card permission. The
body is counted as it streams, whatever Content-Length said, and a session may run
only a few uploads at a time (the process a few more).
"""

from __future__ import annotations

import typing
from collections import Counter
from collections.abc import Callable

from reflex_base.registry import RegistrationContext
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal_app.services.offloop import run_blocking
from portal_app.services.policy import Rule, authorize
from portal_app.services.sessions import SESSION_COOKIE
from portal_app.state.guard import RULE_ATTR, UPLOAD_FILES

MAX_UPLOAD_BYTES = 4 * 1024 * 1024  # logos are at most 2 MB; room for multipart framing
# CSV imports (CDRs, rate cards) may be large; only their handler gets the bigger limit.
MAX_IMPORT_BYTES = 256 * 1024 * 1024
UPLOAD_LIMITS = {"portal_app.state.rate_cards.RateCardsState.upload_import": MAX_IMPORT_BYTES}
MAX_UPLOADS_PER_SESSION = 2
MAX_UPLOADS = 6  # per worker process: a bound on temporary disk and threads
RETRY_AFTER_SECONDS = 5


class UploadSlots:
    """Counts uploads in flight, per session and in all."""

    def __init__(self, per_session: int = MAX_UPLOADS_PER_SESSION, total: int = MAX_UPLOADS):
        self.per_session, self.total = per_session, total
        self._running: Counter[str] = Counter()

    def take(self, key: str) -> bool:
        if self._running[key] >= self.per_session or self._running.total() >= self.total:
            return False
        self._running[key] += 1
        return True

    def give_back(self, key: str) -> None:
        self._running[key] -= 1
        if self._running[key] <= 0:
            del self._running[key]


slots = UploadSlots()


def upload_handler(name: str) -> tuple[Callable, Rule] | None:
    """The guarded function and rule of the upload handler called ``name``, or None when
    no handler has that name, it takes no files, or it declares no rule."""
    registered = RegistrationContext.get().event_handlers.get(name)
    if registered is None:
        return None
    fn = registered.handler.fn
    rule = getattr(fn, RULE_ATTR, None)
    try:
        takes_files = UPLOAD_FILES in typing.get_type_hints(fn).values()
    except (NameError, TypeError):
        takes_files = False
    return (fn, rule) if takes_files and isinstance(rule, Rule) else None


def limit_for(fn: Callable) -> int:
    return UPLOAD_LIMITS.get(f"{fn.__module__}.{fn.__qualname__}", MAX_UPLOAD_BYTES)


def limit_upload_body(app: ASGIApp) -> ASGIApp:
    """Wrap the backend: every ``POST /_upload`` passes the checks above first."""

    async def guarded_app(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith("/_upload")
        ):
            await app(scope, receive, send)
            return
        request = Request(scope)  # headers and cookies only: the body is not touched
        found = upload_handler(request.headers.get("reflex-event-handler", ""))
        if found is None:
            await _refuse(send, 400, "Not an upload handler.")
            return
        fn, rule = found
        token = request.cookies.get(SESSION_COOKIE, "")
        host = request.headers.get("host", "")
        decision = await run_blocking(authorize, rule, token=token, host=host)
        if not decision.allowed:
            if decision.login or not token:
                await _refuse(send, 401, "Please log in.")
            else:
                await _refuse(send, 403, "Not allowed.")
            return
        limit = limit_for(fn)
        try:
            declared = int(request.headers.get("content-length", "0"))
        except ValueError:
            declared = limit + 1
        if declared > limit:
            await _too_large(send, limit)
            return
        if not slots.take(token):
            await _refuse(send, 429, "Too many uploads at once; try again in a moment.")
            return
        try:
            await _counted(app, scope, receive, send, limit)
        finally:
            slots.give_back(token)

    return guarded_app


async def _counted(app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int):
    """Run the upload, ending it with 413 as soon as the body passes ``limit``."""
    seen, over, started = 0, False, False

    async def counting_receive() -> Message:
        nonlocal seen, over
        if over:
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                # Reflex sees a client that went away and stops reading; we answer.
                over = True
                return {"type": "http.disconnect"}
        return message

    async def guarded_send(message: Message) -> None:
        nonlocal started
        if over:
            return  # whatever Reflex answers a client it thinks is gone
        started = started or message["type"] == "http.response.start"
        await send(message)

    await app(scope, counting_receive, guarded_send)
    if over and not started:
        await _too_large(send, limit)


async def _refuse(send: Send, status: int, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if status == 429:
        headers.append((b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
    headers.append((b"content-length", str(len(body)).encode()))
    # Connection: close, so a client still sending its body is not read further.
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send, limit: int) -> None:
    await _refuse(send, 413, f"File too large: at most {limit // (1024 * 1024)} MB here.")

"""``POST /api/session`` and ``POST /api/session/end``: the session cookie, set and cleared
by plain HTTP responses, so it can be HttpOnly (no script on the page ever reads it).
A session start also sets the device cookie (services/devices.py): this browser has
logged in to that account, so failed logins elsewhere cannot lock it out.

A login or password change over the websocket ends with a single-use ticket
(services/tickets.py); the page posts it here and gets the cookie and a redirect. Both
routes accept only same-origin posts (the Origin header, or Sec-Fetch-Site, must say
so): another site can neither log a visitor in to its own account nor out.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from portal_app import routes
from portal_app.models.base import utcnow
from portal_app.services.db import session_scope
from portal_app.services.devices import DEVICE_COOKIE, device_token_issue
from portal_app.services.hosts import normalize_host
from portal_app.services.offloop import run_blocking
from portal_app.services.policy import control_host
from portal_app.services.sessions import SESSION_COOKIE, session_revoke, session_row
from portal_app.services.tickets import ticket_claim
from portal_app.settings import get_settings

from .clients import client_address


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    host = normalize_host(request.headers.get("host", ""))
    if origin is not None:
        return bool(host) and normalize_host(origin) == host
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def _home(host: str) -> tuple[str, str]:
    """(where a new session lands, where a login starts) on this host."""
    if control_host(host):
        return routes.DASHBOARD, routes.LOGIN
    return routes.PORTAL, routes.PORTAL_LOGIN


def set_session_cookie(response: Response, token: str, max_age: int | None = None) -> None:
    """``max_age``: the session's own lifetime (My Account › Settings may change it)."""
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age or settings.session_days * 24 * 3600,
        path="/",
        httponly=True,
        secure=settings.is_production,
        samesite="strict",
    )


def clear_session_cookie(response: Response) -> None:
    settings = get_settings()
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        secure=settings.is_production,
        samesite="strict",
    )


def set_device_cookie(response: Response, device: str) -> None:
    """The browser's mark of a successful login (services/devices.py), as HttpOnly as
    the session cookie; it outlives sessions (PORTAL_DEVICE_DAYS)."""
    settings = get_settings()
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        max_age=settings.device_days * 24 * 3600,
        path="/",
        httponly=True,
        secure=settings.is_production,
        samesite="strict",
    )


def _claim(ticket: str, host: str, client_ip: str, user_agent: str, old: str):
    """(session token, device cookie value, seconds left) for a good ticket, else None."""
    with session_scope() as session:
        claimed = ticket_claim(
            session=session, ticket=ticket, host=host, client_ip=client_ip, user_agent=user_agent
        )
        if claimed is None:
            return None
        token, principal = claimed
        if old and old != token:
            session_revoke(session=session, token=old)  # rotation: the old session ends
        row = session_row(session=session, token=token, principal=principal)
        # An operator's "view as" session marks nothing: this browser is not the contact's.
        real = row is not None and row.viewer_id is None
        device = device_token_issue(principal=principal, user_id=row.user_id) if real else ""
        left = int((row.expires_at - utcnow()).total_seconds()) if row else 0
        return token, device, max(left, 1)


async def session_start(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Not allowed.", status_code=403)
    form = await request.form()
    ticket = str(form.get("ticket") or "")[:128]
    host = request.headers.get("host", "")
    landing, login = _home(host)
    claimed = await run_blocking(
        _claim,
        ticket,
        host,
        client_address(request),
        request.headers.get("user-agent", "")[:255],
        request.cookies.get(SESSION_COOKIE, ""),
    )
    if claimed is None:
        return RedirectResponse(f"{login}?expired=1", status_code=303)
    response = RedirectResponse(landing, status_code=303)
    set_session_cookie(response, claimed[0], claimed[2])
    if claimed[1]:
        set_device_cookie(response, claimed[1])
    response.headers["Cache-Control"] = "no-store"
    return response


def _end(token: str) -> None:
    with session_scope() as session:
        session_revoke(session=session, token=token)


async def session_end(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Not allowed.", status_code=403)
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        await run_blocking(_end, token)
    _landing, login = _home(request.headers.get("host", ""))
    response = RedirectResponse(login, status_code=303)
    clear_session_cookie(response)
    return response


def session_routes() -> list[Route]:
    return [
        Route("/api/session", session_start, methods=["POST"]),
        Route("/api/session/end", session_end, methods=["POST"]),
    ]

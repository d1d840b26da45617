"""The session token on the server side of the websocket: read from the handshake's
Cookie header (the browser's HttpOnly cookie), handed back as a single-use ticket.

No state var ever holds the token, so it never reaches page script. A login handler
calls :func:`hand_over`; the page then posts the ticket to ``/api/session``, whose
response sets the cookie (api/sessions.py), and a full page load follows, so the next
websocket carries the new cookie.
"""

from __future__ import annotations

import json
from http.cookies import CookieError, SimpleCookie
from typing import Any

import reflex as rx

from portal_app.services.db import session_scope
from portal_app.services.sessions import SESSION_COOKIE
from portal_app.services.tickets import ticket_issue


def session_token_of(state: Any) -> str:
    """The session token in this connection's cookie, or ""."""
    return cookie_of(state, SESSION_COOKIE)[:128]


def cookie_of(state: Any, name: str) -> str:
    """The value of cookie ``name`` in this connection's handshake, or ""."""
    raw = state.router.headers.cookie or ""
    if name not in raw:
        return ""
    try:
        jar = SimpleCookie()
        jar.load(raw)
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value[:200] if morsel else ""


def _post(action: str, fields: dict[str, str]) -> rx.event.EventSpec:
    """A script event that submits a POST form: the browser follows the response."""
    inputs = "".join(
        "i = document.createElement('input'); i.type = 'hidden'; "
        f"i.name = {json.dumps(k)}; i.value = {json.dumps(v)}; f.appendChild(i); "
        for k, v in fields.items()
    )
    return rx.call_script(
        "(() => { const f = document.createElement('form'); let i; "
        f"f.method = 'POST'; f.action = {json.dumps(action)}; {inputs}"
        "document.body.appendChild(f); f.submit(); })()"
    )


def hand_over(state: Any, token: str, principal: str) -> rx.event.EventSpec:
    """Start sending ``token`` to the browser as its HttpOnly session cookie."""
    client_ip, user_agent = state._client()
    with session_scope() as session:
        ticket = ticket_issue(
            session=session,
            token=token,
            principal=principal,
            host=state._host(),
            client_ip=client_ip,
            user_agent=user_agent,
        )
    return _post("/api/session", {"ticket": ticket})


def post_ticket(ticket: str) -> rx.event.EventSpec:
    """Post a ticket made elsewhere (an operator's "view as") to ``/api/session``."""
    return _post("/api/session", {"ticket": ticket})


def end_session() -> rx.event.EventSpec:
    """Clear the cookie (only an HTTP response can) and go to the login page."""
    return _post("/api/session/end", {})

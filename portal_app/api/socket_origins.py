"""The websocket (``/_event``) accepts only pages of this app: cross-site websocket
hijacking defence.

A browser always sends the page's Origin with a websocket handshake, and a foreign site
could otherwise open the app's websocket from its own page. Reflex hands its setting
``cors_allowed_origins`` (which rxconfig.py sets to the control panel's origins, for
HTTP CORS) to python-engineio, which checks the Origin of each handshake; here that
check is replaced by a function that also admits verified brand domains, answered from
the in-memory allow-list (services/tls_allow.py), so a handshake costs no database read.
A client that sends no Origin is not a browser, so it carries no one's cookies: it is
let through and the guard decides, as for every event.
"""

from __future__ import annotations

import logging
from typing import Any

from portal_app.services import tls_allow
from portal_app.services.origins import own_origin
from portal_app.settings import get_settings

log = logging.getLogger("portal.edge")


def socket_origin_allowed(origin: str | None, _environ: dict | None = None) -> bool:
    """engineio's ``cors_allowed_origins`` callable: True for the app's own origins."""
    allowed = own_origin(
        origin,
        control_hosts=get_settings().control_hosts,
        is_brand=tls_allow.allow_list.allows,
    )
    if not allowed:
        log.warning("refused a websocket from a foreign origin: %s", str(origin)[:200])
    return allowed


def restrict_socket_origins(app: Any) -> None:
    """Make the app's Socket.IO server admit only ``socket_origin_allowed`` origins."""
    app.sio.eio.cors_allowed_origins = socket_origin_allowed

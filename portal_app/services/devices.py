"""Browsers that logged in before: the device cookie.

A successful login's ``/api/session`` answer (api/sessions.py) also sets an HttpOnly
``cp_device`` cookie naming the account it logged in to, signed with the secret key.
Past the login limits such a browser is slowed down rather than refused
(services/login_throttle.py), so nobody can lock an owner out of their own account
by failing logins in their name from elsewhere.
"""

from __future__ import annotations

import hmac
import time

from portal_app.settings import get_settings

from .crypto import token_hash

DEVICE_COOKIE = "cp_device"


def _mac(principal: str, user_id: int, issued: int) -> str:
    return token_hash(f"device|{principal}|{user_id}|{issued}")


def device_token_issue(*, principal: str, user_id: int, now: float | None = None) -> str:
    """The cookie value for a browser that just logged in as this account."""
    issued = int(now if now is not None else time.time())
    return f"{principal}.{user_id}.{issued}.{_mac(principal, user_id, issued)}"


def device_trusted(*, token: str, principal: str, user_id: int, now: float | None = None) -> bool:
    """True when ``token`` is this account's device cookie, signed here and not older
    than ``PORTAL_DEVICE_DAYS``."""
    parts = str(token or "")[:200].split(".")
    if len(parts) != 4 or parts[0] != principal or parts[1] != str(user_id):
        return False
    if not parts[2].isdigit():
        return False
    issued = int(parts[2])
    age = (now if now is not None else time.time()) - issued
    if not 0 <= age <= get_settings().device_days * 86400:
        return False
    return hmac.compare_digest(parts[3], _mac(principal, user_id, issued))

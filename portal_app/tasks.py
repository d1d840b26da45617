"""Lifespan tasks: app-wide periodic work that runs beside the web server."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlmodel import delete

from portal_app.models import AuthSession, LoginFailure
from portal_app.models.base import utcnow
from portal_app.services.auth import THROTTLE_WINDOW
from portal_app.services.db import session_scope

log = logging.getLogger("portal.tasks")
PURGE_EVERY_SECONDS = 3600


def purge_expired() -> tuple[int, int]:
    """Drop sessions that ended over a day ago and failures outside the window."""
    now = utcnow()
    with session_scope() as session:
        old = now - timedelta(days=1)
        sessions = session.exec(
            delete(AuthSession).where(
                (AuthSession.expires_at < old) | (AuthSession.revoked_at < old)
            )
        ).rowcount
        failures = session.exec(
            delete(LoginFailure).where(LoginFailure.at < now - THROTTLE_WINDOW)
        ).rowcount
    return sessions, failures


async def purge_loop() -> None:
    while True:
        try:
            await asyncio.to_thread(purge_expired)
        except Exception:  # a bad run must not stop the next one
            log.exception("purging expired sessions failed")
        await asyncio.sleep(PURGE_EVERY_SECONDS)

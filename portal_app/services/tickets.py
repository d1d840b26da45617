"""Handing a new session to the browser as an HttpOnly cookie.

Logins run over the websocket, where no response can set an HttpOnly cookie, and a
cookie script can set is a cookie every script can read. So a login (or a password
change, which rotates the session) ends with ``ticket_issue``: the new session's token
is kept here, encrypted, for one minute under a random single-use ticket. The page
posts the ticket to ``/api/session`` (api/sessions.py), whose answer sets the cookie
with ``ticket_claim``. The ticket only works once, within the minute, on the host and
for the client (address and browser) it was issued to.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, delete, select

from portal_app.models import SessionTicket
from portal_app.models.base import utcnow

from .crypto import decrypt_secret, encrypt_secret, new_token, token_hash
from .hosts import normalize_host

TICKET_SECONDS = 60


def ticket_issue(
    *,
    session: Session,
    token: str,
    principal: str,
    host: str,
    client_ip: str = "",
    user_agent: str = "",
) -> str:
    """Keep ``token`` for the browser to collect; returns the ticket to post."""
    ticket = new_token()
    now = utcnow()
    session.add(
        SessionTicket(
            ticket_hash=token_hash(ticket),
            token_enc=encrypt_secret(token),
            principal=principal,
            host=normalize_host(host),
            client_ip=client_ip[:64],
            user_agent=user_agent[:255],
            created_at=now,
            expires_at=now + timedelta(seconds=TICKET_SECONDS),
        )
    )
    return ticket


def ticket_claim(
    *, session: Session, ticket: str, host: str, client_ip: str, user_agent: str
) -> tuple[str, str] | None:
    """(session token, principal) for a live ticket presented by its own client, once.

    The claim is one conditional UPDATE whose row count decides, so two requests with
    the same ticket cannot both get the session.
    """
    if not ticket or len(ticket) > 128:
        return None
    now = utcnow()
    key = token_hash(ticket)
    row = session.exec(select(SessionTicket).where(SessionTicket.ticket_hash == key)).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    if row.host != normalize_host(host) or row.client_ip != client_ip[:64]:
        return None
    if row.user_agent != user_agent[:255]:
        return None
    token, principal = decrypt_secret(row.token_enc), row.principal
    claimed = session.execute(
        sa.update(SessionTicket)
        .where(SessionTicket.id == row.id, SessionTicket.used_at.is_(None))
        .values(used_at=now, token_enc="")  # the token leaves with the claim
    )
    if claimed.rowcount != 1:
        return None
    return token, principal


def tickets_purge(*, session: Session) -> int:
    """Remove used and expired tickets (their tokens with them)."""
    now = utcnow()
    gone = session.exec(
        delete(SessionTicket).where(
            (SessionTicket.expires_at < now) | SessionTicket.used_at.is_not(None)
        )
    )
    return gone.rowcount

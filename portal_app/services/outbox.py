"""The transactional outbox: mail is written with the change that causes it, and sent
later by a lifespan task (tasks.outbox_loop), so a rollback sends nothing and a send
that fails is retried instead of lost.

Sending is safe with several app workers: a message is claimed with one conditional
UPDATE (``... WHERE id = ? AND <still due>``) and only the sender whose update changed
the row sends it. That holds on SQLite (one writer at a time) and on PostgreSQL (an
UPDATE re-checks its WHERE on the row it waited for). A claim is a lease: a sender that
dies mid-send leaves a message that is due again when the lease ends. Attempts are
counted at claim time, so a message that crashes its sender still runs out of tries.

No transaction is open while the SMTP server is talked to.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from portal_app.models import OutboxMessage, OutboxStatus, PortalDomain
from portal_app.models.base import utcnow
from portal_app.settings import get_settings

from .crypto import decrypt_secret, encrypt_secret
from .db import session_scope
from .emails import Email
from .mail import MailError, SmtpConfig, send_mail, smtp_for_domain

log = logging.getLogger("portal.outbox")

MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min apart: about an hour of trying
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
LEASE = timedelta(minutes=2)  # far longer than one send (a few network steps of 10 s)
NO_SMTP = "No SMTP configured for this brand or the account."
UNREADABLE = "The message can no longer be read (the portal's secret key changed)."
_WAITING = (OutboxStatus.QUEUED.value, OutboxStatus.FAILED.value)

_listeners: list[Callable[[], None]] = []


def outbox_on_enqueue(callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` (from any thread) after a transaction that queued mail commits,
    so the sender in this process can start at once instead of at its next tick.
    Returns the function that stops it."""
    _listeners.append(callback)
    return lambda: _listeners.remove(callback) if callback in _listeners else None


def _wake(session: Session) -> None:
    session.info.pop("outbox_wake", None)
    for callback in list(_listeners):
        try:
            callback()
        except Exception:  # a dead event loop must not break the caller's commit
            log.exception("waking the outbox sender failed")


def wake_after_commit(session: Session) -> None:
    """Wake the senders once ``session``'s transaction commits (a no-op without any)."""
    if _listeners and not session.info.get("outbox_wake"):
        session.info["outbox_wake"] = True
        sa.event.listen(session, "after_commit", _wake, once=True)


def mailbox_enabled() -> bool:
    """Development keeps mail that has no SMTP in the built-in mailbox."""
    return get_settings().env == "development"


def outbox_enqueue(*, session: Session, email: Email) -> OutboxMessage:
    """Queue ``email`` in the caller's transaction: it is sent only if that commits."""
    row = OutboxMessage(
        recipient=email.to,
        subject=email.subject,
        text_enc=encrypt_secret(email.text),
        html_enc=encrypt_secret(email.html) if email.html else "",
        domain_id=email.domain_id,
        brand=email.brand,
        kind=email.kind,
    )
    session.add(row)
    wake_after_commit(session)
    return row


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: doubling from 30 s, at most 1 h."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _due(now: datetime):
    m = OutboxMessage
    return sa.or_(
        sa.and_(m.status.in_(_WAITING), m.next_attempt_at <= now),
        sa.and_(m.status == OutboxStatus.SENDING.value, m.claim_until < now),
    )


def outbox_due(*, session: Session, now: datetime, limit: int = 20) -> list[int]:
    """Ids of messages due now, oldest first (a lapsed lease counts as due)."""
    return list(
        session.exec(
            select(OutboxMessage.id)
            .where(_due(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        ).all()
    )


def outbox_claim(*, session: Session, message_id: int, worker: str, now: datetime) -> bool:
    """Take one due message for ``worker``; False when another sender has it (or it is
    not due). Run it as the first statement of its transaction and commit right after."""
    result = session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _due(now))
        .values(
            status=OutboxStatus.SENDING.value,
            claimed_by=worker[:64],
            claim_until=now + LEASE,
            attempts=OutboxMessage.attempts + 1,
        )
    )
    return result.rowcount == 1


@dataclass(frozen=True)
class _Outgoing:
    to: str
    subject: str
    text: str
    html: str
    config: SmtpConfig | None
    attempts: int


def _load(session: Session, message_id: int) -> _Outgoing | str:
    """The claimed message with the SMTP it goes through, or why it cannot be read."""
    row = session.get(OutboxMessage, message_id)
    domain = session.get(PortalDomain, row.domain_id) if row.domain_id else None
    try:
        text = decrypt_secret(row.text_enc)
        html = decrypt_secret(row.html_enc) if row.html_enc else ""
    except ValueError:
        return UNREADABLE
    config = smtp_for_domain(session=session, domain=domain)
    return _Outgoing(row.recipient, row.subject, text, html, config, row.attempts)


def _record(
    engine: sa.Engine | None, message_id: int, worker: str, now: datetime, **values
) -> None:
    """Store the outcome, unless the lease was lost to another sender meanwhile."""
    with session_scope(engine) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.claimed_by == worker[:64],
                OutboxMessage.status == OutboxStatus.SENDING.value,
            )
            .values(claim_until=None, **values)
        )


def _failed(attempts: int, error: str, now: datetime, final: bool = False) -> dict:
    dead = final or attempts >= MAX_ATTEMPTS
    return {
        "status": (OutboxStatus.DEAD if dead else OutboxStatus.FAILED).value,
        "last_error": error[:500],
        "next_attempt_at": now + backoff(attempts),
    }


def outbox_send_one(
    message_id: int,
    *,
    worker: str,
    engine: sa.Engine | None = None,
    now: datetime | None = None,
) -> str | None:
    """Claim and send one message; its new status, or None when it was not ours to send.

    Without any SMTP, development delivers to the built-in mailbox (Setup › Email
    Log › Mailbox); elsewhere the message fails with NO_SMTP and is retried.
    """
    now = now or utcnow()
    with session_scope(engine) as session:
        if not outbox_claim(session=session, message_id=message_id, worker=worker, now=now):
            return None
        out = _load(session, message_id)
    if isinstance(out, str):
        values = _failed(MAX_ATTEMPTS, out, now, final=True)
    elif out.config is None and mailbox_enabled():
        values = {"status": OutboxStatus.SENT.value, "delivered_to_mailbox": True, "sent_at": now}
        values["last_error"] = ""
    elif out.config is None:
        values = _failed(out.attempts, NO_SMTP, now)
    else:
        try:
            send_mail(out.config, to=out.to, subject=out.subject, body=out.text, html=out.html)
        except MailError as exc:
            log.warning("email %s to %s failed: %s", message_id, out.to, exc.message)
            values = _failed(out.attempts, exc.message, now)
        else:
            values = {"status": OutboxStatus.SENT.value, "sent_at": now, "last_error": ""}
            values["delivered_to_mailbox"] = False
    _record(engine, message_id, worker, now, **values)
    return values["status"]


def default_worker() -> str:
    """This process's name as a sender: host and process id."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def outbox_send_due(
    *,
    engine: sa.Engine | None = None,
    now: datetime | None = None,
    worker: str | None = None,
    limit: int = 20,
) -> int:
    """Send every due message (up to ``limit``), one after another; how many this
    sender handled. Blocks on the network: the lifespan task runs it in a thread."""
    worker = worker or default_worker()
    with session_scope(engine) as session:
        ids = outbox_due(session=session, now=now or utcnow(), limit=limit)
    handled = 0
    for message_id in ids:
        try:
            # A fresh clock per message (unless given): a slow batch must not claim
            # with a lease that has already run out.
            status = outbox_send_one(message_id, worker=worker, engine=engine, now=now)
        except Exception:  # one bad message must not hold up the others
            log.exception("sending email %s failed", message_id)
            continue
        handled += status is not None
    return handled

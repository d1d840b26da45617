"""Setup › Email Log: what the outbox did with each message, and the development mailbox.

The log shows metadata only (recipient, subject, brand, status, attempts, last error),
never a body: bodies can hold live set-password and confirmation links, and an operator
who could read them could log in as a customer's contact. The one place bodies are
shown is the mailbox, and it exists only with ``PORTAL_ENV=development``, where nothing
is sent anyway: it holds the messages that had no SMTP to go through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from portal_app.models import (
    AccountConfig,
    Area,
    Customer,
    OutboxMessage,
    OutboxStatus,
    PortalDomain,
)
from portal_app.models.base import utcnow

from .audit import audit_record
from .crypto import decrypt_secret
from .errors import Conflict, NotFound, PermissionDenied
from .identity import Actor
from .mail import smtp_for_domain
from .outbox import mailbox_enabled, wake_after_commit

STATUSES = [s.value for s in OutboxStatus]
MAILBOX_NOTE = (
    "No SMTP is configured, so the email is in the development mailbox: "
    "Setup › Email Log › Mailbox."
)
WAITING_NOTE = (
    "No SMTP is configured, so the email waits in the outbox until one is set up "
    "(Setup › Email Log)."
)
_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class LogEntry:
    """One message as the Email Log shows it: no body."""

    id: int
    at: datetime
    to: str
    subject: str
    brand: str
    kind: str
    status: str
    in_mailbox: bool
    attempts: int
    last_error: str
    sent_at: datetime | None


@dataclass(frozen=True)
class LogPage:
    rows: list[LogEntry]
    total: int


def _require(actor: Actor) -> None:
    if not actor.can(Area.SETUP):
        raise PermissionDenied()


def _entry(m: OutboxMessage) -> LogEntry:
    return LogEntry(
        id=m.id,
        at=m.created_at,
        to=m.recipient,
        subject=m.subject,
        brand=m.brand,
        kind=m.kind,
        status=m.status,
        in_mailbox=m.delivered_to_mailbox,
        attempts=m.attempts,
        last_error=m.last_error,
        sent_at=m.sent_at,
    )


def outbox_list(
    *,
    session: Session,
    actor: Actor,
    status: str = "",
    search: str = "",
    offset: int = 0,
    limit: int = 25,
    mailbox: bool = False,
) -> LogPage:
    """Messages newest first, optionally of one status or to/about ``search``.
    ``mailbox`` keeps those delivered to the development mailbox (development only)."""
    _require(actor)
    if mailbox:
        _require_mailbox()
    where = []
    if status in STATUSES:
        where.append(OutboxMessage.status == status)
    if search.strip():
        like = f"%{search.strip()[:100]}%"
        where.append(OutboxMessage.recipient.ilike(like) | OutboxMessage.subject.ilike(like))
    if mailbox:
        where.append(OutboxMessage.delivered_to_mailbox.is_(True))
    rows = session.exec(
        select(OutboxMessage)
        .where(*where)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .offset(max(offset, 0))
        .limit(max(min(limit, 200), 1))
    ).all()
    total = session.exec(select(func.count()).select_from(OutboxMessage).where(*where)).one()
    return LogPage(rows=[_entry(m) for m in rows], total=total)


def outbox_resend(*, session: Session, actor: Actor, message_id: int) -> LogEntry:
    """Queue a message again with fresh attempts (after fixing SMTP, or for a lost mail)."""
    _require(actor)
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound("That email no longer exists.")
    if row.status in (OutboxStatus.QUEUED.value, OutboxStatus.SENDING.value):
        raise Conflict("This email is already waiting to be sent.")
    before = {"status": row.status, "attempts": row.attempts}
    row.status, row.attempts, row.next_attempt_at = OutboxStatus.QUEUED.value, 0, utcnow()
    row.last_error, row.claimed_by, row.claim_until = "", "", None
    row.delivered_to_mailbox = False
    session.add(row)
    audit_record(
        session=session,
        actor=actor,
        action="email.resend",
        entity="outbox_message",
        entity_id=row.id,
        before=before,
        after={"status": row.status, "to": row.recipient, "subject": row.subject},
    )
    wake_after_commit(session)
    return _entry(row)


# The development mailbox -------------------------------------------------------------


@dataclass(frozen=True)
class MailboxMessage:
    """A message in full, with the links in it (to click through a demo)."""

    entry: LogEntry
    text: str
    links: list[str]


def _require_mailbox() -> None:
    if not mailbox_enabled():
        raise PermissionDenied("The mailbox exists only in development.")


def mailbox_get(*, session: Session, actor: Actor, message_id: int) -> MailboxMessage:
    """One message of the development mailbox, body included."""
    _require(actor)
    _require_mailbox()
    row = session.get(OutboxMessage, message_id)
    if row is None or not row.delivered_to_mailbox:
        raise NotFound("That email is not in the mailbox.")
    try:
        text = decrypt_secret(row.text_enc)
    except ValueError as exc:
        raise Conflict("This message can no longer be read (the secret key changed).") from exc
    return MailboxMessage(entry=_entry(row), text=text, links=_LINK.findall(text))


# Where mail goes, for toasts and the dashboard -----------------------------------------


def delivery_note(
    *, session: Session, domain_id: int | None = None, customer_id: int | None = None
) -> str:
    """ "" when a brand's mail (the customer's brand's; the account's for neither) has an
    SMTP server, else where it goes instead, in words for a toast."""
    if customer_id is not None:
        customer = session.get(Customer, customer_id)
        domain_id = customer.domain_id if customer else None
    domain = session.get(PortalDomain, domain_id) if domain_id else None
    if smtp_for_domain(session=session, domain=domain) is not None:
        return ""
    if mailbox_enabled():
        return MAILBOX_NOTE
    return WAITING_NOTE


@dataclass(frozen=True)
class MailReadiness:
    account_smtp: bool
    brands_without_smtp: list[str]  # brands whose mail has no server at all
    waiting: int  # queued or failed, still to be tried
    dead: int


def mail_readiness(*, session: Session) -> MailReadiness:
    """Which mail cannot go anywhere: brands without SMTP while the account has none."""
    account = session.get(AccountConfig, 1)
    account_smtp = bool(account and account.smtp_server.strip())
    brands = (
        []
        if account_smtp
        else list(
            session.exec(
                select(PortalDomain.brand_name)
                .where(PortalDomain.smtp_server == "")
                .order_by(PortalDomain.brand_name)
            ).all()
        )
    )
    counts = dict(
        session.exec(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.status.in_(["queued", "failed", "dead"]))
            .group_by(OutboxMessage.status)
        ).all()
    )
    return MailReadiness(
        account_smtp=account_smtp,
        brands_without_smtp=brands,
        waiting=counts.get("queued", 0) + counts.get("failed", 0),
        dead=counts.get("dead", 0),
    )


STOPPED_FLOWS = (
    "sign-up confirmations, set-password links, approval and rejection emails, "
    "low-balance alerts and login alerts"
)
WHERE_TO_SET = (
    "Set SMTP Details (Setup › My Account › Personal Information) or a brand's SMTP "
    "(Setup › Integrations › Portal)."
)


def mail_warnings(*, session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(level, sentence) for the dashboard: which mail cannot leave and what it stops;
    level "info" in development (the mailbox has it), else "warning". Only for
    operators who can fix it (Setup or Portal)."""
    if not (actor.can(Area.SETUP) or actor.can(Area.PORTAL)):
        return []
    ready = mail_readiness(session=session)
    found: list[tuple[str, str]] = []
    if not ready.account_smtp:
        who = ", ".join(ready.brands_without_smtp + ["the account"])
        if mailbox_enabled():
            found.append(
                (
                    "info",
                    f"No SMTP server is configured for {who}: their email goes to the "
                    "built-in mailbox (Setup › Email Log › Mailbox), as this is development.",
                )
            )
        elif ready.brands_without_smtp:
            found.append(
                (
                    "warning",
                    f"No SMTP server is configured for {who}, so their email is not sent: "
                    f"{STOPPED_FLOWS} wait in the outbox. {WHERE_TO_SET}",
                )
            )
        else:
            found.append(
                (
                    "warning",
                    "No SMTP server is configured for the account, so login alerts and the "
                    "low-balance alerts of customers without a portal domain are not sent. "
                    + WHERE_TO_SET,
                )
            )
    if ready.dead:
        found.append(
            (
                "warning",
                f"{ready.dead} email{'s' if ready.dead != 1 else ''} could not be sent after "
                "every retry: see Setup › Email Log.",
            )
        )
    return found

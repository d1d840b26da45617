"""The account's SMTP Details (spec 004, Personal Information): view and save them,
and send the test message through the account's or a brand's SMTP. Sending itself is
``mail.send_mail``.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from portal_app.models import AccountConfig, Area, PortalDomain
from portal_app.models.base import utcnow

from .audit import audit_record, snapshot
from .crypto import replaced_secret
from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .mail import send_mail, smtp_for_domain
from .smtp_guard import MailError, smtp_server_problem
from .validation import check_email, normalize_email

TEST_SUBJECT = "Carrier Portal test email"
SMTP_FIELDS = ["smtp_email", "smtp_username", "smtp_server", "smtp_from"]


def _require_setup(actor: Actor) -> None:
    if not actor.can(Area.SETUP):
        raise PermissionDenied()


def _view(row: AccountConfig) -> dict[str, Any]:
    return {
        "email": row.smtp_email,
        "username": row.smtp_username,
        "server": row.smtp_server,
        "from": row.smtp_from,
        "has_password": bool(row.smtp_password_enc),
    }


def account_smtp_view(*, session: Session, actor: Actor) -> dict[str, Any]:
    """The account's SMTP Details; whether a password is set, never the password."""
    _require_setup(actor)
    return _view(session.get(AccountConfig, 1) or AccountConfig(id=1))


def _clean_smtp(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    errors: dict[str, str] = {}
    clean = {
        "smtp_email": normalize_email(data.get("email")),
        "smtp_from": normalize_email(data.get("from")),
        "smtp_username": str(data.get("username") or "").strip(),
        "smtp_server": str(data.get("server") or "").strip(),
    }
    for key, form_key in (("smtp_email", "email"), ("smtp_from", "from")):
        if clean[key] and (msg := check_email(clean[key])):
            errors[form_key] = msg
    username = clean["smtp_username"]
    if len(username) > 255 or any(ord(c) < 32 for c in username):
        errors["username"] = "Use at most 255 characters, on one line."
    if clean["smtp_server"] and (msg := smtp_server_problem(clean["smtp_server"])):
        errors["server"] = msg
    return clean, errors


def account_smtp_update(*, session: Session, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Save the SMTP Details. An empty password keeps the stored one;
    ``clear_password`` removes it. Returns the view of ``account_smtp_view``."""
    _require_setup(actor)
    clean, errors = _clean_smtp(data)
    password = str(data.get("password") or "")
    clear = bool(data.get("clear_password"))
    if len(password) > 256:
        errors["password"] = "Use at most 256 characters."
    elif password and clear:
        errors["password"] = "Type a new password or remove the saved one, not both."
    if errors:
        raise ValidationError(errors)
    existing = session.get(AccountConfig, 1)
    row = existing or AccountConfig(id=1)
    before = snapshot(row, SMTP_FIELDS) if existing else None
    for key, value in clean.items():
        setattr(row, key, value)
    row.smtp_password_enc, change = replaced_secret(row.smtp_password_enc, password, clear)
    row.updated_at = utcnow()
    session.add(row)
    audit_record(
        session=session,
        actor=actor,
        action="config.smtp_update",
        entity="account_config",
        entity_id=1,
        before=before,
        after=snapshot(row, SMTP_FIELDS) | {"password": change},
    )
    return _view(row)


def smtp_test(*, session: Session, actor: Actor, to: str, domain_id: int | None = None) -> str:
    """Send the test message through a brand's SMTP (or the account's); returns the
    server's answer. Blocks on the network: call it in a thread."""
    domain = None
    if domain_id is None:
        _require_setup(actor)
    else:
        if not actor.can(Area.PORTAL):
            raise PermissionDenied()
        domain = session.get(PortalDomain, domain_id)
        if domain is None:
            raise NotFound("That domain no longer exists.")
    to = normalize_email(to)
    if msg := check_email(to):
        raise ValidationError({"to": msg})
    config = smtp_for_domain(session=session, domain=domain)
    if config is None:
        raise MailError("No SMTP server is set up yet: fill in SMTP Details and save them.")
    body = (
        "This is a test email from Carrier Portal.\n\n"
        f"It was sent through {config.server} at the request of {actor.label}.\n"
    )
    return send_mail(config, to=to, subject=TEST_SUBJECT, body=body)

"""Outgoing mail: the account's SMTP Details (spec 004) and each brand's own SMTP.

Network I/O here is synchronous; callers in the app run it in a thread. SMTP
passwords stay encrypted in ``SmtpConfig`` and are decrypted only in ``send_mail``,
so a config can be passed around and logged without exposing them.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid
from typing import Any

from sqlmodel import Session

from portal_app.models import AccountConfig, Area, PortalDomain
from portal_app.models.base import utcnow

from .audit import audit_record, snapshot
from .crypto import decrypt_secret, encrypt_secret
from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .offloop import check_off_loop
from .smtp_guard import (
    DEFAULT_PORT,
    MailError,
    PinnedSMTP,
    PinnedSMTPSSL,
    SmtpRules,
    parse_server,
    resolve_checked,
    smtp_reply,
    smtp_rules,
    smtp_server_problem,
)
from .validation import check_email, normalize_email

__all__ = ["DEFAULT_PORT", "MailError", "SmtpConfig", "parse_server", "send_mail", "smtp_test"]
TEST_SUBJECT = "Carrier Portal test email"
SMTP_FIELDS = ["smtp_email", "smtp_username", "smtp_server", "smtp_from"]


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send. The password stays encrypted (see the module docstring)."""

    server: str
    username: str = ""
    from_address: str = ""
    password_enc: str | None = field(default=None, repr=False)

    @classmethod
    def create(
        cls, *, server: str, username: str = "", password: str = "", from_address: str = ""
    ) -> SmtpConfig:
        """A config from a plain password (tests, one-off sends)."""
        enc = encrypt_secret(password) if password else None
        return cls(server=server, username=username, from_address=from_address, password_enc=enc)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def smtp_for_domain(*, session: Session, domain: PortalDomain | None = None) -> SmtpConfig | None:
    """The brand's own SMTP when it has a server, else the account's, else None."""
    if domain is not None and domain.smtp_server.strip():
        return SmtpConfig(
            server=domain.smtp_server.strip(),
            username=domain.smtp_username,
            from_address=domain.smtp_from,
            password_enc=domain.smtp_password_enc,
        )
    account = session.get(AccountConfig, 1)
    if account is None or not account.smtp_server.strip():
        return None
    return SmtpConfig(
        server=account.smtp_server.strip(),
        username=account.smtp_username,
        from_address=account.smtp_from or account.smtp_email,
        password_enc=account.smtp_password_enc,
    )


def _answer(code: int, text: bytes | str, where: str) -> str:
    """The server's reply as shown; anything that is not an SMTP reply is not shown."""
    if (reply := smtp_reply(code, text)) is None:
        raise MailError(f"The server {where} did not answer like an SMTP server.")
    return reply


def _build(config: SmtpConfig, to: str, subject: str, body: str, html: str) -> EmailMessage:
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["From"] = config.from_address
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain=config.from_address.rpartition("@")[2] or None)
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def _peer(smtp: smtplib.SMTP) -> str:
    try:
        return str(smtp.sock.getpeername()[0]) if smtp.sock else ""
    except OSError:
        return ""


def _deliver(smtp: smtplib.SMTP, config: SmtpConfig, where: str, msg: EmailMessage) -> str:
    code, text = smtp.ehlo()
    if code != 250:
        _answer(code, text, where)  # raises for a listener of another protocol
        code, text = smtp.helo()  # an old server that wants HELO
        if code != 250:
            raise MailError(f"The server refused the greeting: {_answer(code, text, where)}")
    if not isinstance(smtp, smtplib.SMTP_SSL) and smtp.has_extn("starttls"):
        smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo()
    if config.username:
        # A password is never sent in the clear across a network; only a relay on
        # this machine (and the test server) may take it without TLS.
        if not smtp.sock or not (isinstance(smtp.sock, ssl.SSLSocket) or _is_loopback(_peer(smtp))):
            raise MailError(
                "The server does not offer STARTTLS, so the password would travel "
                "unencrypted. Use port 465 or a server that supports STARTTLS."
            )
        try:
            password = decrypt_secret(config.password_enc) if config.password_enc else ""
        except ValueError as exc:
            raise MailError(
                "The saved SMTP password can no longer be read (the portal's secret key "
                "changed). Enter the password again."
            ) from exc
        smtp.login(config.username, password)
    code, text = smtp.mail(config.from_address)
    if code != 250:
        raise MailError(
            f"The server refused the sender {config.from_address}: {_answer(code, text, where)}"
        )
    code, text = smtp.rcpt(msg["To"])
    if code not in (250, 251):
        raise MailError(
            f"The server refused the recipient {msg['To']}: {_answer(code, text, where)}"
        )
    code, text = smtp.data(msg.as_bytes())
    if code != 250:
        raise MailError(f"The server refused the message: {_answer(code, text, where)}")
    return _answer(code, text, where)


def _connect(host: str, port: int, addresses: list[str], timeout: float) -> smtplib.SMTP:
    """A session with the server at one of the checked ``addresses``."""
    if port == 465:
        conn: smtplib.SMTP = PinnedSMTPSSL(addresses, timeout, ssl.create_default_context())
    else:
        conn = PinnedSMTP(addresses, timeout)
    try:
        code, text = conn.connect(host, port)
        if code != 220:  # smtplib checks the greeting only when connecting in __init__
            raise smtplib.SMTPConnectError(code, text)
    except BaseException:
        conn.close()
        raise
    return conn


def send_mail(
    config: SmtpConfig,
    *,
    to: str,
    subject: str,
    body: str,
    html: str = "",
    timeout: float = 10,
    rules: SmtpRules | None = None,
) -> str:
    """Send one message (plain text, with ``html`` as its alternative when given);
    returns the server's answer to it (e.g. ``250 OK``). ``rules`` say which servers
    may be used (default: this deployment's, see services/smtp_guard.py).

    Blocks for up to ``timeout`` seconds per network step: call it in a thread.
    """
    check_off_loop("sending mail")
    try:
        host, port = parse_server(config.server)
    except ValueError as exc:
        raise MailError(f"The SMTP server {config.server!r} is not host or host:port.") from exc
    if not config.from_address:
        raise MailError("No From Email Address is set for this SMTP server.")
    where = f"{host}:{port}"
    slow = f"The server {where} did not answer within {timeout:g} seconds."
    try:
        msg = _build(config, to, subject, body, html)
    except ValueError as exc:  # a line break in an address or the subject
        raise MailError(f"The message could not be built: {exc}") from exc
    addresses = resolve_checked(host, port, rules or smtp_rules())
    try:
        with _connect(host, port, addresses, timeout) as smtp:
            return _deliver(smtp, config, where, msg)
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        answer = _answer(exc.smtp_code, exc.smtp_error, where)
        raise MailError(f"The server refused the username or password: {answer}") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(
            "The server does not accept a login (no AUTH). Clear the username."
        ) from exc
    except smtplib.SMTPResponseException as exc:  # SMTPConnectError too: a bad greeting
        answer = _answer(exc.smtp_code, exc.smtp_error, where)
        raise MailError(f"The server answered with an error: {answer}") from exc
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, TimeoutError):  # smtplib rewraps a read timeout
            raise MailError(slow) from exc
        raise MailError(f"The server {where} closed the connection unexpectedly.") from exc
    except ConnectionRefusedError as exc:
        raise MailError(f"Could not connect to {where}: the connection was refused.") from exc
    except TimeoutError as exc:
        raise MailError(slow) from exc
    except ssl.SSLError as exc:
        raise MailError(f"A secure connection to {where} failed: {exc.reason or exc}.") from exc
    except (OSError, smtplib.SMTPException) as exc:  # local causes: no server text here
        raise MailError(f"Could not send through {where}: {exc}.") from exc


# Account SMTP Details --------------------------------------------------------------


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
    change = "unchanged"
    if password:
        row.smtp_password_enc, change = encrypt_secret(password), "changed"
    elif clear and row.smtp_password_enc:
        row.smtp_password_enc, change = None, "removed"
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

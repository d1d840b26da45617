"""Outgoing mail: which SMTP server a brand sends through (its own or the account's)
and sending one message through it. The account's SMTP Details form and the test
message are in ``smtp_details``.

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

from sqlmodel import Session

from portal_app.models import AccountConfig, PortalDomain

from .crypto import decrypt_secret, encrypt_secret
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
)

__all__ = ["DEFAULT_PORT", "MailError", "SmtpConfig", "parse_server", "send_mail"]


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

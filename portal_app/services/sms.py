"""Text messages through the SMS gateway the operator configures (My Account ›
Personal Information › SMTP Details: "From Mobile number" and "Test Mobile").

The gateway is an HTTP API of the usual shape: ``POST <url>`` with HTTP Basic
credentials (username or account id, and the API key or secret) and the form fields
``to``, ``from`` and ``text``. The secret is stored encrypted like the SMTP password,
and the form's empty secret box means "unchanged". Sending blocks on the network (one
call, with a timeout): call it in a worker thread, never on the event loop.

In production the gateway must be ``https`` and its name must resolve to public
addresses only (services/smtp_guard.address_problem, the SMTP rule), unless it is one
of PORTAL_SMTP_INTERNAL_HOSTS: the URL is typed by operators and the test shows the
answer, which must not make the portal a probe of its own network.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlmodel import Session

from portal_app.models import AccountConfig, Area, OperatorUser
from portal_app.models.base import utcnow

from .audit import audit_record, snapshot
from .crypto import decrypt_secret, replaced_secret
from .errors import PermissionDenied, ServiceError, ValidationError
from .identity import Actor
from .offloop import check_off_loop
from .smtp_guard import SmtpRules, address_problem, smtp_rules
from .validation import PHONE_MESSAGE, check_phone, format_phone, normalize_phone

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
SMS_FIELDS = ["smtp_from_mobile", "sms_url", "sms_username"]
TEST_TEXT = "This is a test SMS from Carrier Portal."
URL_HINT = "Enter the gateway's address, like https://sms.example.com/api/send."


class SmsError(ServiceError):
    """The message was not sent; ``message`` says why in plain words."""


@dataclass(frozen=True)
class SmsConfig:
    url: str
    username: str
    secret: str
    sender: str  # E.164


def _require_setup(actor: Actor) -> None:
    if not actor.can(Area.SETUP):
        raise PermissionDenied()


def _view(row: AccountConfig) -> dict[str, Any]:
    return {
        "from_mobile": format_phone(row.smtp_from_mobile),  # stored E.164, shown grouped
        "url": row.sms_url,
        "username": row.sms_username,
        "has_secret": bool(row.sms_secret_enc),
    }


def account_sms_view(*, session: Session, actor: Actor) -> dict[str, Any]:
    """The gateway settings; whether a secret is saved, never the secret."""
    _require_setup(actor)
    return _view(session.get(AccountConfig, 1) or AccountConfig(id=1))


def url_problem(url: str, rules: SmtpRules | None = None) -> str | None:
    """The message for the gateway URL field, or None (checked without DNS)."""
    parts = urlsplit(url)
    production = (rules or smtp_rules()).production
    if parts.scheme not in ("https",) + (() if production else ("http",)) or not parts.hostname:
        return "Use an https:// address." if production and parts.scheme == "http" else URL_HINT
    if len(url) > 500 or parts.username or parts.password:
        return "Put the credentials in Username and Secret, not in the address."
    return None


def account_sms_update(*, session: Session, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Save From Mobile number and the gateway. An empty secret keeps the stored one;
    ``clear_secret`` removes it."""
    _require_setup(actor)
    errors: dict[str, str] = {}
    sender = str(data.get("from_mobile") or "").strip()[:40]
    region = (session.get(AccountConfig, 1) or AccountConfig()).country  # national numbers
    if sender and check_phone(sender, region):
        errors["from_mobile"] = PHONE_MESSAGE.replace("phone number", "mobile number")
    url = str(data.get("url") or "").strip()
    if url and (msg := url_problem(url)):
        errors["url"] = msg
    username = str(data.get("username") or "").strip()
    if len(username) > 255 or any(ord(c) < 32 for c in username):
        errors["username"] = "Use at most 255 characters, on one line."
    secret, clear = str(data.get("secret") or ""), bool(data.get("clear_secret"))
    if len(secret) > 256:
        errors["secret"] = "Use at most 256 characters."
    elif secret and clear:
        errors["secret"] = "Type a new secret or remove the saved one, not both."
    if errors:
        raise ValidationError(errors)
    existing = session.get(AccountConfig, 1)
    row = existing or AccountConfig(id=1)
    before = snapshot(row, SMS_FIELDS) if existing else None
    row.smtp_from_mobile = normalize_phone(sender, region) if sender else ""

    row.sms_url, row.sms_username = url, username
    row.sms_secret_enc, change = replaced_secret(row.sms_secret_enc, secret, clear)
    row.updated_at = utcnow()
    session.add(row)
    audit_record(
        session=session,
        actor=actor,
        action="config.sms_update",
        entity="account_config",
        entity_id=1,
        before=before,
        after=snapshot(row, SMS_FIELDS) | {"secret": change},
    )
    return _view(row)


def sms_config(*, session: Session) -> SmsConfig | None:
    """The account's gateway, or None until URL, secret and sender are all set."""
    row = session.get(AccountConfig, 1)
    if row is None or not (row.sms_url and row.sms_secret_enc and row.smtp_from_mobile):
        return None
    try:
        secret = decrypt_secret(row.sms_secret_enc)
    except ValueError as exc:
        raise SmsError("The saved secret can no longer be read: type it again.") from exc
    return SmsConfig(row.sms_url, row.sms_username, secret, row.smtp_from_mobile)


def _check_host(url: str, rules: SmtpRules) -> None:
    """Production: every address of the gateway's name must be public. (The name is
    looked up again by the client; the SMTP sender pins addresses, an HTTPS client
    checks the certificate against the name, which a rebinding cannot pass.)"""
    host = urlsplit(url).hostname or ""
    if not rules.production or host in rules.internal_hosts:
        return
    try:
        found = socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise SmsError(f"The gateway name {host} could not be found.") from exc
    for info in found:
        if words := address_problem(str(info[4][0]).split("%", 1)[0]):
            raise SmsError(f"{host} leads to {words}: the portal uses public SMS gateways only.")


def _answer(response: httpx.Response) -> str:
    """What the gateway said, short; only JSON or plain text (never an HTML page)."""
    kind = response.headers.get("content-type", "")
    if not kind.startswith(("application/json", "text/plain")):
        return f"HTTP {response.status_code}"
    text = " ".join(response.text.split())[:200]
    return f"HTTP {response.status_code}: {text}" if text else f"HTTP {response.status_code}"


def send_sms(config: SmsConfig, *, to: str, text: str, rules: SmtpRules | None = None) -> str:
    """Send ``text`` to ``to`` (E.164); the gateway's answer. Blocks: call it in a thread."""
    check_off_loop("SMS gateway")
    rules = rules or smtp_rules()
    if url_problem(config.url, rules):
        raise SmsError("The gateway address is not valid: correct it and save.")
    _check_host(config.url, rules)
    form = {"to": to, "from": config.sender, "text": text[:1600]}
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            response = client.post(config.url, data=form, auth=(config.username, config.secret))
    except httpx.TimeoutException as exc:
        raise SmsError("The gateway did not answer in time.") from exc
    except httpx.HTTPError as exc:
        raise SmsError(f"The gateway could not be reached ({type(exc).__name__}).") from exc
    if response.status_code in (401, 403):
        raise SmsError(f"The gateway refused the username or secret ({_answer(response)}).")
    if response.status_code == 400:
        raise SmsError(f"The gateway refused the message ({_answer(response)}).")
    if not response.is_success:
        raise SmsError(f"The gateway failed ({_answer(response)}).")
    return _answer(response)


def sms_test(*, session: Session, actor: Actor, to: str = "") -> str:
    """Send the test SMS to ``to``, or to one's own mobile (Personal Information);
    the gateway's answer. Blocks on the network: call it in a thread."""
    _require_setup(actor)
    if not to and actor.kind == "operator":
        me = session.get(OperatorUser, actor.id)
        to = me.mobile if me else ""
    if not to:
        raise ValidationError({"sms_to": "Enter the mobile number to send the test to."})
    if check_phone(to):
        raise ValidationError({"sms_to": PHONE_MESSAGE.replace("phone number", "mobile number")})
    config = sms_config(session=session)
    if config is None:
        raise SmsError("Set From Mobile number, the gateway address and its secret first.")
    return send_sms(config, to=normalize_phone(to), text=TEST_TEXT)

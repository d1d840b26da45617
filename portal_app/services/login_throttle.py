"""Failed logins, for operators and contacts alike: limits, slowing down, the alert.

Three limits (services/limiter.py, windows in settings):

- ``login``: failures of one account from one client address. Past it that client is
  refused for the account, others are not: nobody can lock an owner out from elsewhere.
- ``login_client``: failures from one client address over any accounts (guessing).
- ``login_alert``: failures of one account from anywhere. When they reach the limit,
  the owner is emailed once for that window; nothing is locked.

A browser with the account's device cookie (services/devices.py) is never refused by
the first two: it is slowed down by ``PORTAL_LOGIN_SLOW_SECONDS`` instead.
"""

from __future__ import annotations

from sqlmodel import Session

from portal_app.models import PortalDomain
from portal_app.settings import get_settings

from .dates import account_time_text
from .emails import email_compose
from .errors import Throttled
from .limiter import limit_full, limit_hit, limit_reset, rate
from .outbox import outbox_enqueue


def _account(principal: str, email: str) -> str:
    # Contacts and operators are counted apart: the same address may be both.
    return f"{principal}|{email}"


def _keys(principal: str, email: str, client: str) -> list[tuple[str, str]]:
    return [("login", f"{_account(principal, email)}|{client}"), ("login_client", client)]


def login_throttle_check(
    *, session: Session, principal: str, email: str, client: str, trusted: bool = False
) -> float:
    """Seconds to wait before checking the password (0 normally); raise Throttled when
    this client has failed too often and is not a ``trusted`` device of the account."""
    for name, key in _keys(principal, email, client):
        if limit_full(session=session, name=name, key=key):
            if trusted:
                return float(get_settings().login_slow_seconds)
            wait = rate(name).wait_words
            raise Throttled(f"Too many failed attempts. Wait {wait} and try again.")
    return 0.0


def login_throttle_fail(
    *,
    session: Session,
    principal: str,
    email: str,
    client: str,
    owner: str | None = None,
    domain: PortalDomain | None = None,
) -> bool:
    """Count a failure; the caller commits it even though the login fails. When the
    account's failures from anywhere reach ``login_alert``, email the ``owner`` (the
    account's name; None for an unknown email) under ``domain``'s brand. True when an
    alert was queued."""
    for name, key in _keys(principal, email, client):
        limit_hit(session=session, name=name, key=key)
    hits = limit_hit(session=session, name="login_alert", key=_account(principal, email))
    if owner is None or hits != rate("login_alert").amount:
        return False
    mail = email_compose(
        session=session,
        kind="login_failures",
        to=email,
        domain=domain,
        name=owner,
        email=email,
        failures=hits,
        window=rate("login_alert").wait_words,
        at=account_time_text(session=session),
        client=client or "unknown",
    )
    outbox_enqueue(session=session, email=mail)
    return True


def login_throttle_clear(*, session: Session, principal: str, email: str, client: str) -> None:
    """After a successful login: this client's failures for the account are forgiven."""
    limit_reset(session=session, name="login", key=_keys(principal, email, client)[0][1])

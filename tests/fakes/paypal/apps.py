"""The REST apps the local PayPal knows and the OAuth2 access tokens it hands them.

``POST /v1/oauth2/token`` takes HTTP Basic ``client_id:secret`` and
``grant_type=client_credentials``, as PayPal does, and refuses anything else with the
token endpoint's OAuth error shape. Each API call then needs ``Authorization: Bearer``
with a token that has not expired; orders and webhooks belong to the app whose token
made them.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import api_error, oauth_error


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def paypal_id(length: int = 17) -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(length))


@dataclass
class Account:
    """A REST app: its credentials and the merchant account that receives the money."""

    client_id: str
    secret: str
    email: str
    merchant_id: str = field(default_factory=lambda: paypal_id(13))


class Apps:
    def __init__(self, accounts: list[Account], token_ttl: int):
        self.accounts = {account.client_id: account for account in accounts}
        self.token_ttl = token_ttl
        self.lock = threading.RLock()
        self.tokens: dict[str, tuple[str, float]] = {}
        self.token_requests = 0

    def raise_injected(self, endpoint: str, keep: tuple[str, ...] = ()) -> str | None:
        return None  # failures are the store's

    # --- OAuth2 -----------------------------------------------------------------
    def issue_token(self, authorization: str | None, form: dict[str, str]) -> dict[str, Any]:
        """``POST /v1/oauth2/token``: HTTP Basic ``client_id:secret``, client credentials."""
        self.raise_injected("token")
        with self.lock:
            self.token_requests += 1
        account = self._basic(authorization)
        grant = form.get("grant_type")
        if not grant:
            raise oauth_error(400, "unsupported_grant_type", "Grant Type is NULL")
        if grant != "client_credentials":
            raise oauth_error(400, "unsupported_grant_type", "unsupported grant_type")
        token = "A21AA" + secrets.token_urlsafe(60)
        with self.lock:
            self.tokens[token] = (account.client_id, time.monotonic() + self.token_ttl)
        return {
            "scope": "https://uri.paypal.com/services/payments/payment "
            "https://uri.paypal.com/services/applications/webhooks",
            "access_token": token,
            "token_type": "Bearer",
            "app_id": "APP-" + paypal_id(17),
            "expires_in": self.token_ttl,
            "nonce": now_text() + secrets.token_urlsafe(16),
        }

    def _basic(self, authorization: str | None) -> Account:
        scheme, _, encoded = (authorization or "").partition(" ")
        try:
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            client_id = secret = ""
        account = self.accounts.get(client_id)
        ok = account is not None and secrets.compare_digest(account.secret, secret)
        if scheme.lower() != "basic" or not ok:
            raise oauth_error(401, "invalid_client", "Client Authentication failed")
        return account

    def client_for(self, authorization: str | None) -> str:
        """The app a ``Bearer`` token belongs to, or PayPal's 401."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise api_error("AUTHENTICATION_FAILURE")
        with self.lock:
            client_id, expires = self.tokens.get(token, ("", 0.0))
        if not client_id or time.monotonic() >= expires:
            raise oauth_error(401, "invalid_token", "Access Token not found in cache")
        return client_id

    def expire_tokens(self) -> None:
        """Every access token issued so far expires now (as after ``expires_in``)."""
        with self.lock:
            self.tokens.clear()

"""PayPal's REST API for the payment services: OAuth2, Orders v2, webhook verification.

Pure Python and blocking (httpx): every call first checks it is off the event loop
(``offloop.check_off_loop``); the app runs these through ``offloop.run_blocking``.

- The API base is a gateway's mode's (``api_base``): PayPal's live or sandbox host, or
  ``PORTAL_PAYPAL_API_BASE`` when set (the tests' local PayPal), for every mode.
- Access tokens are cached per API base and credentials until a minute before they
  expire; a 401 on an API call fetches a new one once and retries.
- Creating and capturing send a ``PayPal-Request-Id``, so a retry after a timeout gets
  PayPal's first answer instead of a second order or capture.
- Amounts are minor units here and PayPal's decimal strings on the wire
  (``paypal_amounts``); results are dataclasses in minor units.
- Refusals become ``services.errors``: bad credentials ``AuthFailed``, a bad amount or
  currency ``ValidationError``, an unknown order ``NotFound``, a business refusal
  (not approved, declined) ``PayPalRefused`` (a ``Conflict``), PayPal down or slow
  ``Unavailable``. Messages are for people; PayPal's debug id is kept for support.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping
from typing import Any

import httpx

from .errors import AuthFailed, NotFound, Unavailable, ValidationError
from .offloop import check_off_loop
from .paypal_amounts import paypal_value
from .paypal_errors import PayPalRefused, debug_note, json_body, refusal
from .paypal_results import PayPalOrder, order_from_json

LIVE_API_BASE = "https://api-m.paypal.com"
SANDBOX_API_BASE = "https://api-m.sandbox.paypal.com"
MODES = ("sandbox", "live")
TEXT_LIMIT = 127  # PayPal's limit for custom_id, invoice_id, description, brand_name
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
_EARLY = 60.0  # seconds before expiry a cached token is renewed
_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()
_WEBHOOK_HEADERS = {
    "auth_algo": "paypal-auth-algo",
    "cert_url": "paypal-cert-url",
    "transmission_id": "paypal-transmission-id",
    "transmission_sig": "paypal-transmission-sig",
    "transmission_time": "paypal-transmission-time",
}


def api_base(mode: str, override: str | None = None) -> str:
    """Where a gateway in ``mode`` ("sandbox" or "live") talks to PayPal.

    ``override`` (the ``PORTAL_PAYPAL_API_BASE`` setting) wins for both modes."""
    if mode not in MODES:
        raise ValidationError({"mode": "Choose sandbox or live."})
    if override:
        return override.rstrip("/")
    return LIVE_API_BASE if mode == "live" else SANDBOX_API_BASE


def _text(value: str | None, name: str) -> str | None:
    if value is not None and len(value) > TEXT_LIMIT:
        raise ValueError(f"{name} is longer than PayPal's {TEXT_LIMIT} characters")
    return value


class PayPalClient:
    """One gateway's credentials against one API base. Use as a context manager."""

    def __init__(self, *, client_id: str, secret: str, base_url: str, timeout=TIMEOUT):
        self.client_id = client_id
        self._secret = secret
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        self._key = (self.base_url, client_id, digest)

    def __enter__(self) -> PayPalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:  # never the secret
        return f"PayPalClient(client_id={self.client_id!r}, base_url={self.base_url!r})"

    # --- public operations ------------------------------------------------------
    def check_credentials(self) -> None:
        """Ask PayPal for a fresh access token: ``AuthFailed`` if it refuses these."""
        self._token(renew=True)

    def create_order(
        self,
        *,
        amount_minor: int,
        currency: str,
        request_id: str,
        return_url: str,
        cancel_url: str,
        custom_id: str | None = None,
        invoice_id: str | None = None,
        description: str | None = None,
        brand_name: str | None = None,
    ) -> PayPalOrder:
        """An Orders v2 order to capture ``amount_minor`` of ``currency``.

        ``request_id`` (the payment attempt's own id) makes a repeat return the same
        order. Send the payer to the result's ``approve_url``; PayPal sends them back to
        ``return_url`` (or ``cancel_url``) with ``?token=<order id>``."""
        value = paypal_value(amount_minor, currency)  # refuses what PayPal would
        amount = {"currency_code": currency.strip().upper(), "value": value}
        unit: dict[str, Any] = {"reference_id": "default", "amount": amount}
        for name, value in (
            ("custom_id", custom_id),
            ("invoice_id", invoice_id),
            ("description", description),
        ):
            if _text(value, name) is not None:
                unit[name] = value
        context = {
            "return_url": return_url,
            "cancel_url": cancel_url,
            "user_action": "PAY_NOW",
            "shipping_preference": "NO_SHIPPING",
        }
        if _text(brand_name, "brand_name"):
            context["brand_name"] = brand_name
        body = {
            "intent": "CAPTURE",
            "purchase_units": [unit],
            "payment_source": {"paypal": {"experience_context": context}},
        }
        return order_from_json(self._call("POST", "/v2/checkout/orders", body, request_id))

    def capture_order(self, order_id: str, *, request_id: str | None = None) -> PayPalOrder:
        """Capture an approved order; safe to repeat (the same order comes back).

        ``PayPalRefused`` with issue ``ORDER_NOT_APPROVED`` before the payer approved,
        ``INSTRUMENT_DECLINED`` when their funding source was declined. Read the result's
        ``completed_capture``: a capture can also be ``PENDING`` (a webhook follows)."""
        path = f"/v2/checkout/orders/{_path_id(order_id)}/capture"
        try:
            data = self._call("POST", path, {}, request_id or f"capture-{order_id}")
        except PayPalRefused as exc:
            if exc.issue != "ORDER_ALREADY_CAPTURED":
                raise
            return self.get_order(order_id)
        return order_from_json(data)

    def get_order(self, order_id: str) -> PayPalOrder:
        """The order as PayPal has it now (for reconciliation and the return page)."""
        return order_from_json(self._call("GET", f"/v2/checkout/orders/{_path_id(order_id)}"))

    def verify_webhook_signature(
        self, *, headers: Mapping[str, str], event: dict[str, Any], webhook_id: str
    ) -> bool:
        """True only when PayPal confirms it sent ``event`` (the parsed body, unchanged)
        with these ``PAYPAL-*`` headers to the webhook ``webhook_id``."""
        lower = {key.lower(): value for key, value in headers.items()}
        fields = {name: lower.get(header, "") for name, header in _WEBHOOK_HEADERS.items()}
        if not all(fields.values()) or not webhook_id or not isinstance(event, dict):
            return False
        body = {**fields, "webhook_id": webhook_id, "webhook_event": event}
        answer = self._call("POST", "/v1/notifications/verify-webhook-signature", body)
        return answer.get("verification_status") == "SUCCESS"

    # --- plumbing ---------------------------------------------------------------
    def _token(self, *, renew: bool = False) -> str:
        with _tokens_lock:
            cached = _tokens.get(self._key)
        if cached and not renew and time.monotonic() < cached[1]:
            return cached[0]
        response = self._send(
            "POST",
            "/v1/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(self.client_id, self._secret),
            headers={"Accept": "application/json"},
        )
        if response.status_code in (400, 401):
            raise AuthFailed(
                "PayPal refused this client ID and secret. Copy both from the same REST app "
                "in PayPal's developer dashboard: a sandbox app's for sandbox mode, a live "
                "app's for live mode."
            )
        data = json_body(response)
        token, lifetime = data.get("access_token"), data.get("expires_in", 0)
        if not isinstance(token, str) or not isinstance(lifetime, int):
            raise Unavailable("PayPal's answer to the token request was not understood.")
        with _tokens_lock:
            _tokens[self._key] = (token, time.monotonic() + max(lifetime - _EARLY, 0))
        return token

    def _call(self, method: str, path: str, body: Any = None, request_id: str | None = None):
        headers = {"Prefer": "return=representation", "Accept": "application/json"}
        if request_id:
            headers["PayPal-Request-Id"] = request_id
        for attempt in range(2):
            headers["Authorization"] = f"Bearer {self._token(renew=attempt > 0)}"
            response = self._send(method, path, json=body, headers=headers)
            if response.status_code != 401:
                break
        else:
            raise AuthFailed("PayPal no longer accepts this client ID and secret.")
        if response.is_success:
            return json_body(response)
        raise refusal(response, path)

    def _send(self, method: str, path: str, **options: Any) -> httpx.Response:
        check_off_loop("an HTTP call to PayPal")
        try:
            response = self._http.request(method, path, **options)
        except httpx.TimeoutException as exc:
            raise Unavailable("PayPal did not answer in time. Try again in a minute.") from exc
        except httpx.HTTPError as exc:
            raise Unavailable(f"PayPal could not be reached ({type(exc).__name__}).") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise Unavailable(
                f"PayPal is not available right now (HTTP {response.status_code}"
                f"{debug_note(response)}). Try again in a few minutes."
            )
        return response


def _path_id(value: str) -> str:
    if not value or not value.replace("-", "").isalnum():
        raise NotFound("That is not a PayPal order id.")
    return value

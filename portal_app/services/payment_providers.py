"""Payment providers behind one small interface: check credentials, create a payment,
ask about it, and read a webhook only after its signature is verified.

The payment services (services/payments.py) speak only this interface, so a provider
plugs in by implementing ``PaymentProvider`` and registering in ``PROVIDERS``. Stripe
is here. Providers get
the decrypted credentials for one call and never store them. PayPal lives in
services/payment_paypal.py (on services/paypal_client.py). Amounts are the
provider's smallest unit, which for Stripe is the currency's minor unit (its few
exceptions, e.g. HUF and ISK, are not offered: ``STRIPE_UNSUPPORTED``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import stripe

from portal_app.settings import get_settings

from .errors import ServiceError

STRIPE_TIMEOUT = 20  # seconds; a payment call is never on the event loop
STRIPE_UNSUPPORTED = frozenset({"HUF", "ISK", "TWD", "UGX"})  # Stripe's unit differs


class ProviderError(ServiceError):
    """The provider could not be reached or refused the call; ``message`` says which."""


class WebhookRefused(ServiceError):
    """A webhook that is not the provider's (signature, timestamp) or not readable."""


@dataclass(frozen=True)
class Credentials:
    mode: str
    public_key: str
    secret_key: str
    webhook_secret: str


@dataclass(frozen=True)
class ProviderPayment:
    """What the provider says about one payment, in our words."""

    ref: str  # pi_… / order id
    status: str  # pending, succeeded, failed, canceled
    amount: int  # smallest unit, what was (or will be) charged
    currency: str  # upper case
    attempt_id: int | None  # from the metadata we gave it
    customer_id: int | None
    client_secret: str = ""  # for the browser's confirmation; never stored
    approve_url: str = ""  # PayPal: where the payer approves the order


@dataclass(frozen=True)
class ProviderEvent:
    id: str
    type: str
    payment: ProviderPayment | None  # None: an event we do not act on


class PaymentProvider(Protocol):
    name: str

    def check(self, creds: Credentials) -> str: ...

    def create(
        self,
        creds: Credentials,
        *,
        amount: int,
        currency: str,
        attempt_id: int,
        customer_id: int,
        idempotency_key: str,
        description: str,
        return_url: str = "",
        cancel_url: str = "",
    ) -> ProviderPayment: ...

    def retrieve(self, creds: Credentials, ref: str) -> ProviderPayment: ...

    def read_webhook(
        self, creds: Credentials, payload: bytes, headers: Mapping[str, str]
    ) -> ProviderEvent: ...


def int_or_none(value: object) -> int | None:
    """An id a provider echoed back (metadata, custom_id), or None when it is not one."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


_STRIPE_STATUS = {
    "succeeded": "succeeded",
    "canceled": "canceled",
    # requires_payment_method after a try means the card was declined; the customer may
    # still try another card with the same intent, so it stays pending for us.
}
_STRIPE_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.processing",
}


class StripeProvider:
    """Stripe through its own library, at PORTAL_STRIPE_API_BASE."""

    name = "stripe"

    def _client(self, creds: Credentials) -> stripe.StripeClient:
        return stripe.StripeClient(
            creds.secret_key,
            base_addresses={"api": get_settings().stripe_api_base},
            max_network_retries=2,
            http_client=stripe.RequestsClient(timeout=STRIPE_TIMEOUT),
        )

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except stripe.AuthenticationError:
            raise ProviderError("Stripe refused the secret key.") from None
        except stripe.APIConnectionError:
            raise ProviderError("Stripe could not be reached. Try again later.") from None
        except stripe.StripeError as exc:
            message = getattr(exc, "user_message", None) or str(exc) or type(exc).__name__
            raise ProviderError(f"Stripe: {message[:300]}") from None

    def check(self, creds: Credentials) -> str:
        balance = self._call(self._client(creds).v1.balance.retrieve)
        live = getattr(balance, "livemode", None)
        if live is not None and bool(live) != (creds.mode == "live"):
            raise ProviderError("The key is for the other mode (test or live).")
        return "Stripe accepted the secret key."

    def _payment(self, intent) -> ProviderPayment:
        data = intent if isinstance(intent, Mapping) else intent.to_dict()
        metadata = data.get("metadata") or {}
        status = str(data.get("status") or "")
        received = data.get("amount_received")
        amount = received if status == "succeeded" and received else data.get("amount")
        return ProviderPayment(
            ref=str(data.get("id") or ""),
            status=_STRIPE_STATUS.get(status, "pending"),
            amount=int(amount or 0),
            currency=str(data.get("currency") or "").upper(),
            attempt_id=int_or_none(metadata.get("attempt_id")),
            customer_id=int_or_none(metadata.get("customer_id")),
            client_secret=str(data.get("client_secret") or ""),
        )

    def create(
        self,
        creds: Credentials,
        *,
        amount: int,
        currency: str,
        attempt_id: int,
        customer_id: int,
        idempotency_key: str,
        description: str,
        return_url: str = "",
        cancel_url: str = "",
    ) -> ProviderPayment:
        del return_url, cancel_url  # the card is confirmed in the page, nobody leaves
        params = {
            "amount": amount,
            "currency": currency.lower(),
            "metadata": {"attempt_id": str(attempt_id), "customer_id": str(customer_id)},
            "payment_method_types": ["card"],
        }
        intent = self._call(
            self._client(creds).v1.payment_intents.create,
            params=params,
            options={"idempotency_key": idempotency_key},
        )
        return self._payment(intent)

    def retrieve(self, creds: Credentials, ref: str) -> ProviderPayment:
        return self._payment(self._call(self._client(creds).v1.payment_intents.retrieve, ref))

    def read_webhook(
        self, creds: Credentials, payload: bytes, headers: Mapping[str, str]
    ) -> ProviderEvent:
        signature = headers.get("stripe-signature", "")
        if not signature or not creds.webhook_secret:
            raise WebhookRefused("No Stripe signature, or no signing secret saved.")
        try:
            event = stripe.Webhook.construct_event(payload, signature, creds.webhook_secret)
        except stripe.SignatureVerificationError as exc:
            if "tolerance" in str(exc).lower():
                raise WebhookRefused("Signature timestamp too old (replayed?).") from None
            raise WebhookRefused("Signature does not match the signing secret.") from None
        except ValueError:
            raise WebhookRefused("The body is not a Stripe event.") from None
        data = event.to_dict()
        kind = str(data.get("type") or "")
        obj = (data.get("data") or {}).get("object") or {}
        payment = self._payment(obj) if kind in _STRIPE_EVENTS else None
        if payment is not None and kind == "payment_intent.payment_failed":
            payment = ProviderPayment(**{**payment.__dict__, "status": "failed"})
        return ProviderEvent(id=str(data.get("id") or ""), type=kind[:80], payment=payment)


PROVIDERS: dict[str, PaymentProvider] = {"stripe": StripeProvider()}


def provider_for(name: str) -> PaymentProvider:
    """The provider called ``name``, or a ProviderError saying it cannot take payments."""
    if name == "paypal" and name not in PROVIDERS:
        from .payment_paypal import PayPalProvider  # it builds on this module

        PROVIDERS[name] = PayPalProvider()
    found = PROVIDERS.get(name)
    if found is None:
        raise ProviderError(f"Payments through {name} are not available in this version.")
    return found


def stripe_key_mode(key: str) -> str | None:
    """ "test" or "live" from a Stripe key's prefix (pk_, sk_, rk_), None if not a key."""
    for prefix in ("pk_", "sk_", "rk_"):
        if key.startswith(prefix + "test_"):
            return "test"
        if key.startswith(prefix + "live_"):
            return "live"
    return None

"""Saved cards at Stripe: a Stripe customer, a SetupIntent the browser confirms with
Stripe.js (``confirmCardSetup``: the card goes straight to Stripe), and off-session
PaymentIntents charged to the saved payment method by the auto top-up.

Only ids come back to us (``cus_…``, ``seti_…``, ``pm_…``) and a label for people
("visa •••• 4242"); never a card number. Blocking: callers run off the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import stripe

from .payment_providers import (
    Credentials,
    ProviderError,
    ProviderPayment,
    StripeProvider,
    int_or_none,
)


class CardDeclined(ProviderError):
    """Stripe answered and refused the charge: a failure the top-up may retry."""


@dataclass(frozen=True)
class SetupResult:
    status: str  # Stripe's: succeeded, requires_action, requires_payment_method, canceled
    stripe_customer: str
    payment_method: str
    customer_id: int | None  # from the metadata we gave it


def _dict(obj) -> dict:
    return obj if isinstance(obj, Mapping) else obj.to_dict()


class StripeCards(StripeProvider):
    """The Stripe calls of the auto top-up, on the same client as Make Payment."""

    def customer_create(self, creds: Credentials, *, customer_id: int, name: str) -> str:
        made = self._call(
            self._client(creds).v1.customers.create,
            params={"name": name[:120], "metadata": {"customer_id": str(customer_id)}},
        )
        return str(_dict(made)["id"])

    def setup_create(
        self, creds: Credentials, *, stripe_customer: str, customer_id: int
    ) -> tuple[str, str]:
        """A SetupIntent for an off-session card: (its id, the browser's client secret)."""
        made = _dict(
            self._call(
                self._client(creds).v1.setup_intents.create,
                params={
                    "customer": stripe_customer,
                    "usage": "off_session",
                    "payment_method_types": ["card"],
                    "metadata": {"customer_id": str(customer_id)},
                },
            )
        )
        return str(made["id"]), str(made["client_secret"])

    def setup_result(self, creds: Credentials, setup_ref: str) -> SetupResult:
        got = _dict(self._call(self._client(creds).v1.setup_intents.retrieve, setup_ref))
        method = got.get("payment_method") or ""
        if isinstance(method, Mapping):
            method = method.get("id") or ""
        return SetupResult(
            status=str(got.get("status") or ""),
            stripe_customer=str(got.get("customer") or ""),
            payment_method=str(method),
            customer_id=int_or_none((got.get("metadata") or {}).get("customer_id")),
        )

    def card_label(self, creds: Credentials, *, payment_method: str, stripe_customer: str) -> str:
        """The card's brand and last digits; attaches it to the Stripe customer when the
        SetupIntent did not (Stripe does, some test servers do not)."""
        client = self._client(creds)
        method = _dict(self._call(client.v1.payment_methods.retrieve, payment_method))
        if not method.get("customer"):
            self._call(
                client.v1.payment_methods.attach,
                payment_method,
                params={"customer": stripe_customer},
            )
        card = method.get("card") or {}
        return f"{card.get('brand', 'card')} •••• {card.get('last4', '????')}"[:80]

    def charge_saved(
        self,
        creds: Credentials,
        *,
        stripe_customer: str,
        payment_method: str,
        amount: int,
        currency: str,
        attempt_id: int,
        customer_id: int,
        idempotency_key: str,
    ) -> ProviderPayment:
        """Charge the saved card with nobody present. A decline raises CardDeclined; a
        card that wants its holder (3-D Secure) counts as one too."""
        params = {
            "amount": amount,
            "currency": currency.lower(),
            "customer": stripe_customer,
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "confirm": True,
            "off_session": True,
            "metadata": {"attempt_id": str(attempt_id), "customer_id": str(customer_id)},
        }
        client = self._client(creds)

        def create():
            try:
                return client.v1.payment_intents.create(
                    params=params, options={"idempotency_key": idempotency_key}
                )
            except stripe.CardError as exc:
                message = getattr(exc, "user_message", None) or "The card was declined."
                raise CardDeclined(str(message)[:300]) from None

        intent = self._call(create)  # other Stripe errors: ProviderError, outcome unknown
        data = _dict(intent)
        if data.get("status") in ("requires_action", "requires_payment_method", "canceled"):
            raise CardDeclined("The bank wants the card holder to confirm this payment.")
        return self._payment(data)


stripe_cards = StripeCards()

"""PayPal behind the payment provider interface (services/payment_providers.py).

Orders v2 through ``paypal_client``: ``create`` makes an order whose approve link the
payer follows; ``retrieve`` reads the order and captures it server-side once the payer
approved (the payer's return to the portal, or the reconciliation task), which is
PayPal's word that the money moved. Webhooks are believed only after PayPal's own
verify-webhook-signature call says yes, with the gateway's webhook id. The order id
is the provider reference (what ``payment_credit`` is unique on); the attempt's id
travels as the order's ``custom_id``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from portal_app.settings import get_settings

from .errors import ServiceError
from .payment_providers import (
    Credentials,
    ProviderError,
    ProviderEvent,
    ProviderPayment,
    WebhookRefused,
    int_or_none,
)
from .paypal_client import PayPalClient, api_base
from .paypal_results import PayPalOrder, capture_event

_CAPTURE_STATUS = {"COMPLETED": "succeeded", "DECLINED": "failed", "FAILED": "failed"}


class PayPalProvider:
    name = "paypal"

    def _client(self, creds: Credentials) -> PayPalClient:
        mode = "live" if creds.mode == "live" else "sandbox"
        base = api_base(mode, get_settings().paypal_api_base)
        return PayPalClient(client_id=creds.public_key, secret=creds.secret_key, base_url=base)

    def _call(self, creds: Credentials, fn):
        try:
            with self._client(creds) as client:
                return fn(client)
        except ServiceError as exc:  # AuthFailed, Unavailable, PayPalRefused, NotFound…
            raise ProviderError(exc.message) from None

    def check(self, creds: Credentials) -> str:
        self._call(creds, lambda c: c.check_credentials())
        return "PayPal accepted the client ID and secret."

    def _payment(self, order: PayPalOrder, approve_url: str = "") -> ProviderPayment:
        capture = order.completed_capture
        status = "succeeded" if capture else ("canceled" if order.status == "VOIDED" else "pending")
        return ProviderPayment(
            ref=order.id,
            status=status,
            amount=capture.amount_minor if capture else order.amount_minor,
            currency=(capture.currency if capture else order.currency).upper(),
            attempt_id=int_or_none(order.custom_id),
            customer_id=None,  # PayPal keeps no metadata of ours beyond custom_id
            approve_url=approve_url or order.approve_url or "",
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
        if not return_url:
            raise ProviderError("PayPal needs the page to send the payer back to.")
        order = self._call(
            creds,
            lambda c: c.create_order(
                amount_minor=amount,
                currency=currency,
                request_id=idempotency_key,
                return_url=return_url,
                cancel_url=cancel_url or return_url,
                custom_id=str(attempt_id),
                invoice_id=f"attempt-{attempt_id}",
                description=description[:127],
            ),
        )
        return self._payment(order)

    def retrieve(self, creds: Credentials, ref: str) -> ProviderPayment:
        def ask(client: PayPalClient) -> PayPalOrder:
            order = client.get_order(ref)
            if order.status == "APPROVED":  # the payer said yes: take the money now
                order = client.capture_order(ref)
            return order

        return self._payment(self._call(creds, ask))

    def read_webhook(
        self, creds: Credentials, payload: bytes, headers: Mapping[str, str]
    ) -> ProviderEvent:
        try:
            event = json.loads(payload)
        except ValueError:
            raise WebhookRefused("The body is not a PayPal event.") from None
        if not isinstance(event, dict) or not creds.webhook_secret:
            raise WebhookRefused("Not a PayPal event, or no webhook id saved.")
        try:
            verified = self._call(
                creds,
                lambda c: c.verify_webhook_signature(
                    headers=headers, event=event, webhook_id=creds.webhook_secret
                ),
            )
        except ProviderError as exc:
            raise WebhookRefused(f"PayPal could not verify it: {exc.message}") from None
        if not verified:
            raise WebhookRefused("PayPal says it did not send this event.")
        found = capture_event(event)
        if found is None or not found.order_id:
            return ProviderEvent(
                id=str(event.get("id", "")), type=str(event.get("event_type")), payment=None
            )
        capture = found.capture
        payment = ProviderPayment(
            ref=found.order_id,
            status=_CAPTURE_STATUS.get(capture.status, "pending"),
            amount=capture.amount_minor,
            currency=capture.currency.upper(),
            attempt_id=int_or_none(capture.custom_id),
            customer_id=None,
        )
        return ProviderEvent(id=found.event_id, type=found.event_type[:80], payment=payment)

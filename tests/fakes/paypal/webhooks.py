"""Webhooks of the local PayPal: subscriptions, events, signed deliveries, verification.

Events are delivered from one background thread in the order they happen, as PayPal
delivers them after (not inside) the API call that caused them. Every delivery,
including a redelivery of the same event, gets its own transmission id, time and
signature. ``POST /v1/notifications/verify-webhook-signature`` checks the signature
against the posted event and ``webhook_id``: a changed byte or another webhook id fails.
"""

from __future__ import annotations

import queue
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from .errors import ApiError, debug_id
from .signing import AUTH_ALGO, Signer, event_body, signed_text
from .store import now_text, paypal_id

CERT_PATH = "/v1/notifications/certs/CERT-360caa42-fca2a594-"


@dataclass
class Webhook:
    id: str
    client_id: str
    url: str
    event_types: tuple[str, ...] = ("*",)

    def wants(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


@dataclass
class Delivery:
    """One POST to a webhook URL and what came back (``status`` 0: no answer)."""

    webhook_id: str
    url: str
    event: dict[str, Any]
    headers: dict[str, str]
    body: bytes
    status: int = 0
    error: str = ""


@dataclass
class Hooks:
    base_url: str
    signer: Signer = field(default_factory=Signer)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    events: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # id: client
    deliveries: list[Delivery] = field(default_factory=list)
    drop: bool = False  # record events but deliver none (a lost webhook)

    def __post_init__(self) -> None:
        self.cert_url = f"{self.base_url}{CERT_PATH}{secrets.token_hex(4)}"
        self._queue: queue.Queue[tuple[Webhook, dict[str, Any]] | None] = queue.Queue()
        self._busy = threading.Condition()
        self._pending = 0
        self._thread = threading.Thread(target=self._run, name="paypal-webhooks", daemon=True)
        self._thread.start()

    def register(self, client_id: str, url: str, event_types=("*",)) -> Webhook:
        hook = Webhook(
            id=paypal_id(17), client_id=client_id, url=url, event_types=tuple(event_types)
        )
        self.webhooks[hook.id] = hook
        return hook

    def emit(self, event_type: str, client_id: str, resource: dict[str, Any]) -> dict:
        """Record an event and queue it for every subscribed webhook of the app."""
        event_id = f"WH-{paypal_id(17)}-{paypal_id(17)}"
        kind = "capture" if event_type.startswith("PAYMENT.CAPTURE") else "checkout-order"
        amount = resource.get("amount") or {}
        event = {
            "id": event_id,
            "event_version": "1.0",
            "create_time": now_text(),
            "resource_type": kind,
            "resource_version": "2.0",
            "event_type": event_type,
            "summary": f"{event_type} {amount.get('currency_code', '')} {amount.get('value', '')}",
            "resource": resource,
            "links": [
                {
                    "href": f"{self.base_url}/v1/notifications/webhooks-events/{event_id}",
                    "rel": "self",
                    "method": "GET",
                },
                {
                    "href": f"{self.base_url}/v1/notifications/webhooks-events/{event_id}/resend",
                    "rel": "resend",
                    "method": "POST",
                },
            ],
        }
        self.events[event_id] = (client_id, event)
        if not self.drop:
            for hook in self._hooks(client_id, event_type):
                self._enqueue(hook, event)
        return event

    def _hooks(self, client_id: str, event_type: str) -> list[Webhook]:
        return [
            h for h in self.webhooks.values() if h.client_id == client_id and h.wants(event_type)
        ]

    def _enqueue(self, hook: Webhook, event: dict[str, Any]) -> None:
        with self._busy:
            self._pending += 1
        self._queue.put((hook, event))

    def resend(self, event_id: str) -> list[Delivery]:
        """Deliver a recorded event again to its app's webhooks, now (a duplicate)."""
        client_id, event = self.events[event_id]
        return [self.deliver(hook, event) for hook in self._hooks(client_id, event["event_type"])]

    def deliver(self, hook: Webhook, event: dict[str, Any]) -> Delivery:
        body = event_body(event)
        transmission_id, when = str(uuid.uuid1()), now_text()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "PayPal/AUHD-214.0-58494412",
            "PAYPAL-AUTH-ALGO": AUTH_ALGO,
            "PAYPAL-AUTH-VERSION": "v2",
            "PAYPAL-CERT-URL": self.cert_url,
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-TIME": when,
            "PAYPAL-TRANSMISSION-SIG": self.signer.sign(
                signed_text(transmission_id, when, hook.id, body)
            ),
        }
        delivery = Delivery(hook.id, hook.url, event, headers, body)
        try:
            delivery.status = httpx.post(
                hook.url, content=body, headers=headers, timeout=30
            ).status_code
        except httpx.HTTPError as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"
        self.deliveries.append(delivery)
        return delivery

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                self.deliver(*item)
            finally:
                with self._busy:
                    self._pending -= 1
                    self._busy.notify_all()

    def wait(self, timeout: float = 30.0) -> bool:
        """Until every queued delivery was attempted; False if ``timeout`` passed first."""
        with self._busy:
            return self._busy.wait_for(lambda: self._pending == 0, timeout)

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)

    def verify(self, client_id: str, body: Any) -> dict[str, str]:
        """``POST /v1/notifications/verify-webhook-signature``."""
        names = (
            "auth_algo",
            "cert_url",
            "transmission_id",
            "transmission_sig",
            "transmission_time",
            "webhook_id",
            "webhook_event",
        )
        missing = [n for n in names if not isinstance(body, dict) or not body.get(n)]
        if missing:
            raise ApiError(
                400,
                {
                    "name": "VALIDATION_ERROR",
                    "message": "Invalid request - see details",
                    "debug_id": debug_id(),
                    "details": [
                        {"field": n, "location": "body", "issue": "MISSING_REQUIRED_PARAMETER"}
                        for n in missing
                    ],
                    "links": [],
                },
            )
        hook = self.webhooks.get(str(body["webhook_id"]))
        genuine = (
            hook is not None
            and hook.client_id == client_id
            and body["auth_algo"] == AUTH_ALGO
            and body["cert_url"] == self.cert_url
            and isinstance(body["webhook_event"], dict)
            and self.signer.check(
                signed_text(
                    str(body["transmission_id"]),
                    str(body["transmission_time"]),
                    hook.id,
                    event_body(body["webhook_event"]),
                ),
                str(body["transmission_sig"]),
            )
        )
        return {"verification_status": "SUCCESS" if genuine else "FAILURE"}

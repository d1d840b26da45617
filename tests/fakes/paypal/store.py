"""What the local PayPal keeps and decides: apps, access tokens, orders, captures.

Pure Python behind one lock, so the HTTP layer only parses and answers. Every refusal is
an :class:`~.errors.ApiError` with PayPal's status and body. Behaviour follows PayPal's
Orders v2: an order is created (``CREATED``, or ``PAYER_ACTION_REQUIRED`` when the
request uses ``payment_source.paypal.experience_context``), approved by the payer on the
approval page (``APPROVED``), captured once (``COMPLETED``). A repeated
``PayPal-Request-Id`` returns the first answer again instead of acting twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .amounts import check_amount
from .apps import Account, Apps, now_text, paypal_id
from .errors import api_error
from .orders import Order, capture_json, order_json

FAILURES = {
    # what fail_next can inject, and where
    "INTERNAL_SERVER_ERROR": ("token", "create", "capture", "get", "verify"),
    "SERVICE_UNAVAILABLE": ("token", "create", "capture", "get", "verify"),
    "INSTRUMENT_DECLINED": ("capture",),
    "PENDING": ("capture",),
}
INTENTS = ("CAPTURE", "AUTHORIZE")


class Store(Apps):
    def __init__(self, base_url: str, accounts: list[Account], token_ttl: int):
        super().__init__(accounts, token_ttl)
        self.base_url = base_url
        self.orders: dict[str, Order] = {}
        self.captures: dict[str, str] = {}  # capture id -> order id
        self.replies: dict[tuple[str, str, str], tuple[int, dict[str, Any]]] = {}
        self.failures: dict[str, list[str]] = {}
        # (event_type, client_id, resource) -> None: set by the server to send webhooks
        self.on_event: Callable[[str, str, dict[str, Any]], None] = lambda *args: None

    # --- failures ---------------------------------------------------------------
    def fail_next(self, endpoint: str, error: str, times: int = 1) -> None:
        """Make the next ``times`` calls of ``endpoint`` fail with ``error``."""
        if endpoint not in FAILURES.get(error, ()):
            raise ValueError(f"cannot inject {error} into {endpoint}")
        with self.lock:
            self.failures.setdefault(endpoint, []).extend([error] * times)

    def take_failure(self, endpoint: str) -> str | None:
        with self.lock:
            queue = self.failures.get(endpoint)
            return queue.pop(0) if queue else None

    def raise_injected(self, endpoint: str, keep: tuple[str, ...] = ()) -> str | None:
        """Raise an injected server error for ``endpoint``; return other kinds in ``keep``."""
        error = self.take_failure(endpoint)
        if error in ("INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"):
            raise api_error(error)
        return error if error in keep else None

    # --- idempotency ------------------------------------------------------------
    def once(self, key: tuple[str, str, str] | None, act: Callable[[], tuple[int, dict]]):
        """``act()``, or its first answer again for a ``PayPal-Request-Id`` already seen."""
        with self.lock:
            if key is not None and key in self.replies:
                return self.replies[key]
            status, body = act()
            if key is not None:
                self.replies[key] = (status, body)
            return status, body

    # --- orders -----------------------------------------------------------------
    def create_order(
        self, client_id: str, body: Any, request_id: str | None, full: bool
    ) -> tuple[int, dict[str, Any]]:
        """``POST /v2/checkout/orders``."""
        self.raise_injected("create")
        key = (client_id, "create", request_id) if request_id else None

        def act() -> tuple[int, dict[str, Any]]:
            order = self._new_order(client_id, body)
            self.orders[order.id] = order
            return 201, order_json(order, self.base_url, full=full)

        return self.once(key, act)

    def _new_order(self, client_id: str, body: Any) -> Order:
        if not isinstance(body, dict):
            raise api_error(
                "INVALID_REQUEST", "MALFORMED_REQUEST_JSON", "The request JSON is not well formed."
            )
        intent = body.get("intent")
        if intent is None:
            raise api_error(
                "INVALID_REQUEST",
                "MISSING_REQUIRED_PARAMETER",
                "A required field / parameter is missing.",
                field="/intent",
            )
        if intent not in INTENTS:
            raise api_error(
                "INVALID_REQUEST",
                "INVALID_PARAMETER_VALUE",
                "The value of a field is invalid.",
                field="/intent",
                value=str(intent),
            )
        if intent != "CAPTURE":
            raise api_error(
                "UNPROCESSABLE_ENTITY",
                "NOT_SUPPORTED_BY_FAKE",
                "The local PayPal only implements intent CAPTURE.",
                field="/intent",
            )
        units = body.get("purchase_units")
        if not isinstance(units, list) or not units:
            raise api_error(
                "INVALID_REQUEST",
                "MISSING_REQUIRED_PARAMETER",
                "A required field / parameter is missing.",
                field="/purchase_units",
            )
        if len(units) > 1 or not isinstance(units[0], dict):
            raise api_error(
                "UNPROCESSABLE_ENTITY",
                "NOT_SUPPORTED_BY_FAKE",
                "The local PayPal takes exactly one purchase unit.",
                field="/purchase_units",
            )
        unit = dict(units[0])
        reference = unit.setdefault("reference_id", "default")
        check_amount(unit.get("amount"), f"/purchase_units/@reference_id=='{reference}'/amount")
        account = self.accounts[client_id]
        unit.setdefault("payee", {"email_address": account.email})
        unit["payee"].setdefault("merchant_id", account.merchant_id)
        context = body.get("application_context") or {}
        experience = ((body.get("payment_source") or {}).get("paypal") or {}).get(
            "experience_context"
        )
        return Order(
            id=paypal_id(),
            client_id=client_id,
            unit=unit,
            status="PAYER_ACTION_REQUIRED" if experience is not None else "CREATED",
            return_url=(experience or context).get("return_url"),
            cancel_url=(experience or context).get("cancel_url"),
            brand_name=(experience or context).get("brand_name"),
            create_time=now_text(),
            experience=experience is not None,
        )

    def order(self, client_id: str | None, order_id: str) -> Order:
        """The order, if it exists and (for API calls) belongs to the calling app."""
        with self.lock:
            order = self.orders.get(order_id)
        if order is None or (client_id is not None and order.client_id != client_id):
            raise api_error(
                "RESOURCE_NOT_FOUND",
                "INVALID_RESOURCE_ID",
                "Specified resource ID does not exist. Please check the resource ID and try again.",
                field="order_id",
                value=order_id,
                location="path",
            )
        return order

    def get_order(self, client_id: str, order_id: str) -> dict[str, Any]:
        """``GET /v2/checkout/orders/{id}``."""
        self.raise_injected("get")
        return order_json(self.order(client_id, order_id), self.base_url, full=True)

    def get_capture(self, client_id: str, capture_id: str) -> dict[str, Any]:
        """``GET /v2/payments/captures/{id}``."""
        self.raise_injected("get")
        with self.lock:
            order_id = self.captures.get(capture_id)
            order = self.orders.get(order_id or "")
        if order is None or order.client_id != client_id:
            raise api_error(
                "RESOURCE_NOT_FOUND",
                "INVALID_RESOURCE_ID",
                "Specified resource ID does not exist.",
                field="capture_id",
                value=capture_id,
                location="path",
            )
        capture = next(c for c in order.captures if c["id"] == capture_id)
        return capture_json(order, capture, self.base_url)

    def approve(self, order_id: str) -> Order:
        """The payer pressed Approve on the approval page."""
        with self.lock:
            order = self.order(None, order_id)
            if order.status in ("CREATED", "PAYER_ACTION_REQUIRED"):
                order.approve(now_text())
                self.on_event(
                    "CHECKOUT.ORDER.APPROVED",
                    order.client_id,
                    order_json(order, self.base_url, full=True),
                )
            return order

    def capture(
        self, client_id: str, order_id: str, request_id: str | None
    ) -> tuple[int, dict[str, Any]]:
        """``POST /v2/checkout/orders/{id}/capture``: once, and only after approval."""
        key = (client_id, f"capture:{order_id}", request_id) if request_id else None
        with self.lock:
            if key is not None and key in self.replies:
                return self.replies[key]
            outcome = self.raise_injected("capture", keep=("INSTRUMENT_DECLINED", "PENDING"))
            return self.once(key, lambda: self._capture(client_id, order_id, outcome))

    def _capture(self, client_id: str, order_id: str, outcome: str | None):
        order = self.order(client_id, order_id)
        if order.status == "COMPLETED":
            raise api_error(
                "UNPROCESSABLE_ENTITY",
                "ORDER_ALREADY_CAPTURED",
                "Order already captured. If 'intent=CAPTURE' only one capture "
                "per order is allowed.",
            )
        if order.status != "APPROVED":
            raise api_error(
                "UNPROCESSABLE_ENTITY",
                "ORDER_NOT_APPROVED",
                "Payer has not yet approved the Order for payment. Please redirect the payer "
                "to the 'rel':'approve' url returned as part of the HATEOAS links within the "
                "Create Order call or provide a valid payment_source in the request.",
            )
        if outcome == "INSTRUMENT_DECLINED":
            order.status = "PAYER_ACTION_REQUIRED" if order.experience else "CREATED"
            raise api_error(
                "UNPROCESSABLE_ENTITY",
                "INSTRUMENT_DECLINED",
                "The instrument presented was either declined by the processor or bank, or "
                "it can't be used for this payment.",
            )
        capture = order.add_capture(paypal_id(), now_text(), pending=outcome == "PENDING")
        self.captures[capture["id"]] = order.id
        event = "PAYMENT.CAPTURE.PENDING" if outcome == "PENDING" else "PAYMENT.CAPTURE.COMPLETED"
        self.on_event(event, client_id, capture_json(order, capture, self.base_url))
        return 201, order_json(order, self.base_url, full=True)

    def complete_capture(self, capture_id: str) -> None:
        """A ``PENDING`` capture clears (as after PayPal's review): sends the COMPLETED event."""
        with self.lock:
            order = self.orders[self.captures[capture_id]]
            capture = next(c for c in order.captures if c["id"] == capture_id)
            capture["status"] = "COMPLETED"
            capture.pop("status_details", None)
            capture["update_time"] = now_text()
            self.on_event(
                "PAYMENT.CAPTURE.COMPLETED",
                order.client_id,
                capture_json(order, capture, self.base_url),
            )

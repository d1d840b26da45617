"""An order of the local PayPal and its JSON, shaped like Orders v2's answers."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

# The sandbox buyer who approves every order on the approval page.
BUYER = {
    "name": {"given_name": "Test", "surname": "Buyer"},
    "email_address": "buyer@example.test",
    "payer_id": "TESTBUYER0001",
    "address": {"country_code": "US"},
}


@dataclass
class Order:
    id: str
    client_id: str
    unit: dict[str, Any]
    status: str
    return_url: str | None
    cancel_url: str | None
    brand_name: str | None
    create_time: str
    update_time: str | None = None
    payer: dict[str, Any] | None = None
    # Created with ``payment_source.paypal.experience_context`` (the current style)
    # rather than the older ``application_context``: its approval link is "payer-action".
    experience: bool = False
    captures: list[dict[str, Any]] = field(default_factory=list)

    def approve(self, when: str) -> None:
        self.status = "APPROVED"
        self.payer = copy.deepcopy(BUYER)
        self.update_time = when

    def add_capture(self, capture_id: str, when: str, *, pending: bool) -> dict[str, Any]:
        capture: dict[str, Any] = {
            "id": capture_id,
            "status": "PENDING" if pending else "COMPLETED",
            "amount": dict(self.unit["amount"]),
            "final_capture": True,
            "seller_protection": {
                "status": "ELIGIBLE",
                "dispute_categories": ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"],
            },
            "create_time": when,
            "update_time": when,
        }
        if pending:
            capture["status_details"] = {"reason": "PENDING_REVIEW"}
        for name in ("custom_id", "invoice_id"):
            if name in self.unit:
                capture[name] = self.unit[name]
        self.captures.append(capture)
        self.status = "COMPLETED"
        self.update_time = when
        return capture


def _link(href: str, rel: str, method: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "method": method}


def order_links(order: Order, base_url: str) -> list[dict[str, str]]:
    own = f"{base_url}/v2/checkout/orders/{order.id}"
    links = [_link(own, "self", "GET")]
    if order.status in ("CREATED", "PAYER_ACTION_REQUIRED"):
        rel = "payer-action" if order.status == "PAYER_ACTION_REQUIRED" else "approve"
        links.append(_link(f"{base_url}/checkoutnow?token={order.id}", rel, "GET"))
    if order.status != "COMPLETED":
        links.append(_link(own, "update", "PATCH"))
        links.append(_link(f"{own}/capture", "capture", "POST"))
    return links


def capture_links(order: Order, capture: dict[str, Any], base_url: str) -> list[dict]:
    own = f"{base_url}/v2/payments/captures/{capture['id']}"
    return [
        _link(own, "self", "GET"),
        _link(f"{own}/refund", "refund", "POST"),
        _link(f"{base_url}/v2/checkout/orders/{order.id}", "up", "GET"),
    ]


def _unit(order: Order, base_url: str) -> dict[str, Any]:
    unit = copy.deepcopy(order.unit)
    if order.captures:
        unit["payments"] = {
            "captures": [{**c, "links": capture_links(order, c, base_url)} for c in order.captures]
        }
    return unit


def order_json(order: Order, base_url: str, *, full: bool) -> dict[str, Any]:
    """The order as PayPal answers it (``Prefer: return=minimal`` unless ``full``)."""
    body: dict[str, Any] = {"id": order.id, "status": order.status}
    if full:
        body["intent"] = "CAPTURE"
        body["purchase_units"] = [_unit(order, base_url)]
        body["create_time"] = order.create_time
        if order.update_time:
            body["update_time"] = order.update_time
    if order.payer is not None:
        body["payment_source"] = {
            "paypal": {
                "email_address": order.payer["email_address"],
                "account_id": order.payer["payer_id"],
                "account_status": "VERIFIED",
                "name": order.payer["name"],
            }
        }
        body["payer"] = copy.deepcopy(order.payer)
    body["links"] = order_links(order, base_url)
    return body


def capture_json(order: Order, capture: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A capture as ``GET /v2/payments/captures/{id}`` and webhook events show it."""
    return {
        **copy.deepcopy(capture),
        "payee": copy.deepcopy(order.unit.get("payee", {})),
        "supplementary_data": {"related_ids": {"order_id": order.id}},
        "links": capture_links(order, capture, base_url),
    }

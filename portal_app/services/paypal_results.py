"""What PayPal answers, as typed values in minor units: orders, captures, webhook events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import Unavailable, ValidationError
from .paypal_amounts import paypal_minor


@dataclass(frozen=True)
class PayPalCapture:
    """Money moved (or about to): ``status`` COMPLETED, PENDING, DECLINED, REFUNDED…"""

    id: str
    status: str
    amount_minor: int
    currency: str
    custom_id: str | None = None
    invoice_id: str | None = None


@dataclass(frozen=True)
class PayPalOrder:
    """An Orders v2 order. ``status``: CREATED or PAYER_ACTION_REQUIRED (send the payer
    to ``approve_url``), APPROVED (capture it), COMPLETED (captured), VOIDED."""

    id: str
    status: str
    amount_minor: int
    currency: str
    approve_url: str | None = None
    custom_id: str | None = None
    invoice_id: str | None = None
    payer_email: str | None = None
    captures: tuple[PayPalCapture, ...] = ()

    @property
    def completed_capture(self) -> PayPalCapture | None:
        """The capture that paid the order, once PayPal says it is COMPLETED."""
        return next((c for c in self.captures if c.status == "COMPLETED"), None)


@dataclass(frozen=True)
class PayPalCaptureEvent:
    """A ``PAYMENT.CAPTURE.*`` webhook event, once its signature has been verified."""

    event_id: str
    event_type: str
    order_id: str | None
    capture: PayPalCapture


def _amount(data: Any) -> tuple[int, str]:
    try:
        currency = str(data["currency_code"])
        return paypal_minor(str(data["value"]), currency), currency
    except (KeyError, TypeError, ValidationError) as exc:
        raise Unavailable("PayPal sent an amount that could not be read.") from exc


def _capture(data: dict[str, Any]) -> PayPalCapture:
    amount, currency = _amount(data.get("amount"))
    return PayPalCapture(
        id=str(data.get("id", "")),
        status=str(data.get("status", "")),
        amount_minor=amount,
        currency=currency,
        custom_id=data.get("custom_id"),
        invoice_id=data.get("invoice_id"),
    )


def order_from_json(data: dict[str, Any]) -> PayPalOrder:
    """An order from PayPal's full representation (``Prefer: return=representation``)."""
    units = data.get("purchase_units") or [{}]
    unit = units[0] if isinstance(units[0], dict) else {}
    amount, currency = _amount(unit.get("amount"))
    links = {link.get("rel"): link.get("href") for link in data.get("links") or []}
    captures = (unit.get("payments") or {}).get("captures") or []
    payer = data.get("payer") or {}
    return PayPalOrder(
        id=str(data.get("id", "")),
        status=str(data.get("status", "")),
        amount_minor=amount,
        currency=currency,
        approve_url=links.get("payer-action") or links.get("approve"),
        custom_id=unit.get("custom_id"),
        invoice_id=unit.get("invoice_id"),
        payer_email=payer.get("email_address"),
        captures=tuple(_capture(c) for c in captures if isinstance(c, dict)),
    )


def capture_event(event: dict[str, Any]) -> PayPalCaptureEvent | None:
    """A verified webhook event's capture, or None for events of other kinds."""
    event_type = str(event.get("event_type", ""))
    resource = event.get("resource")
    if not event_type.startswith("PAYMENT.CAPTURE.") or not isinstance(resource, dict):
        return None
    related = (resource.get("supplementary_data") or {}).get("related_ids") or {}
    return PayPalCaptureEvent(
        event_id=str(event.get("id", "")),
        event_type=event_type,
        order_id=related.get("order_id"),
        capture=_capture(resource),
    )

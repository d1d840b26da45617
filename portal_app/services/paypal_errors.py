"""PayPal's refusals as the app's errors (``services.errors``), with messages people can act on."""

from __future__ import annotations

from typing import Any

import httpx

from .errors import Conflict, NotFound, PermissionDenied, ServiceError, Unavailable, ValidationError

# A business refusal (422) as the person paying or the operator should read it.
_ISSUES = {
    "ORDER_NOT_APPROVED": "The payer has not approved this PayPal payment yet.",
    "INSTRUMENT_DECLINED": (
        "PayPal declined the payer's funding source; they can choose another one at PayPal."
    ),
    "PAYER_ACTION_REQUIRED": "The payer must finish the payment at PayPal first.",
    "PAYEE_ACCOUNT_RESTRICTED": "The receiving PayPal account is restricted: ask PayPal.",
    "PAYEE_ACCOUNT_LOCKED_OR_CLOSED": "The receiving PayPal account is locked or closed.",
    "ORDER_EXPIRED": "This PayPal payment expired before it was completed: start again.",
}
_AMOUNT_ISSUES = {"DECIMAL_PRECISION", "DECIMALS_NOT_SUPPORTED", "CANNOT_BE_ZERO_OR_NEGATIVE"}


class PayPalRefused(Conflict):
    """PayPal refused a valid request for a business reason (``issue``: PayPal's name)."""

    def __init__(self, message: str, *, issue: str, debug_id: str = ""):
        super().__init__(message)
        self.issue = issue
        self.debug_id = debug_id


def json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise Unavailable(f"PayPal sent an answer that is not JSON (HTTP {response.status_code}).")
    return data


def debug_note(response: httpx.Response) -> str:
    try:
        debug = response.json().get("debug_id")
    except (ValueError, AttributeError):
        debug = None
    debug = debug or response.headers.get("Paypal-Debug-Id")
    return f", PayPal debug id {debug}" if debug else ""


def refusal(response: httpx.Response, path: str) -> ServiceError:
    """PayPal's error body as one of our errors, with a message a person can act on."""
    data = json_body(response)
    detail = (data.get("details") or [{}])[0]
    issue = str(detail.get("issue") or data.get("name") or "UNKNOWN")
    said = str(detail.get("description") or data.get("message") or issue)
    debug = str(data.get("debug_id") or "")
    status = response.status_code
    if status == 404:
        return NotFound("PayPal has no such order for this gateway's credentials.")
    if status == 403:
        return PermissionDenied(f"PayPal does not let these credentials do that: {said}")
    if issue == "CURRENCY_NOT_SUPPORTED":
        return ValidationError({"currency": "PayPal does not take payments in this currency."})
    if issue in _AMOUNT_ISSUES:
        return ValidationError({"amount": f"PayPal refused the amount: {said}"})
    if status == 422:
        message = _ISSUES.get(issue, f"PayPal refused: {said}")
        return PayPalRefused(message, issue=issue, debug_id=debug)
    return ServiceError(
        f"PayPal refused the request to {path} (HTTP {status}, {issue}: {said}"
        f"{', debug id ' + debug if debug else ''})."
    )

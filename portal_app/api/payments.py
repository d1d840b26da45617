"""``POST /api/payments/stripe/webhook`` and ``/api/payments/paypal/webhook``: the
providers' word that a payment changed.

No session and no host check: the signature is the authentication. The body is read
(at most MAX_BODY bytes) exactly as sent, because the signature covers those bytes,
and handed to services/payment_settle.py, which verifies it with each gateway's
secret (Stripe's signing secret; PayPal's verify-webhook-signature call with the
gateway's webhook id) before acting on anything. 2xx tells Stripe to stop resending (credited,
a duplicate, or an event we do not act on); a refusal is 400, so it shows in Stripe's
dashboard too, and in Management › Payments here.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal_app.services.offloop import run_blocking
from portal_app.services.payment_providers import ProviderError
from portal_app.services.payment_settle import payment_webhook

log = logging.getLogger("portal.payments")
MAX_BODY = 256 * 1024  # Stripe events are a few KB


async def _body(request: Request) -> bytes | None:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _webhook(provider: str, request: Request, headers: dict[str, str]) -> JSONResponse:
    payload = await _body(request)
    if payload is None:
        return JSONResponse({"outcome": "refused"}, status_code=413)
    try:
        outcome = await run_blocking(payment_webhook, provider, payload, headers)
    except ProviderError:
        return JSONResponse({"outcome": "refused"}, status_code=400)
    if outcome.outcome == "refused":
        log.warning("%s webhook refused: %s", provider, outcome.message)
        return JSONResponse({"outcome": "refused"}, status_code=400)
    return JSONResponse({"outcome": outcome.outcome})


async def stripe_webhook(request: Request) -> JSONResponse:
    headers = {"stripe-signature": request.headers.get("stripe-signature", "")[:2000]}
    return await _webhook("stripe", request, headers)


async def paypal_webhook(request: Request) -> JSONResponse:
    headers = {
        name: value[:2000]
        for name, value in request.headers.items()
        if name.lower().startswith("paypal-")
    }
    return await _webhook("paypal", request, headers)


def payment_routes() -> list[Route]:
    return [
        Route("/api/payments/stripe/webhook", stripe_webhook, methods=["POST"]),
        Route("/api/payments/paypal/webhook", paypal_webhook, methods=["POST"]),
    ]

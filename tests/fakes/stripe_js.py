"""localstripe, plus the one browser call its Stripe.js stand-in lacks.

Run as a script (``python tests/fakes/stripe_js.py --port N --from-scratch``), in place
of ``python -m localstripe``. localstripe's stand-in draws card inputs, but its
``confirmCardPayment(secret, {payment_method: {card}})`` ignores the card: it only runs
the 3-D Secure step of an intent the server already confirmed. Real Stripe.js sends the
card with the client secret and Stripe attaches and confirms it. This adds that, the way
Stripe's side does it (the client secret authorizes the call, the card never passes
through the portal's server), then hands 3-D Secure to localstripe's own modal:

- ``GET /js.stripe.com/v3/``: localstripe's script, then ``PATCH`` below.
- ``POST /v1/payment_intents/{id}/_portal_confirm_card``: ``{client_secret, card}`` →
  a card PaymentMethod on the intent, confirmed (declines and 3-D Secure as localstripe
  decides by card number: 4000000000000341 declined, 4000002500003155 asks 3-D Secure).
"""

from __future__ import annotations

import os
import re
import sys

from aiohttp import web
from localstripe import server
from localstripe.errors import UserError
from localstripe.resources import PaymentIntent, PaymentMethod

PATCH = r"""
(function () {
  const make = Stripe;
  Stripe = (apiKey) => {
    const stripe = make(apiKey);
    const authenticate = stripe.confirmCardPayment; // localstripe's: 3-D Secure only
    stripe.confirmCardPayment = async (clientSecret, data) => {
      const card = data && data.payment_method && data.payment_method.card;
      if (!(card instanceof Element)) return authenticate(clientSecret, data);
      if (!card.value) return {error: {message: 'Your card number is incomplete.'}};
      const pi = clientSecret.match(/^(pi_\w+)_secret_/)[1];
      const response = await fetch(
        `${LOCALSTRIPE_BASE_API}/v1/payment_intents/${pi}/_portal_confirm_card`,
        {method: 'POST',
         body: JSON.stringify({key: apiKey, client_secret: clientSecret,
                               card: card.value.card})});
      const body = await response.json().catch(() => ({}));
      if (response.status !== 200 || body.error) {
        return {error: body.error || {message: 'Stripe refused the request.'}};
      }
      if (body.status === 'requires_action') return authenticate(clientSecret, data);
      return {paymentIntent: body};
    };
    return stripe;
  };
})();
"""
_CONFIRM = re.compile(r"^/v1/payment_intents/(pi_\w+)/_portal_confirm_card$")


async def _script(_request) -> web.Response:
    path = os.path.join(os.path.dirname(server.__file__), "localstripe-v3.js")
    with open(path) as f:
        return web.Response(text=f.read() + PATCH, content_type="application/javascript")


async def _confirm_card(request, intent_id: str) -> web.Response:
    data = await server.get_post_data(request) or {}
    intent = PaymentIntent._api_retrieve(intent_id)
    if not isinstance(data, dict) or data.get("client_secret") != intent.client_secret:
        raise UserError(401, "Unauthorized")
    card = data.get("card") or {}
    try:
        method = PaymentMethod._api_create(
            type="card", card={k: card.get(k) for k in ("number", "exp_month", "exp_year", "cvc")}
        )
    except UserError:
        raise UserError(
            402, "Your card's details are incomplete.", {"code": "incomplete"}
        ) from None
    if method._attaching_is_declined():
        raise UserError(402, "Your card was declined.", {"code": "card_declined"})
    intent.payment_method, intent.latest_charge = method.id, None  # a new card, a new try
    intent._confirm(on_failure_now=intent._report_failure)  # 402 when the charge is declined
    return server.json_response(intent._export())


@web.middleware
async def _browser_calls(request, handler):
    if request.method == "GET" and request.path == "/js.stripe.com/v3/":
        return await _script(request)
    found = _CONFIRM.match(request.path) if request.method == "POST" else None
    if found:
        return await _confirm_card(request, found.group(1))
    return await handler(request)


if __name__ == "__main__":
    server.app.middlewares.insert(1, _browser_calls)  # after localstripe's error handler
    sys.argv[0] = "localstripe"
    server.start()

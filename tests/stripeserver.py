"""localstripe (a stateful fake Stripe on PyPI) as the Stripe API of the tests.

It listens on the port of PORTAL_STRIPE_API_BASE (tests/conftest.py picks it before the
settings are read), keeps PaymentIntents and PaymentMethods, serves a Stripe.js stand-in
at /js.stripe.com/v3/ (completed by tests/fakes/stripe_js.py: its card fields confirm a
PaymentIntent as Stripe.js does), and sends ``payment_intent.*`` webhooks signed with
Stripe's own scheme to the URLs registered with ``register_webhook``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx

STRIPE_JS = Path(__file__).parent / "fakes" / "stripe_js.py"  # localstripe + card confirm
SECRET_KEY = "sk_test_portal0123456789"
PUBLIC_KEY = "pk_test_portal0123456789"
WEBHOOK_SECRET = "whsec_portaltests0123456789"


@contextlib.contextmanager
def localstripe(base: str) -> Iterator[str]:
    """Run localstripe (with tests/fakes/stripe_js.py) on ``base``'s port until the
    block ends; yields ``base``."""
    port = urlsplit(base).port
    work = tempfile.mkdtemp(prefix="portal-localstripe-")
    proc = subprocess.Popen(
        [sys.executable, str(STRIPE_JS), "--port", str(port), "--from-scratch"],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/v1/balance", auth=(SECRET_KEY, ""), timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("localstripe did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def register_webhook(base: str, url: str, secret: str = WEBHOOK_SECRET, name: str = "portal"):
    httpx.post(
        f"{base}/_config/webhooks/{name}", data={"url": url, "secret": secret}
    ).raise_for_status()


def reset(base: str) -> None:
    httpx.delete(f"{base}/_config/data").raise_for_status()


def pay_intent(base: str, intent_id: str, card: str = "4242424242424242") -> dict:
    """What the card fields do in a browser: a card PaymentMethod, then confirm."""
    auth = (SECRET_KEY, "")
    method = httpx.post(
        f"{base}/v1/payment_methods",
        auth=auth,
        data={
            "type": "card",
            "card[number]": card,
            "card[exp_month]": "12",
            "card[exp_year]": "2040",
            "card[cvc]": "123",
        },
    )
    method.raise_for_status()
    httpx.post(
        f"{base}/v1/payment_intents/{intent_id}",
        auth=auth,
        data={"payment_method": method.json()["id"]},
    ).raise_for_status()
    confirmed = httpx.post(f"{base}/v1/payment_intents/{intent_id}/confirm", auth=auth)
    confirmed.raise_for_status()
    return confirmed.json()


def signed(
    event: dict, *, secret: str = WEBHOOK_SECRET, at: int | None = None
) -> tuple[bytes, dict]:
    """A webhook body and its Stripe-Signature header, as Stripe signs them."""
    payload = json.dumps(event).encode()
    stamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), b"%d.%s" % (stamp, payload), hashlib.sha256).hexdigest()
    return payload, {"stripe-signature": f"t={stamp},v1={mac}"}


def intent_event(intent: dict, kind: str = "payment_intent.succeeded") -> dict:
    return {
        "id": "evt_" + intent["id"],
        "object": "event",
        "type": kind,
        "data": {"object": intent},
    }

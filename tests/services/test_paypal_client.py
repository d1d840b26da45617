"""The PayPal client against the local PayPal server (tests/fakes/paypal), over HTTP.

The payer's approval is driven as a browser would: GET the approve link, submit its
form, follow the redirect's address back to the shop's return URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from portal_app.devserver import free_port
from portal_app.services import offloop
from portal_app.services.errors import AuthFailed, NotFound, Unavailable, ValidationError
from portal_app.services.paypal_amounts import paypal_value
from portal_app.services.paypal_client import (
    LIVE_API_BASE,
    SANDBOX_API_BASE,
    PayPalClient,
    PayPalRefused,
    api_base,
)
from portal_app.services.paypal_results import capture_event
from portal_app.settings import Settings, SettingsError

RETURN = "http://portal.example.test/portal/payments/paypal/return?attempt=7"
CANCEL = "http://portal.example.test/portal/payments/paypal/cancel?attempt=7"


@pytest.fixture()
def client(paypal) -> Iterator[PayPalClient]:
    with PayPalClient(client_id=paypal.client_id, secret=paypal.secret, base_url=paypal.url) as c:
        yield c


def order(client: PayPalClient, amount: int = 1050, currency: str = "EUR", request_id="a-1"):
    return client.create_order(
        amount_minor=amount,
        currency=currency,
        request_id=request_id,
        return_url=RETURN,
        cancel_url=CANCEL,
        custom_id="attempt-7",
        brand_name="Acme Telecom",
    )


def press(approve_url: str, button: str) -> dict[str, list[str]]:
    """Open the approval page, press ``button``; the query of the address it sends us to."""
    page = httpx.get(approve_url)
    assert page.status_code == 200
    assert f'value="{button.lower()}">{button}</button>' in page.text
    token = parse_qs(urlsplit(approve_url).query)["token"][0]
    action = urlsplit(approve_url)._replace(path="/checkoutnow", query="").geturl()
    answer = httpx.post(action, data={"token": token, "action": button.lower()})
    assert answer.status_code == 303
    target = urlsplit(answer.headers["Location"])
    expected = urlsplit(RETURN if button == "Approve" else CANCEL)
    assert (target.netloc, target.path) == (expected.netloc, expected.path)
    return parse_qs(target.query)


def test_create_approve_capture_in_euros(client, paypal):
    created = order(client)
    assert (created.status, created.amount_minor, created.currency) == (
        "PAYER_ACTION_REQUIRED",
        1050,
        "EUR",
    )
    assert created.approve_url and created.custom_id == "attempt-7"
    assert paypal.order(created.id).unit["amount"] == {"currency_code": "EUR", "value": "10.50"}

    back = press(created.approve_url, "Approve")
    assert back["token"] == [created.id] and back["attempt"] == ["7"] and back["PayerID"]
    assert client.get_order(created.id).status == "APPROVED"

    captured = client.capture_order(created.id)
    assert captured.status == "COMPLETED"
    paid = captured.completed_capture
    assert paid is not None and (paid.amount_minor, paid.currency) == (1050, "EUR")
    assert paid.custom_id == "attempt-7" and captured.payer_email == "buyer@example.test"
    # Capturing again (a reload of the return page) is the same capture, not a second one.
    assert client.capture_order(created.id).completed_capture == paid
    assert client.capture_order(created.id, request_id="another").completed_capture == paid
    assert client.get_order(created.id).captures == (paid,)


def test_yen_have_no_decimals(client, paypal):
    created = order(client, amount=500, currency="JPY")
    assert paypal.order(created.id).unit["amount"] == {"currency_code": "JPY", "value": "500"}
    press(created.approve_url, "Approve")
    paid = client.capture_order(created.id).completed_capture
    assert (paid.amount_minor, paid.currency) == (500, "JPY")


def test_amounts_paypal_counts_differently(client, paypal):
    # TWD has 2 decimals in ISO 4217 (our minor units) and none at PayPal.
    assert paypal_value(150000, "TWD") == "1500"
    created = order(client, amount=150000, currency="TWD")
    assert paypal.order(created.id).unit["amount"]["value"] == "1500"
    assert created.amount_minor == 150000
    with pytest.raises(ValidationError) as refused:
        order(client, amount=150050, currency="TWD", request_id="a-2")
    assert refused.value.fields == {"amount": "PayPal takes whole amounts in TWD, not NT$1,500.50."}
    with pytest.raises(ValidationError) as refused:
        order(client, amount=1000, currency="INR", request_id="a-3")
    assert refused.value.fields == {"currency": "PayPal does not take payments in INR."}
    with pytest.raises(ValidationError) as refused:
        order(client, amount=0, request_id="a-4")
    assert "amount" in refused.value.fields
    assert paypal.events == []  # nothing refused reached PayPal's orders


def test_cancel_returns_to_the_cancel_url_and_nothing_is_captured(client, paypal):
    created = order(client)
    assert press(created.approve_url, "Cancel")["token"] == [created.id]
    with pytest.raises(PayPalRefused) as refused:
        client.capture_order(created.id)
    assert refused.value.issue == "ORDER_NOT_APPROVED"


def test_capture_before_approval_is_refused_with_a_readable_message(client):
    created = order(client)
    with pytest.raises(PayPalRefused) as refused:
        client.capture_order(created.id)
    assert refused.value.issue == "ORDER_NOT_APPROVED"
    assert refused.value.message == "The payer has not approved this PayPal payment yet."
    assert refused.value.debug_id
    assert client.get_order(created.id).captures == ()


def test_wrong_credentials(paypal):
    with PayPalClient(client_id=paypal.client_id, secret="wrong", base_url=paypal.url) as bad:
        with pytest.raises(AuthFailed) as refused:
            bad.check_credentials()
        assert "client ID and secret" in refused.value.message
        with pytest.raises(AuthFailed):
            order(bad)
    assert paypal.store.orders == {}


def test_same_request_id_is_the_same_order(client, paypal):
    first = order(client, request_id="attempt-42")
    again = order(client, request_id="attempt-42")
    other = order(client, request_id="attempt-43")
    assert again.id == first.id and other.id != first.id
    assert len(paypal.store.orders) == 2


def test_token_is_cached_and_renewed_when_it_expires(client, paypal):
    client.check_credentials()
    created = order(client)
    client.get_order(created.id)
    assert paypal.token_requests == 1
    paypal.expire_tokens()
    assert client.get_order(created.id).id == created.id  # a 401, a new token, a retry
    assert paypal.token_requests == 2


def test_other_apps_orders_are_not_found(client, paypal):
    paypal.add_account("other-app", "other-secret", "other@example.test")
    created = order(client)
    other = PayPalClient(client_id="other-app", secret="other-secret", base_url=paypal.url)
    with other, pytest.raises(NotFound):
        other.get_order(created.id)
    with pytest.raises(NotFound):
        client.get_order("../v1/oauth2/token")


def test_declined_pending_and_unavailable(client, paypal):
    created = order(client)
    press(created.approve_url, "Approve")
    paypal.fail_next("capture", "INSTRUMENT_DECLINED")
    with pytest.raises(PayPalRefused) as refused:
        client.capture_order(created.id, request_id="try-1")
    assert refused.value.issue == "INSTRUMENT_DECLINED"
    assert "declined" in refused.value.message
    # The payer chooses another funding source, and it clears later (PENDING first).
    press(client.get_order(created.id).approve_url, "Approve")
    paypal.fail_next("capture", "PENDING")
    pending = client.capture_order(created.id, request_id="try-2")
    assert pending.status == "COMPLETED" and pending.completed_capture is None
    assert pending.captures[0].status == "PENDING"
    paypal.complete_capture(pending.captures[0].id)
    assert client.get_order(created.id).completed_capture.id == pending.captures[0].id

    paypal.fail_next("get", "SERVICE_UNAVAILABLE")
    with pytest.raises(Unavailable) as down:
        client.get_order(created.id)
    assert "Try again" in down.value.message


def test_unreachable_paypal_is_unavailable():
    nowhere = PayPalClient(client_id="x", secret="y", base_url=f"http://127.0.0.1:{free_port()}")
    with nowhere, pytest.raises(Unavailable) as down:
        nowhere.check_credentials()
    assert "could not be reached" in down.value.message


@contextlib.contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """A URL that takes webhook POSTs (as /api/payments/paypal/webhook will) and keeps them."""
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api/payments/paypal/webhook", received
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_signature_genuine_tampered_and_foreign(client, paypal):
    with webhook_receiver() as (url, received):
        webhook_id = paypal.register_webhook(url, ("PAYMENT.CAPTURE.COMPLETED",))
        created = order(client)
        press(created.approve_url, "Approve")
        paid = client.capture_order(created.id).completed_capture
        assert paypal.wait_for_webhooks()
    assert len(received) == 1  # subscribed to captures only, not approvals
    headers, body = received[0]
    event = json.loads(body)
    assert client.verify_webhook_signature(headers=headers, event=event, webhook_id=webhook_id)
    parsed = capture_event(event)
    assert parsed.order_id == created.id and parsed.capture == paid

    tampered = json.loads(body)
    tampered["resource"]["amount"]["value"] = "1050.00"
    assert not client.verify_webhook_signature(
        headers=headers, event=tampered, webhook_id=webhook_id
    )
    other_hook = paypal.register_webhook(f"http://127.0.0.1:{free_port()}/elsewhere")
    assert not client.verify_webhook_signature(headers=headers, event=event, webhook_id=other_hook)
    forged = {**headers, "PAYPAL-TRANSMISSION-ID": "00000000-0000-0000-0000-000000000000"}
    assert not client.verify_webhook_signature(headers=forged, event=event, webhook_id=webhook_id)
    missing = {k: v for k, v in headers.items() if k.lower() != "paypal-transmission-sig"}
    assert not client.verify_webhook_signature(headers=missing, event=event, webhook_id=webhook_id)


def test_api_base_follows_the_mode_unless_the_setting_says_otherwise():
    assert api_base("live") == LIVE_API_BASE == "https://api-m.paypal.com"
    assert api_base("sandbox") == SANDBOX_API_BASE == "https://api-m.sandbox.paypal.com"
    assert api_base("live", "http://127.0.0.1:8421/") == "http://127.0.0.1:8421"
    with pytest.raises(ValidationError):
        api_base("test")
    assert Settings.from_env({"PORTAL_SECRET_KEY": "k" * 40}).paypal_api_base is None
    env = {"PORTAL_SECRET_KEY": "k" * 40, "PORTAL_PAYPAL_API_BASE": "http://127.0.0.1:8421/"}
    assert Settings.from_env(env).paypal_api_base == "http://127.0.0.1:8421"
    with pytest.raises(SettingsError):
        Settings.from_env({**env, "PORTAL_PAYPAL_API_BASE": "api-m.paypal.com"})


def test_calls_on_the_event_loop_are_refused(client):
    async def on_loop():
        offloop.watch_loop()
        with pytest.raises(offloop.BlockingOnLoop):
            client.check_credentials()
        await offloop.run_blocking(client.check_credentials)  # the way the app calls it

    asyncio.run(on_loop())

"""The local PayPal (tests/fakes/paypal) refuses what PayPal refuses, in PayPal's shapes.

Raw HTTP, no client of ours: these pin the stand-in itself, so a test that passes
against it means a request PayPal would take.
"""

from __future__ import annotations

import base64
import json
import zlib

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from portal_app.devserver import free_port


def token(paypal, secret: str | None = None) -> str:
    answer = httpx.post(
        f"{paypal.url}/v1/oauth2/token",
        auth=(paypal.client_id, secret or paypal.secret),
        data={"grant_type": "client_credentials"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "Bearer" and answer.json()["expires_in"] > 0
    return answer.json()["access_token"]


def create(paypal, amount: object, *, bearer: str | None = None, **headers) -> httpx.Response:
    body = {"intent": "CAPTURE", "purchase_units": [{"amount": amount}]}
    headers = {"Authorization": f"Bearer {bearer or token(paypal)}", **headers}
    return httpx.post(f"{paypal.url}/v2/checkout/orders", json=body, headers=headers)


@pytest.mark.parametrize(
    ("currency", "value", "status", "issue"),
    [
        ("EUR", "10.001", 422, "DECIMAL_PRECISION"),
        ("JPY", "500.5", 422, "DECIMALS_NOT_SUPPORTED"),
        ("JPY", "500.0", 422, "DECIMALS_NOT_SUPPORTED"),
        ("EUR", "0.00", 422, "CANNOT_BE_ZERO_OR_NEGATIVE"),
        ("EUR", "-5.00", 422, "CANNOT_BE_ZERO_OR_NEGATIVE"),
        ("INR", "10.00", 422, "CURRENCY_NOT_SUPPORTED"),
        ("EUR", "1e3", 400, "INVALID_PARAMETER_SYNTAX"),
        ("EUR", "1,000.00", 400, "INVALID_PARAMETER_SYNTAX"),
        ("EUR", 10.5, 400, "INVALID_PARAMETER_SYNTAX"),
        ("eur", "10.00", 400, "INVALID_PARAMETER_SYNTAX"),
    ],
)
def test_amounts_paypal_refuses(paypal, currency, value, status, issue):
    answer = create(paypal, {"currency_code": currency, "value": value})
    assert answer.status_code == status
    body = answer.json()
    assert body["name"] == ("UNPROCESSABLE_ENTITY" if status == 422 else "INVALID_REQUEST")
    assert body["message"] and body["debug_id"]
    detail = body["details"][0]
    assert detail["issue"] == issue and detail["description"]
    assert detail["field"].startswith("/purchase_units/@reference_id=='default'/amount/")
    assert body["links"][0]["rel"] == "information_link"
    assert paypal.store.orders == {}


def test_amounts_paypal_takes(paypal):
    for currency, value in (("EUR", "10.5"), ("EUR", "10.50"), ("JPY", "500"), ("USD", "7")):
        answer = create(paypal, {"currency_code": currency, "value": value})
        assert answer.status_code == 201, answer.text
        assert answer.json()["status"] == "CREATED"  # application_context style
        assert {link["rel"] for link in answer.json()["links"]} >= {"self", "approve"}
        assert "purchase_units" not in answer.json()  # Prefer: return=minimal by default


def test_credentials_and_tokens(paypal):
    url = f"{paypal.url}/v1/oauth2/token"
    form = {"grant_type": "client_credentials"}
    wrong = httpx.post(url, auth=(paypal.client_id, "nope"), data=form)
    assert wrong.status_code == 401
    assert wrong.json() == {
        "error": "invalid_client",
        "error_description": "Client Authentication failed",
    }
    assert httpx.post(url, data=form).status_code == 401
    no_grant = httpx.post(url, auth=(paypal.client_id, paypal.secret), data={})
    assert (no_grant.status_code, no_grant.json()["error"]) == (400, "unsupported_grant_type")
    other = httpx.post(url, auth=(paypal.client_id, paypal.secret), data={"grant_type": "password"})
    assert other.status_code == 400

    amount = {"currency_code": "EUR", "value": "1.00"}
    body = {"intent": "CAPTURE", "purchase_units": [{"amount": amount}]}
    anonymous = httpx.post(f"{paypal.url}/v2/checkout/orders", json=body)
    assert (anonymous.status_code, anonymous.json()["name"]) == (401, "AUTHENTICATION_FAILURE")
    bearer = token(paypal)
    assert create(paypal, amount, bearer=bearer).status_code == 201
    assert httpx.post(f"{paypal.url}/_config/expire-tokens", json={}).status_code == 200
    expired = create(paypal, amount, bearer=bearer)
    assert (expired.status_code, expired.json()["error"]) == (401, "invalid_token")


def test_request_shape(paypal):
    bearer = {"Authorization": f"Bearer {token(paypal)}"}
    orders = f"{paypal.url}/v2/checkout/orders"
    as_text = httpx.post(orders, content=b"{}", headers={**bearer, "Content-Type": "text/plain"})
    assert as_text.status_code == 415
    no_intent = httpx.post(orders, json={"purchase_units": []}, headers=bearer)
    assert (no_intent.status_code, no_intent.json()["details"][0]["field"]) == (400, "/intent")
    verify = httpx.post(
        f"{paypal.url}/v1/notifications/verify-webhook-signature", json={}, headers=bearer
    )
    assert (verify.status_code, verify.json()["name"]) == (400, "VALIDATION_ERROR")
    assert httpx.get(f"{paypal.url}/checkoutnow?token=NOSUCHORDER").status_code == 404


def test_idempotent_create_and_capture_over_http(paypal):
    amount = {"currency_code": "EUR", "value": "3.00"}
    first = create(paypal, amount, **{"PayPal-Request-Id": "r-1"}).json()
    assert create(paypal, amount, **{"PayPal-Request-Id": "r-1"}).json()["id"] == first["id"]
    approve = next(link["href"] for link in first["links"] if link["rel"] == "approve")
    assert "aria-label" not in httpx.get(approve).text  # the buttons' text is their name
    httpx.post(f"{paypal.url}/checkoutnow", data={"token": first["id"], "action": "approve"})
    capture = f"{paypal.url}/v2/checkout/orders/{first['id']}/capture"
    headers = {"Authorization": f"Bearer {token(paypal)}", "PayPal-Request-Id": "c-1"}
    one = httpx.post(capture, json={}, headers=headers)
    two = httpx.post(capture, json={}, headers=headers)
    assert one.status_code == two.status_code == 201 and one.json() == two.json()
    again = httpx.post(capture, json={}, headers={**headers, "PayPal-Request-Id": "c-2"})
    assert (again.status_code, again.json()["details"][0]["issue"]) == (
        422,
        "ORDER_ALREADY_CAPTURED",
    )


def test_webhook_signature_checks_with_the_published_certificate(paypal):
    # Signed as PayPal documents it: SHA256withRSA over id|time|webhook id|crc32(body).
    hook = httpx.post(
        f"{paypal.url}/_config/webhooks", json={"url": f"http://127.0.0.1:{free_port()}/"}
    )
    webhook_id = hook.json()["id"]
    event = paypal.hooks.emit("PAYMENT.CAPTURE.COMPLETED", paypal.client_id, {"id": "X"})
    assert paypal.wait_for_webhooks()
    delivery = paypal.deliveries[-1]
    assert delivery.status == 0 and delivery.error  # nothing listens there
    assert json.loads(delivery.body) == event
    headers = delivery.headers
    cert = x509.load_pem_x509_certificate(httpx.get(headers["PAYPAL-CERT-URL"]).content)
    signed = "|".join(
        [
            headers["PAYPAL-TRANSMISSION-ID"],
            headers["PAYPAL-TRANSMISSION-TIME"],
            webhook_id,
            str(zlib.crc32(delivery.body)),
        ]
    ).encode()
    signature = base64.b64decode(headers["PAYPAL-TRANSMISSION-SIG"])
    cert.public_key().verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    assert headers["PAYPAL-AUTH-ALGO"] == "SHA256withRSA"

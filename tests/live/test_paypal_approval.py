"""The local PayPal's approval page in Chromium: found by role and name, as the payment
flows' browser tests will find it, and it brings the payer back to the shop.

Needs no app server: the shop's return address is a tiny local HTTP server.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal_app.devserver import free_port
from portal_app.services.paypal_client import PayPalClient
from tests.live.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser]


class _Shop(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!doctype html><title>Back at the shop</title><h1>Back at the shop</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def shop():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Shop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("button", ["Approve", "Cancel"])
def test_payer_approves_or_cancels_in_the_browser(browser, paypal, shop, button):
    with PayPalClient(client_id=paypal.client_id, secret=paypal.secret, base_url=paypal.url) as c:
        order = c.create_order(
            amount_minor=2500,
            currency="EUR",
            request_id=f"browser-{button}",
            return_url=f"{shop}/paid?attempt=1",
            cancel_url=f"{shop}/cancelled?attempt=1",
            brand_name="Acme Telecom",
        )
        context = browser.new_context(viewport={"width": 800, "height": 600})
        page = context.new_page()
        page.goto(order.approve_url)
        assert page.get_by_role("heading", name="Pay with PayPal").is_visible()
        assert page.get_by_text("EUR 25.00").is_visible()
        if button == "Approve":
            page.screenshot(path=str(ARTIFACTS / "screenshots" / "paypal-approval.png"))
        page.get_by_role("button", name=button).click()
        page.wait_for_url(f"{shop}/**")
        back_at, _ = page.url, context.close()
        if button == "Approve":
            assert back_at.startswith(f"{shop}/paid?attempt=1&token={order.id}&PayerID=")
            assert c.capture_order(order.id).completed_capture.amount_minor == 2500
        else:
            assert back_at == f"{shop}/cancelled?attempt=1&token={order.id}"
            assert c.get_order(order.id).status == "PAYER_ACTION_REQUIRED"

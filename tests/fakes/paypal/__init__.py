"""A local PayPal REST server for tests: OAuth2 client credentials, Orders v2, an
approval page and signed webhooks, checking requests as PayPal does.

    with paypal_server() as paypal:      # or the ``paypal`` fixture (tests/conftest.py)
        paypal.url                       # the API base: PORTAL_PAYPAL_API_BASE
        paypal.client_id, paypal.secret  # the credentials it accepts
        hook_id = paypal.register_webhook("http://127.0.0.1:PORT/api/payments/paypal/webhook")

The payer approves at the order's ``approve`` link (``/checkoutnow?token=ID``): a page
with Approve and Cancel buttons that redirect to the order's return or cancel URL.
``python -m tests.fakes.paypal`` runs one in the foreground for trying things by hand.
"""

from .server import CLIENT_ID, MERCHANT_EMAIL, SECRET, PayPalServer, paypal_server
from .webhooks import Delivery

__all__ = ["CLIENT_ID", "MERCHANT_EMAIL", "SECRET", "Delivery", "PayPalServer", "paypal_server"]

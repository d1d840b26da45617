"""The approval page a payer sees at ``/checkoutnow?token=ORDER_ID``.

Plain HTML with a heading, the amount and payee, and two buttons named Approve and
Cancel (their text is their accessible name). Approve sends the browser to the order's
``return_url`` with ``token`` and ``PayerID``, Cancel to its ``cancel_url`` with
``token``, as PayPal's checkout does.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .orders import BUYER, Order

STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f7fa;color:#1a1a1a}"
    "main{max-width:28rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px}"
    "button{font:inherit;padding:.6rem 1.4rem;margin-right:.8rem;border-radius:2rem;"
    "border:2px solid #003087;cursor:pointer}"
    "button[value=approve]{background:#003087;color:#fff}"
    "button[value=cancel]{background:#fff;color:#003087}"
    "button:focus-visible{outline:3px solid #e67e00;outline-offset:2px}"
)


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query string."""
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit(parts._replace(query=query))


def _document(title: str, body: str) -> bytes:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    ).encode()


def approval_page(order: Order) -> bytes:
    amount = order.unit["amount"]
    payee = order.brand_name or order.unit.get("payee", {}).get("email_address", "the merchant")
    heading = "<h1>Pay with PayPal</h1><p>Local PayPal test server.</p>"
    if order.status == "COMPLETED":
        return _document("Order paid – PayPal", f"{heading}<p>This order is already paid.</p>")
    what = (
        f"<p>Pay <strong>{escape(amount['currency_code'])} {escape(amount['value'])}</strong> "
        f"to <strong>{escape(payee)}</strong>.</p>"
        f"<p>Logged in as {escape(BUYER['email_address'])}.</p>"
    )
    form = (
        '<form method="post" action="/checkoutnow">'
        f'<input type="hidden" name="token" value="{escape(order.id)}">'
        '<button type="submit" name="action" value="approve">Approve</button>'
        '<button type="submit" name="action" value="cancel">Cancel</button></form>'
    )
    return _document("Approve payment – PayPal", heading + what + form)


def done_page(text: str) -> bytes:
    return _document("PayPal", f"<h1>Pay with PayPal</h1><p>{escape(text)}</p>")

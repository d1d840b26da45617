"""Stripe's card fields as a Reflex component: ``@stripe/react-stripe-js``'s ``Elements``
and ``CardElement``, glued by assets/stripe_card.jsx.

Stripe itself comes from ``window.Stripe`` loaded from PORTAL_STRIPE_JS_URL (not from
``loadStripe``'s fixed address, so tests can point it at localstripe's stand-in). The
component takes only public things (that URL and the gateway's publishable key); the
PaymentIntent's client secret reaches the page only inside the script that confirms
(``confirm_script`` in portal_app/state/portal_payments.py), which calls the glue's
``window.__portalStripeConfirm``.
"""

from __future__ import annotations

import reflex as rx

# The npm packages, pinned (react-stripe-js 7 wants stripe-js 10 as its peer).
REACT_STRIPE_JS = "@stripe/react-stripe-js@7.0.1"
STRIPE_JS = "@stripe/stripe-js@10.2.1"
CARD_ID = "portal-card"


class StripeCard(rx.Component):
    """``<Elements stripe={window.Stripe(publicKey)}><CardElement/></Elements>``."""

    library = "$/public/stripe_card.jsx"
    tag = "StripeCard"
    lib_dependencies: list[str] = [REACT_STRIPE_JS, STRIPE_JS]

    js_url: rx.Var[str]
    public_key: rx.Var[str]


def stripe_card(js_url, public_key) -> rx.Component:
    """The card fields, drawn by Stripe.js into the ``#portal-card`` box."""
    return StripeCard.create(
        js_url=js_url, public_key=public_key, id=CARD_ID, class_name="cp-card-field"
    )

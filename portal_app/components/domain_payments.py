"""The portal domain editor's payment options (User Access Area tab): whether the
brand's customers may save a card for the automatic top-up. Its own module because
domain_editor.py is long enough."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import switch_field
from portal_app.state.domains import DomainsState as S


def domain_payment_options() -> rx.Component:
    return rx.vstack(
        rx.text("Payment options", weight="bold", size="2"),
        switch_field("auto_topup", "Automatic top-up", S.signup["auto_topup"]),
        rx.text(
            "Customers may save a card (Stripe) and have it charged when their available "
            "balance falls below an amount they choose. Needs the Payments section and a "
            "Stripe gateway in the customer's currency.",
            size="1",
            color_scheme="gray",
        ),
        spacing="1",
        width="100%",
        margin_top="0.75em",
    )

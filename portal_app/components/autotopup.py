"""The "Automatic top-up" card of the portal's Payments section: the saved card (or
the fields to save one), "when my available balance falls below X, add Y", on/off and
how the last try went. Shown only when the brand and a Stripe gateway offer it."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import error_text, field, switch_field, text_input
from portal_app.state.portal_autotopup import CARD_BOX
from portal_app.state.portal_autotopup import PortalAutoTopupState as A


def _card_step() -> rx.Component:
    return rx.vstack(
        rx.text("Card details (sent straight to Stripe, kept there for top-ups):", size="2"),
        rx.box(id=CARD_BOX, width="100%", padding="0.75em", class_name="cp-card-field"),
        rx.cond(A.message != "", rx.text(A.message, size="2", role="status", id="topup-message")),
        rx.hstack(
            rx.button(
                "Cancel",
                variant="soft",
                color_scheme="gray",
                type="button",
                on_click=A.cancel_card,
            ),
            rx.button(
                "Save card",
                type="button",
                on_click=A.confirm_card,
                loading=A.step == "saving",
                id="topup-save-card",
            ),
            justify="end",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _saved_card() -> rx.Component:
    return rx.hstack(
        rx.text(
            "Card: ",
            rx.cond(A.card != "", rx.text.strong(A.card, id="topup-card"), "none saved"),
            size="2",
        ),
        rx.button(
            rx.cond(A.card != "", "Replace card", "Save a card"),
            size="1",
            variant="soft",
            type="button",
            on_click=A.start_card,
            id="topup-start-card",
        ),
        rx.cond(
            A.card != "",
            rx.button(
                "Forget card",
                size="1",
                variant="soft",
                color_scheme="red",
                type="button",
                on_click=A.forget_card,
            ),
        ),
        align="center",
        wrap="wrap",
    )


def _settings() -> rx.Component:
    e = A.errors
    return rx.form(
        rx.vstack(
            field(
                rx.text("When my available balance falls below (", A.currency, ")"),
                text_input("threshold", e, default_value=A.threshold, input_mode="decimal"),
                e,
                "threshold",
            ),
            field(
                rx.text("Add (", A.currency, ")"),
                text_input("topup_amount", e, default_value=A.amount, input_mode="decimal"),
                e,
                "topup_amount",
                hint=rx.text("At least ", A.minimum, "; charged to the saved card."),
            ),
            switch_field("topup_enabled", "Automatic top-up on", A.enabled),
            error_text(e, "card"),
            rx.button("Save top-up", type="submit", id="topup-save"),
            spacing="3",
            width="100%",
        ),
        on_submit=A.save,
        reset_on_submit=False,
        key=A.card + A.threshold + A.amount + A.enabled.to_string() + A.errors.length().to_string(),
    )


def _status() -> rx.Component:
    return rx.text(
        rx.cond(A.last_try != "", rx.text("Last try: ", A.last_try, " · "), ""),
        rx.cond(A.last_message != "", rx.text(A.last_message, " · "), ""),
        "Failures in a row: ",
        A.failures.to_string(),
        " of 3",
        size="1",
        color_scheme="gray",
        id="topup-status",
    )


def autotopup_card() -> rx.Component:
    return rx.cond(
        A.offered,
        rx.card(
            rx.heading("Automatic top-up", size="4", as_="h3", margin_bottom="0.75em"),
            rx.vstack(
                rx.cond(A.step == "view", _saved_card(), _card_step()),
                _settings(),
                _status(),
                spacing="3",
                width="100%",
                max_width="420px",
            ),
            width="100%",
        ),
    )

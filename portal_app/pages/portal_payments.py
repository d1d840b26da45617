"""The portal's Payments section: Make Payment (mode, amount, card) and payment history."""

from __future__ import annotations

import reflex as rx

from portal_app.components.autotopup import autotopup_card
from portal_app.components.forms import field, text_input
from portal_app.components.portal import portal_page, writable
from portal_app.components.stripe_card import stripe_card
from portal_app.state.portal_payments import PortalPaymentsState as S


def _option(o) -> rx.Component:
    return rx.radio_group.item(
        rx.vstack(
            rx.text(o.name, weight="bold"),
            rx.cond(o.limits != "", rx.text("Limits: ", o.limits, size="1")),
            rx.cond(o.surcharge != "", rx.text("Surcharge: ", o.surcharge, size="1")),
            spacing="0",
        ),
        value=o.id,
    )


def _preset(amount) -> rx.Component:
    return rx.button(amount, type="button", size="1", variant="soft", on_click=S.set_amount(amount))


def _choose() -> rx.Component:
    e = S.errors
    return rx.form(
        rx.vstack(
            field(
                "Payment mode",
                rx.radio_group.root(
                    rx.foreach(S.options, _option),
                    value=S.gateway_id,
                    on_change=S.choose,
                    id="gateway",
                    name="gateway",  # Reflex 0.11 submits only named controls
                    aria_label="Payment mode",
                ),
                e,
                "gateway",
            ),
            rx.hstack(
                rx.foreach(
                    S.options,
                    lambda o: rx.cond(o.id == S.gateway_id, rx.foreach(o.presets, _preset)),
                ),
                spacing="2",
                wrap="wrap",
            ),
            field(
                "Amount",
                text_input(
                    "amount",
                    e,
                    value=S.amount,
                    on_change=S.set_amount.debounce(400),
                    input_mode="decimal",
                ),
                e,
                "amount",
                hint=S.quote,
            ),
            rx.button("Submit Payment", type="submit", id="submit-payment"),
            spacing="3",
            width="100%",
            max_width="420px",
        ),
        on_submit=S.submit,
        reset_on_submit=False,
    )


def _card() -> rx.Component:
    return rx.vstack(
        rx.text("Card details (sent straight to Stripe):", size="2"),
        rx.box(
            stripe_card(S.stripe_js, S.stripe_key),
            width="100%",
            padding="0.75em",
            border=f"1px solid {rx.color('gray', 7)}",
            border_radius="var(--radius-2)",
        ),
        rx.cond(S.message != "", rx.text(S.message, size="2", role="status", id="pay-message")),
        rx.hstack(
            rx.button(
                "Cancel", variant="soft", color_scheme="gray", type="button", on_click=S.cancel
            ),
            rx.button("Pay", on_click=S.pay, loading=S.step == "pending", id="pay-now"),
            justify="end",
            width="100%",
        ),
        spacing="3",
        width="100%",
        max_width="420px",
    )


def _history_row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.date, white_space="nowrap"),
        rx.table.cell(r.gateway),
        rx.table.cell(r.amount, text_align="right"),
        rx.table.cell(r.surcharge, text_align="right"),
        rx.table.cell(rx.badge(r.status)),
        rx.table.cell(rx.code(r.reference)),
    )


def payments() -> rx.Component:
    headers = ["Date (UTC)", "Mode", "Amount", "Surcharge", "Status", "Reference"]
    return rx.vstack(
        rx.heading("Payments", size="6", as_="h2"),
        rx.text("Balance: ", rx.text.strong(S.balance, id="payments-balance"), size="3"),
        rx.card(
            rx.heading("Make Payment", size="4", as_="h3", margin_bottom="0.75em"),
            writable(
                rx.cond(
                    S.options.length() > 0,
                    rx.cond(S.step == "choose", _choose(), _card()),
                    rx.text(
                        "Online payment is not available for your account.", color_scheme="gray"
                    ),
                )
            ),
            width="100%",
        ),
        writable(autotopup_card()),
        rx.card(
            rx.heading("Payment history", size="4", as_="h3", margin_bottom="0.75em"),
            rx.cond(
                S.history.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(*[rx.table.column_header_cell(h) for h in headers])
                        ),
                        rx.table.body(rx.foreach(S.history, _history_row)),
                        size="2",
                        width="100%",
                        id="payment-history",
                    ),
                    overflow_x="auto",
                ),
                rx.text("No payments yet.", color_scheme="gray", size="2"),
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


portal_payments_page = portal_page(payments, section="payments")

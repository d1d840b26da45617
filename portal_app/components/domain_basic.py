"""The portal domain editor's Basic tab: the host, the brand's name, sign-ups, the
Template Customer (searched as you type), currencies and the Customer Limit."""

from __future__ import annotations

import reflex as rx

from portal_app.components.customer_picker import customer_picker
from portal_app.components.forms import error_text, field, switch_field, text_input
from portal_app.services.money import active_currencies
from portal_app.state.domains import DomainsState

# Assigned, not an import alias (`as S`): Python compiles `S.method(...)` in the foreach
# lambda differently for an imported name, and Reflex names the loop's index after that
# bytecode; this keeps the compiled page as it was in domain_editor.py.
S = DomainsState


def _template_customer(e) -> rx.Component:
    """Template Customer: searched as you type (never a list of every customer)."""
    return rx.vstack(
        rx.cond(
            S.template_id != "none",
            rx.hstack(
                rx.text("Template Customer: ", rx.text.strong(S.template_label), size="2"),
                rx.button(
                    "Clear",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    type="button",
                    on_click=S.clear_template,
                    id="template-clear",
                    aria_label="Clear the Template Customer",
                ),
                align="center",
                id="template-chosen",
            ),
            rx.text("No Template Customer.", size="2", color_scheme="gray"),
        ),
        customer_picker(S, label="Find a Template Customer", id_="template-picker"),
        rx.text(
            "New sign-ups copy this customer's settings, such as its credit and payments.",
            size="1",
            color_scheme="gray",
        ),
        error_text(e, "template_customer_id"),
        spacing="2",
        width="100%",
    )


def basic_tab() -> rx.Component:
    """Domain, brand name, sign-ups, the Template Customer, currencies and the limit."""
    f, e = S.form, S.errors
    return rx.vstack(
        field(
            "Domain",
            text_input("host", e, default_value=f["host"], placeholder="portal.yourbrand.com"),
            e,
            "host",
        ),
        field(
            "Brand Name",
            text_input("brand_name", e, default_value=f["brand_name"]),
            e,
            "brand_name",
            hint="The name customers see on the portal and in its title.",
        ),
        switch_field(
            "customer_signup",
            "Customer Sign up: new customers may sign up (they wait for approval)",
            S.signup["customer"],
        ),
        switch_field(
            "carrier_signup",
            "Carrier Sign up: new carriers may sign up (they wait for approval)",
            S.signup["carrier"],
        ),
        _template_customer(e),
        rx.cond(
            S.template_preview.length() > 0,
            rx.callout.root(
                rx.callout.text(
                    rx.text("Approving a sign-up copies:", weight="medium", size="2"),
                    rx.foreach(S.template_preview, lambda line: rx.text("• " + line, size="2")),
                ),
                color_scheme="blue",
                width="100%",
                id="template-preview",
            ),
        ),
        field(
            "Currencies",
            rx.vstack(
                rx.hstack(
                    rx.foreach(
                        S.currencies,
                        lambda c: rx.badge(
                            c,
                            rx.icon_button(
                                rx.icon("x", size=12),
                                size="1",
                                variant="ghost",
                                type="button",
                                on_click=S.remove_currency(c),
                                aria_label="Remove " + c,
                            ),
                            size="2",
                            id="currency-" + c,
                        ),
                    ),
                    wrap="wrap",
                ),
                rx.select.root(
                    rx.select.trigger(
                        placeholder="Add a currency",
                        id="currency_add",
                        aria_label="Add a currency",
                    ),
                    rx.select.content(*[rx.select.item(c, value=c) for c in active_currencies()]),
                    value="",
                    on_change=S.add_currency,
                ),
                spacing="2",
                role="group",
                id="currencies",
            ),
            e,
            "currencies",
        ),
        field(
            rx.cond(
                S.currencies.length() > 0,
                "Customer Limit (" + S.currencies[0].to(str) + ")",
                "Customer Limit",
            ),
            text_input(
                "customer_limit", e, default_value=f["customer_limit"], input_mode="decimal"
            ),
            e,
            "customer_limit",
            hint="Credit for new sign-ups in the first currency; sign-ups in another "
            "currency start without credit (amounts are never converted).",
        ),
        spacing="3",
        width="100%",
    )

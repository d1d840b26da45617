"""The customer picker of the reports: a search box and the few customers it matches."""

from __future__ import annotations

import reflex as rx


def customer_picker(S) -> rx.Component:
    """Type part of a name (or an id); each match is a button that opens its report."""
    return rx.vstack(
        rx.el.label("Customer", html_for="customer-picker", class_name="cp-label"),
        rx.input(
            id="customer-picker",
            placeholder="Type part of a name or an id",
            auto_complete="off",
            aria_controls="customer-matches",
            on_change=S.find_customers.debounce(250),
            width="100%",
            max_width="28em",
        ),
        # Always in the page (empty until you type): aria-controls must name an element.
        rx.flex(
            rx.foreach(
                S.pick_rows,
                lambda r: rx.button(
                    r.label,
                    variant="soft",
                    size="2",
                    on_click=S.pick_customer(r.id),
                    class_name="cp-pick",
                ),
            ),
            id="customer-matches",
            role="group",
            aria_label="Matching customers",
            aria_live="polite",
            wrap="wrap",
            spacing="2",
        ),
        rx.cond(
            S.pick_note != "",
            rx.text(S.pick_note, size="2", color_scheme="gray", id="customer-none"),
        ),
        spacing="2",
        width="100%",
    )

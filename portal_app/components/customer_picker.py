"""The customer picker of the reports: a search box and the few customers it matches."""

from __future__ import annotations

import reflex as rx


def customer_picker(S, label: str = "Customer", id_: str = "customer-picker") -> rx.Component:
    """Type part of a name (or an id); each match is a button that picks it (the
    reports open its report, the domain editor makes it the Template Customer)."""
    stem = id_.removesuffix("-picker")  # customer-matches, customer-none; template-…
    return rx.vstack(
        rx.el.label(label, html_for=id_, class_name="cp-label"),
        rx.input(
            id=id_,
            # Named, as Reflex 0.11 submits only named controls: a form holding the
            # picker (the domain editor's) receives what was typed as before.
            name=id_,
            placeholder="Type part of a name or an id",
            auto_complete="off",
            aria_controls=stem + "-matches",
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
                    type="button",  # inside a form (the domain editor): picks, never submits
                    class_name="cp-pick",
                ),
            ),
            id=stem + "-matches",
            role="group",
            aria_label="Matching customers",
            aria_live="polite",
            wrap="wrap",
            spacing="2",
        ),
        rx.cond(
            S.pick_note != "",
            rx.text(S.pick_note, size="2", color_scheme="gray", id=stem + "-none"),
        ),
        spacing="2",
        width="100%",
    )

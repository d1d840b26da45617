"""The portal domain editor's Editable Balance Alert options (User Access Area tab):
whether the brand's customers edit their own low-balance alerts in the portal's Alerts
section, between which thresholds and how many. Its own module because
domain_editor.py is long enough."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, switch_field, text_input
from portal_app.state.domains import DomainsState as S


def _number(key: str, label: str, hint: str) -> rx.Component:
    return field(
        label,
        text_input(key, S.errors, default_value=S.form[key], input_mode="numeric"),
        S.errors,
        key,
        hint=hint,
    )


def domain_alert_options() -> rx.Component:
    return rx.vstack(
        rx.text("Editable Balance Alert", weight="bold", size="2"),
        switch_field(
            "alert_editable",
            "Customers may add, change and remove their low-balance alerts",
            S.signup["alert_editable"],
        ),
        rx.grid(
            _number("alert_min", "Lowest threshold", "Whole units of the customer's currency."),
            _number("alert_max", "Highest threshold", "Whole units of the customer's currency."),
            _number("alert_max_count", "Alerts per customer", "At most 20."),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="3",
            width="100%",
        ),
        rx.text(
            "Needs the Alerts section. Alerts email the customer's own contacts only.",
            size="1",
            color_scheme="gray",
        ),
        spacing="2",
        width="100%",
        margin_top="0.75em",
    )

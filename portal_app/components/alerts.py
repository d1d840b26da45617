"""The customer dialog's low-balance alerts, and the row and section shapes the
Alerts & contracts tab's parts share."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, text_input
from portal_app.state.alerts import CustomerAlertsState as A


def line(item, on_delete) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(item.text, size="2", weight="medium"),
            rx.text(item.detail, size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            size="1",
            variant="ghost",
            color_scheme="red",
            type="button",
            aria_label="Remove " + item.text,
            on_click=on_delete(item.id),
        ),
        align="center",
        width="100%",
    )


def section(title: str, *children) -> rx.Component:
    return rx.vstack(rx.text(title, weight="bold", size="2"), *children, spacing="2", width="100%")


def alerts_section() -> rx.Component:
    e = A.errors
    return section(
        "Low-balance alerts",
        rx.foreach(A.alerts, lambda a: line(a, A.delete_alert)),
        rx.form(
            rx.hstack(
                field(
                    "Below (" + A.currency + ")",
                    text_input("alert_threshold", e, placeholder="10.00"),
                    e,
                    "alert_threshold",
                ),
                field(
                    "Email",
                    text_input("alert_recipients", e, placeholder="billing@customer.example"),
                    e,
                    "alert_recipients",
                ),
                rx.button("Add alert", type="submit", variant="soft", id="alert-add"),
                align="end",
                spacing="2",
                width="100%",
            ),
            on_submit=A.add_alert,
            key=A.form_key,
        ),
    )

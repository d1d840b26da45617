"""The customer dialog's Alerts & Contracts tab."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, text_input
from portal_app.state.extras import ExtrasState as X


def _line(item, on_delete) -> rx.Component:
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


def _section(title: str, *children) -> rx.Component:
    return rx.vstack(rx.text(title, weight="bold", size="2"), *children, spacing="2", width="100%")


def extras_tab() -> rx.Component:
    e = X.errors
    return rx.cond(
        X.customer_id > 0,
        rx.vstack(
            _section(
                "Low-balance alerts",
                rx.foreach(X.alerts, lambda a: _line(a, X.delete_alert)),
                rx.form(
                    rx.hstack(
                        field(
                            "Below (" + X.currency + ")",
                            text_input("alert_threshold", e, placeholder="10.00"),
                            e,
                            "alert_threshold",
                        ),
                        field(
                            "Email",
                            text_input(
                                "alert_recipients", e, placeholder="billing@customer.example"
                            ),
                            e,
                            "alert_recipients",
                        ),
                        rx.button("Add alert", type="submit", variant="soft", id="alert-add"),
                        align="end",
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=X.add_alert,
                    key=X.form_key,
                ),
            ),
            rx.separator(width="100%"),
            _section(
                "Packages",
                rx.cond(
                    X.packages.length() > 0,
                    rx.foreach(
                        X.packages,
                        lambda p: rx.checkbox(
                            p.text + " — " + p.detail,
                            checked=p.on,
                            on_change=lambda v: X.toggle_package(p.id, v),
                        ),
                    ),
                    rx.text(
                        "No packages in this currency (Management › Rate Cards).",
                        size="1",
                        color_scheme="gray",
                    ),
                ),
                rx.text(e["packages"], class_name="cp-field-error", size="2"),
            ),
            rx.separator(width="100%"),
            _section(
                "Contracts",
                rx.foreach(X.contracts, lambda c: _line(c, X.delete_contract)),
                rx.form(
                    rx.hstack(
                        field(
                            "Name",
                            text_input("contract_name", e, placeholder="Master services"),
                            e,
                            "contract_name",
                        ),
                        field(
                            "Months",
                            text_input(
                                "contract_months", e, default_value="12", input_mode="numeric"
                            ),
                            e,
                            "contract_months",
                        ),
                        field("Notes", text_input("contract_notes", e), e, "contract_notes"),
                        rx.button("Add contract", type="submit", variant="soft", id="contract-add"),
                        align="end",
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=X.add_contract,
                    key=X.form_key,
                ),
            ),
            spacing="4",
            width="100%",
        ),
        rx.text("Save the customer first.", size="2", color_scheme="gray"),
    )

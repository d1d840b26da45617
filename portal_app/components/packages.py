"""The packages a customer has, on the customer dialog's Alerts & contracts tab."""

from __future__ import annotations

import reflex as rx

from portal_app.components.alerts import section
from portal_app.state.packages import CustomerPackagesState as P


def customer_packages_section() -> rx.Component:
    return section(
        "Packages",
        rx.cond(
            P.packages.length() > 0,
            rx.foreach(
                P.packages,
                lambda p: rx.checkbox(
                    p.text + " — " + p.detail,
                    checked=p.on,
                    on_change=lambda v: P.toggle_package(p.id, v),
                ),
            ),
            rx.text(
                "No packages in this currency (Management › Rate Cards).",
                size="1",
                color_scheme="gray",
            ),
        ),
        rx.text(P.errors["packages"], class_name="cp-field-error", size="2"),
        rx.cond(
            P.usage.length() > 0,
            rx.vstack(
                rx.text("Number lookups, last 31 days: " + P.usage_total, size="2"),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Day (UTC)"),
                            rx.table.column_header_cell("Lookups", text_align="right"),
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            P.usage,
                            lambda u: rx.table.row(
                                rx.table.cell(u.text), rx.table.cell(u.detail, text_align="right")
                            ),
                        )
                    ),
                    size="1",
                    id="lookup-usage",
                ),
                spacing="1",
                width="100%",
            ),
            rx.text("No number lookups in the last 31 days.", size="1", color_scheme="gray"),
        ),
    )

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
    )

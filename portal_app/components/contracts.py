"""The customer dialog's contracts, and the Alerts & contracts tab that holds them with
the alerts and packages."""

from __future__ import annotations

import reflex as rx

from portal_app.components.alerts import alerts_section, line, section
from portal_app.components.carrier_routes import carrier_routes_section
from portal_app.components.forms import field, text_input
from portal_app.components.packages import customer_packages_section
from portal_app.state.contracts import CustomerContractsState as C


def contracts_section() -> rx.Component:
    e = C.errors
    return section(
        "Contracts",
        rx.foreach(C.contracts, lambda c: line(c, C.delete_contract)),
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
                    text_input("contract_months", e, default_value="12", input_mode="numeric"),
                    e,
                    "contract_months",
                ),
                field("Notes", text_input("contract_notes", e), e, "contract_notes"),
                rx.button("Add contract", type="submit", variant="soft", id="contract-add"),
                align="end",
                spacing="2",
                width="100%",
            ),
            on_submit=C.add_contract,
            key=C.form_key,
        ),
    )


def alerts_contracts_tab() -> rx.Component:
    return rx.cond(
        C.customer_id > 0,
        rx.vstack(
            carrier_routes_section(),
            alerts_section(),
            rx.separator(width="100%"),
            customer_packages_section(),
            rx.separator(width="100%"),
            contracts_section(),
            spacing="4",
            width="100%",
        ),
        rx.text("Save the customer first.", size="2", color_scheme="gray"),
    )

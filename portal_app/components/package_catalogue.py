"""Management › Rate Cards › Packages: the catalogue table, the add / edit dialog and
the delete confirmation that names the customers who lose the package."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import (
    H2,
    dialog_buttons,
    dialog_open,
    field,
    select_input,
    text_input,
)
from portal_app.services.money import active_currencies
from portal_app.services.packages import FREQUENCIES, SERVICES
from portal_app.state.package_catalogue import PackageCatalogueState as S


def _row(p) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.button(
                p.name,
                variant="ghost",
                size="1",
                on_click=S.open_edit(p.id.to_string()),
                aria_label="Edit package " + p.name,
            )
        ),
        rx.table.cell(p.price, white_space="nowrap"),
        rx.table.cell(p.minutes, text_align="right"),
        rx.table.cell(p.service),
        rx.table.cell(p.status),
        rx.table.cell(p.customers, text_align="right"),
        rx.table.cell(
            rx.icon_button(
                rx.icon("trash-2", size=14),
                size="1",
                variant="ghost",
                color_scheme="red",
                aria_label="Delete package " + p.name,
                on_click=S.ask_delete(p.id),
            )
        ),
    )


def _table() -> rx.Component:
    heads = ["Name", "Retail", "Minutes", "Service", "Status", "Customers", ""]
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in heads])),
        rx.table.body(rx.foreach(S.packages, _row)),
        variant="surface",
        width="100%",
        id="packages-table",
    )


def _check(name: str, label: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(name=name, id=name, default_checked=S.form[name] == "on", aria_label=label),
            rx.text(label, size="2"),
            align="center",
        )
    )


def _fields() -> rx.Component:
    e, f = S.errors, S.form
    return rx.vstack(
        field("Name", text_input("package_name", e, default_value=f["package_name"]), e),
        rx.hstack(
            field(
                "Currency",
                select_input(
                    "package_currency",
                    [(c, c) for c in active_currencies()],
                    f["package_currency"],
                ),
                e,
                "package_currency",
            ),
            field("Retail", text_input("package_fee", e, default_value=f["package_fee"]), e),
            field(
                "Frequency",
                select_input(
                    "package_frequency", list(FREQUENCIES.items()), f["package_frequency"]
                ),
                e,
                "package_frequency",
            ),
            spacing="3",
            width="100%",
        ),
        rx.hstack(
            field(
                "Included minutes",
                text_input("package_minutes", e, default_value=f["package_minutes"]),
                e,
            ),
            field(
                "Lookup service",
                select_input("package_service", list(SERVICES.items()), f["package_service"]),
                e,
                "package_service",
            ),
            spacing="3",
            width="100%",
        ),
        _check("package_enabled", "Enabled: customers who have it can use its service"),
        _check("package_auto", "Auto decrement credit: take the price from the balance"),
        dialog_buttons(S.close, "package-save"),
        spacing="3",
        width="100%",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(S.dialog == "new", "Add package", "Edit package"), custom_attrs=H2
            ),
            rx.dialog.description(
                "A package with a lookup service lets its customers use it in the portal.",
                size="2",
                margin_bottom="1em",
            ),
            rx.form(
                _fields(),
                on_submit=S.save,
                reset_on_submit=False,
                key=S.dialog + S.errors.length().to_string(),
            ),
            max_width="600px",
        ),
        open=dialog_open(S.dialog != ""),
        on_open_change=lambda _open: S.close(),
    )


def _confirm() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete " + S.confirm_name + "?", custom_attrs=H2),
            rx.alert_dialog.description(
                rx.cond(
                    S.confirm_customers.length() > 0,
                    S.confirm_customers.length().to_string()
                    + " customer(s) have it and will lose it and its service: "
                    + S.confirm_customers.join(", ")
                    + ". Their counted lookups stay.",
                    "No customer has it.",
                ),
                size="2",
                id="package-delete-impact",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.close)
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Delete", color_scheme="red", on_click=S.delete_now, id="package-delete"
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
        open=dialog_open(S.confirm_id != 0),
        on_open_change=lambda _open: S.close(),
    )


def package_catalogue() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.heading("Packages", size="4", as_="h2"),
            rx.spacer(),
            rx.button(
                rx.icon("plus", size=16), "Add package", on_click=S.open_new, id="add-package"
            ),
            align="center",
            margin_bottom="1em",
        ),
        rx.cond(
            S.packages.length() > 0,
            rx.box(_table(), overflow_x="auto", width="100%"),
            rx.text("No packages yet.", color_scheme="gray", size="2"),
        ),
        _dialog(),
        _confirm(),
        width="100%",
    )

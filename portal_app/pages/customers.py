"""Management > Customers: search, filter, sort and page through customers and carriers
(the edit dialog is components/customer_editor.py)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.customer_editor import STATUS, customer_editor
from portal_app.components.forms import field, select_input
from portal_app.components.layout import control_page
from portal_app.state.customers import CustomersState

S = CustomersState
STATUS_COLORS = {"active": "green", "pending": "amber", "suspended": "red", "rejected": "gray"}


def _filters() -> rx.Component:
    return rx.form(
        rx.grid(
            field(
                "Search",
                rx.input(
                    name="search",
                    id="search",
                    placeholder="Name or company",
                    default_value=S.search,
                    width="100%",
                ),
            ),
            field(
                "Type",
                select_input(
                    "kind",
                    [("all", "All"), ("customer", "Customer"), ("carrier", "Carrier")],
                    S.kind,
                ),
            ),
            field("Status", select_input("status", [("all", "All"), *STATUS], S.status)),
            field(
                "Domain",
                rx.select.root(
                    rx.select.trigger(id="domain", width="100%"),
                    rx.select.content(
                        rx.select.item("All", value="all"),
                        rx.select.item("No domain", value="0"),
                        rx.foreach(S.domain_options, lambda o: rx.select.item(o[1], value=o[0])),
                    ),
                    name="domain",
                    default_value=S.domain,
                ),
            ),
            rx.button("Apply", type="submit", id="apply-filters"),
            columns=rx.breakpoints(initial="1", md="5"),
            spacing="3",
            align="end",
            width="100%",
        ),
        on_submit=S.apply_filters,
        reset_on_submit=False,
    )


def _header(label: str, column: str | None = None) -> rx.Component:
    if column is None:
        return rx.table.column_header_cell(label)
    arrow = rx.cond(S.sort == column, rx.cond(S.descending, " ↓", " ↑"), "")
    return rx.table.column_header_cell(
        rx.button(
            label,
            arrow,
            variant="ghost",
            size="1",
            on_click=S.sort_by(column),
            aria_label="Sort by " + label,
        )
    )


def _row(c) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.button(
                c.name,
                variant="ghost",
                size="2",
                id="customer-" + c.id.to_string(),
                on_click=S.open_customer(c.id.to_string()),
            )
        ),
        rx.table.cell(rx.cond(c.kind == "carrier", "Carrier", "Customer")),
        rx.table.cell(
            rx.badge(
                rx.match(c.status, *STATUS, c.status),
                color_scheme=rx.match(c.status, *STATUS_COLORS.items(), "gray"),
            )
        ),
        rx.table.cell(c.domain),
        rx.table.cell(c.currency),
        rx.table.cell(c.credit_limit, text_align="right"),
    )


def _table() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.total > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            _header("Name", "name"),
                            _header("Type", "kind"),
                            _header("Status", "status"),
                            _header("Domain"),
                            _header("Currency"),
                            _header("Credit limit"),
                        )
                    ),
                    rx.table.body(rx.foreach(S.rows, _row)),
                    width="100%",
                    variant="surface",
                    id="customers-table",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No customers match these filters.", color_scheme="gray", padding="1em"),
        ),
        rx.hstack(
            rx.text(S.page_label, size="2", color_scheme="gray", id="customers-count"),
            rx.spacer(),
            rx.button("Previous", variant="soft", disabled=S.page == 0, on_click=S.go_page(-1)),
            rx.button(
                "Next", variant="soft", disabled=~S.has_next, on_click=S.go_page(1), id="next-page"
            ),
            align="center",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.hstack(
                rx.heading("Customers and carriers", size="4", as_="h2"),
                rx.spacer(),
                rx.button(
                    rx.icon("plus", size=16),
                    "Add customer",
                    on_click=S.open_customer("new"),
                    id="add-customer",
                ),
                align="center",
                margin_bottom="1em",
            ),
            _filters(),
            rx.box(height="1em"),
            _table(),
            width="100%",
        ),
        customer_editor(),
        spacing="5",
        width="100%",
    )


customers_page = control_page("Customers", _body, area="customer")

"""The customer portal's sections for a logged-in contact: overview and balance."""

from __future__ import annotations

import functools

import reflex as rx

from portal_app import routes
from portal_app.components.charts import bar_chart, figure_card
from portal_app.components.portal import portal_page
from portal_app.components.tables import scroll_region
from portal_app.state.portal import PortalState as P
from portal_app.state.portal_balance import PortalBalanceState as L

_figure = functools.partial(figure_card, size="6", label_size="2", min_width="180px")


def _tile(item) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.text(item.label, weight="bold", size="3"),
                rx.text(item.hint, size="2", color_scheme="gray"),
                spacing="1",
            ),
            class_name="cp-portal-tile",
            height="100%",
        ),
        href=item.href,
        underline="none",
    )


def _pay_button(id_: str) -> rx.Component:
    """ "Make payment", when the Payments section is open to this contact."""
    return rx.cond(
        P.sections.contains("payments") & ~P.read_only,
        rx.link(
            rx.button(rx.icon("credit-card", size=16), "Make payment"),
            href=routes.PORTAL_PAYMENTS,
            id=id_,
            align_self="center",
        ),
    )


def _money_line() -> rx.Component:
    """The overview's balance line: available money, how long it lasts, pay."""
    return rx.cond(
        P.sections.contains("balance") & (L.available != ""),
        rx.card(
            rx.flex(
                rx.vstack(
                    rx.text("Available", size="2", color_scheme="gray"),
                    rx.text(
                        L.available,
                        size="6",
                        weight="bold",
                        id="home-available",
                        color=rx.cond(L.low, rx.color("red", 11), None),
                    ),
                    rx.text(L.runway, size="2", color_scheme="gray", id="home-runway"),
                    spacing="1",
                ),
                rx.spacer(),
                _pay_button("home-make-payment"),
                spacing="3",
                wrap="wrap",
                align="center",
                width="100%",
            ),
            width="100%",
        ),
    )


def _chart(title, key: str, color: str, id_: str, unit=None) -> rx.Component:
    return rx.card(
        rx.text(title, weight="bold", size="2"),
        bar_chart(P.days, "day", key, title, color=color, height=200, unit=unit),
        width="100%",
        id=id_,
    )


def home() -> rx.Component:
    return rx.vstack(
        rx.heading(P.customer_name, size="6", as_="h2", id="portal-customer"),
        rx.cond(
            P.public_notes != "",
            rx.callout(
                rx.text(P.public_notes, white_space="pre-wrap"),
                icon="info",
                id="portal-notes",
                width="100%",
            ),
        ),
        _money_line(),
        rx.cond(
            P.days.length() > 0,
            rx.grid(
                _chart(
                    "Spend per day (" + P.currency + ")",
                    "spend",
                    "accent",
                    "chart-spend",
                    unit=P.currency,
                ),
                _chart("Minutes per day", "minutes", "teal", "chart-minutes"),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
        ),
        rx.grid(
            rx.foreach(P.menu, _tile),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="3",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.at, white_space="nowrap"),
        rx.table.cell(r.kind),
        rx.table.cell(r.reference),
        rx.table.cell(
            rx.text(r.amount, color=rx.cond(r.negative, rx.color("red", 11), "inherit")),
            text_align="right",
            white_space="nowrap",
        ),
    )


def balance() -> rx.Component:
    return rx.vstack(
        rx.heading("Balance", size="6", as_="h2"),
        rx.flex(
            _figure(
                "Balance",
                L.balance,
                "portal-balance",
                tone=rx.cond(L.low, rx.color("red", 11), None),
            ),
            _figure("Credit limit", L.credit_limit, "portal-credit"),
            _figure("Available", L.available, "portal-available"),
            _pay_button("portal-make-payment"),
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        rx.text(L.runway, size="2", color_scheme="gray", id="portal-runway"),
        rx.card(
            rx.hstack(
                rx.heading("Statement", size="4", as_="h3"),
                rx.spacer(),
                rx.button(
                    rx.icon("download", size=14),
                    "Download CSV",
                    size="2",
                    variant="soft",
                    on_click=L.download_csv,
                    id="portal-csv",
                ),
                align="center",
                margin_bottom="1em",
            ),
            rx.cond(
                L.total > 0,
                scroll_region(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Date (UTC)"),
                                rx.table.column_header_cell("Type"),
                                rx.table.column_header_cell("Reference"),
                                rx.table.column_header_cell("Amount", text_align="right"),
                            )
                        ),
                        rx.table.body(rx.foreach(L.rows, _row)),
                        size="2",
                        width="100%",
                        id="portal-statement",
                    ),
                    "Statement",
                ),
                rx.text("No payments or charges yet.", color_scheme="gray", size="2"),
            ),
            rx.hstack(
                rx.text(L.page_label, size="2", color_scheme="gray", id="portal-page-label"),
                rx.spacer(),
                rx.button(
                    "Newer", size="1", variant="soft", disabled=L.page == 0, on_click=L.go_page(-1)
                ),
                rx.button(
                    "Older",
                    size="1",
                    variant="soft",
                    disabled=~L.has_next,
                    on_click=L.go_page(1),
                    id="portal-older",
                ),
                align="center",
                width="100%",
                margin_top="1em",
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


portal_home_page = portal_page(home)
portal_balance_page = portal_page(balance, section="balance")

"""The portal's CDR and Breakout sections: the contact's own customer's calls."""

from __future__ import annotations

import reflex as rx

from portal_app.components.portal import portal_page
from portal_app.components.reports import breakout_report, cdr_report
from portal_app.state.portal_rates import PortalRatesState as Q
from portal_app.state.reports import PortalReportState as R


def cdr() -> rx.Component:
    return rx.vstack(
        rx.heading("Call records", size="6", as_="h2"), cdr_report(R), spacing="4", width="100%"
    )


def breakout() -> rx.Component:
    return rx.vstack(
        rx.heading("Breakout", size="6", as_="h2"),
        breakout_report(R),
        spacing="4",
        width="100%",
    )


portal_cdr_page = portal_page(cdr, section="cdr")
portal_breakout_page = portal_page(breakout, section="breakout")


def _rate(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.prefix),
        rx.table.cell(r.destination),
        rx.table.cell(r.rate, white_space="nowrap"),
        rx.table.cell(r.fee, white_space="nowrap"),
        rx.table.cell(r.increments),
        rx.table.cell(r.since, white_space="nowrap"),
    )


def rates() -> rx.Component:
    return rx.vstack(
        rx.heading("Rate card", size="6", as_="h2"),
        rx.hstack(
            rx.form(
                rx.hstack(
                    rx.input(name="search", placeholder="Prefix or destination", id="rates-search"),
                    rx.button("Search", type="submit"),
                ),
                on_submit=Q.apply,
                reset_on_submit=False,
            ),
            rx.spacer(),
            rx.button(
                rx.icon("download", size=14),
                "Download CSV",
                variant="soft",
                on_click=Q.download_csv,
                id="rates-csv",
            ),
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            Q.total > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in [
                                    "Prefix",
                                    "Destination",
                                    "Per minute",
                                    "Connection",
                                    "Billing",
                                    "Since",
                                ]
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(Q.rows, _rate)),
                    size="1",
                    variant="surface",
                    width="100%",
                    id="rates-table",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No rates match.", color_scheme="gray", size="2"),
        ),
        rx.hstack(
            rx.text(Q.page_label, size="2", color_scheme="gray"),
            rx.spacer(),
            rx.button(
                "Previous", size="1", variant="soft", disabled=Q.page == 0, on_click=Q.go_page(-1)
            ),
            rx.button(
                "Next", size="1", variant="soft", disabled=~Q.has_next, on_click=Q.go_page(1)
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


portal_rates_page = portal_page(rates, section="rate_card")

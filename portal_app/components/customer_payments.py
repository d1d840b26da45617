"""The customer dialog's Balance tab: how long the money lasts and the latest payments
(for operators with the Payment area; Management › Payments has every one)."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.state.ledger import LedgerState as L

STATUS_COLOURS = {"succeeded": "green", "pending": "amber", "refunded": "gray"}


def _row(p) -> rx.Component:
    return rx.table.row(
        rx.table.cell(p.date, white_space="nowrap"),
        rx.table.cell(p.gateway),
        rx.table.cell(p.amount, text_align="right", white_space="nowrap"),
        rx.table.cell(
            rx.badge(
                p.status,
                color_scheme=rx.match(p.status, *STATUS_COLOURS.items(), "red"),
            ),
            rx.cond(p.problem != "", rx.text(p.problem, size="1", color_scheme="red")),
        ),
        rx.table.cell(rx.code(p.reference, size="1")),
    )


def runway_line() -> rx.Component:
    return rx.text(L.runway, size="2", color_scheme="gray", id="ledger-runway")


def recent_payments() -> rx.Component:
    headers = ["When (UTC)", "Gateway", "Amount", "Status", "Reference"]
    return rx.cond(
        L.can_pay & (L.payments.length() > 0),
        rx.vstack(
            rx.hstack(
                rx.text("Online payments", weight="bold", size="2"),
                rx.spacer(),
                rx.link("All payments", href=routes.PAYMENTS, size="2"),
                width="100%",
                align="center",
            ),
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(rx.foreach(L.payments, _row)),
                size="1",
                variant="surface",
                width="100%",
                id="ledger-payments",
            ),
            spacing="2",
            width="100%",
        ),
    )

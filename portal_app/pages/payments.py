"""Management › Payments: the payments list with filters, refused events, refunds."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import dialog_buttons, dialog_open, field, text_input
from portal_app.components.layout import control_page
from portal_app.state.payments_admin import PaymentsState as S

STATUS_OPTIONS = [
    ("all", "All"),
    ("pending", "Pending"),
    ("succeeded", "Succeeded"),
    ("failed", "Failed"),
    ("canceled", "Canceled"),
    ("refunded", "Refunded"),
]

PERIOD_OPTIONS = [
    ("any", "Any time"),
    ("1d", "Last 24 hours"),
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
]


def _row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.date, white_space="nowrap"),
        rx.table.cell(r.customer),
        rx.table.cell(r.gateway),
        rx.table.cell(r.amount, text_align="right"),
        rx.table.cell(r.surcharge, text_align="right"),
        rx.table.cell(rx.badge(r.status)),
        rx.table.cell(rx.code(r.reference)),
        rx.table.cell(rx.text(r.problem, size="1", color_scheme="red")),
        rx.table.cell(
            rx.cond(
                r.status == "succeeded",
                rx.button(
                    "Refund",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_refund(r.id.to_string()),
                    aria_label="Record a refund of payment " + r.id.to_string(),
                ),
            )
        ),
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.el.label("Status", html_for="payment-status", class_name="cp-label"),
        rx.select.root(
            rx.select.trigger(id="payment-status"),
            rx.select.content(*[rx.select.item(label, value=v) for v, label in STATUS_OPTIONS]),
            value=rx.cond(S.status == "", "all", S.status),
            on_change=S.set_status,
        ),
        rx.el.label("Customer", html_for="payment-customer", class_name="cp-label"),
        rx.input(
            id="payment-customer",
            placeholder="Part of a name",
            value=S.customer_name,
            on_change=S.set_customer_name.debounce(300),
            auto_complete="off",
            width="14em",
        ),
        rx.el.label("Period", html_for="payment-period", class_name="cp-label"),
        rx.select.root(
            rx.select.trigger(id="payment-period"),
            rx.select.content(*[rx.select.item(label, value=v) for v, label in PERIOD_OPTIONS]),
            value=S.period,
            on_change=S.set_period,
        ),
        rx.el.label(
            rx.hstack(
                rx.checkbox(checked=S.problems_only, on_change=S.set_problems_only),
                rx.text("Only refused by us", size="2"),
                align="center",
            )
        ),
        align="center",
        spacing="3",
        wrap="wrap",
        margin_bottom="1em",
    )


def _table() -> rx.Component:
    headers = ["Date (UTC)", "Customer", "Gateway", "Amount", "Surcharge", "Status"]
    headers += ["Reference", "Problem", ""]
    return rx.vstack(
        rx.cond(
            S.total > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(h) for h in headers])
                    ),
                    rx.table.body(rx.foreach(S.rows, _row)),
                    size="2",
                    width="100%",
                    variant="surface",
                    id="payments-table",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No payments match.", color_scheme="gray", size="2"),
        ),
        rx.hstack(
            rx.text(S.page_label, size="2", color_scheme="gray"),
            rx.spacer(),
            rx.button(
                "Newer", size="1", variant="soft", disabled=S.page == 0, on_click=S.go_page(-1)
            ),
            rx.button(
                "Older", size="1", variant="soft", disabled=~S.has_next, on_click=S.go_page(1)
            ),
            width="100%",
        ),
        width="100%",
    )


def _event(e) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e.date, white_space="nowrap"),
        rx.table.cell(e.provider),
        rx.table.cell(e.event),
        rx.table.cell(e.attempt),
        rx.table.cell(e.message),
    )


def _events() -> rx.Component:
    headers = ["Date (UTC)", "Provider", "Event", "Payment", "Why it was refused"]
    return rx.cond(
        S.events.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(S.events, _event)),
            size="1",
            width="100%",
            id="payment-events",
        ),
        rx.text("No refused provider events.", color_scheme="gray", size="2"),
    )


def _refund_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Record a refund of " + S.refund_label + "?"),
            rx.dialog.description(
                "Refund it at the provider first. This reverses the credit in the ledger.",
                size="2",
                margin_bottom="1em",
            ),
            rx.form(
                field("Note", text_input("note"), None, "note"),
                dialog_buttons(S.close, "refund-save"),
                on_submit=S.refund,
            ),
        ),
        open=dialog_open(S.refund_id != 0),
        on_open_change=lambda _open: S.close(),
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.heading("Payments", size="4", as_="h2", margin_bottom="0.5em"),
            _filters(),
            _table(),
            width="100%",
        ),
        rx.card(
            rx.heading("Refused provider events", size="4", as_="h2", margin_bottom="0.5em"),
            rx.box(_events(), overflow_x="auto"),
            width="100%",
        ),
        _refund_dialog(),
        spacing="5",
        width="100%",
    )


payments_page = control_page("Payments", _body, area="payment")

"""Management › Pending Approval: approve or reject confirmed sign-ups, one or many."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, text_input
from portal_app.components.layout import control_page
from portal_app.state.pending import PendingState as P


def _row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=P.selected.contains(r.id),
                on_change=lambda v: P.toggle(r.id, v),
                aria_label="Select " + r.name,
            )
        ),
        rx.table.cell(
            rx.text(r.name, weight="medium"), rx.text(r.domain, size="1", color_scheme="gray")
        ),
        rx.table.cell(
            rx.badge(r.kind, color_scheme=rx.cond(r.kind == "carrier", "purple", "blue"))
        ),
        rx.table.cell(rx.text(r.contact), rx.text(r.email, size="1", color_scheme="gray")),
        rx.table.cell(r.phone, white_space="nowrap"),
        rx.table.cell(r.country),
        rx.table.cell(r.currency),
        rx.table.cell(r.since, white_space="nowrap"),
    )


def _reject() -> rx.Component:
    return rx.cond(
        P.rejecting,
        rx.card(
            rx.form(
                rx.vstack(
                    field(
                        "Reason (emailed to the applicants)",
                        text_input("reason", P.errors, auto_focus=True),
                        P.errors,
                        "reason",
                    ),
                    rx.hstack(
                        rx.button(
                            "Cancel",
                            variant="soft",
                            color_scheme="gray",
                            type="button",
                            on_click=P.cancel_reject,
                        ),
                        rx.button(
                            "Reject", color_scheme="red", type="submit", id="pending-reject-confirm"
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=P.reject,
            ),
            width="100%",
        ),
    )


def _body() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.heading("Waiting for approval", size="4", as_="h2"),
            rx.badge(P.pending_count, id="pending-count"),
            rx.spacer(),
            rx.button(
                "Approve",
                color_scheme="green",
                disabled=P.selected.length() == 0,
                on_click=P.approve,
                id="pending-approve",
            ),
            rx.button(
                "Reject…",
                color_scheme="red",
                variant="soft",
                disabled=P.selected.length() == 0,
                on_click=P.ask_reject,
                id="pending-reject",
            ),
            align="center",
            width="100%",
            margin_bottom="1em",
        ),
        _reject(),
        rx.cond(
            P.rows.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(
                                rx.checkbox(
                                    checked=(P.selected.length() == P.rows.length())
                                    & (P.rows.length() > 0),
                                    on_change=P.toggle_all,
                                    aria_label="Select all",
                                )
                            ),
                            *[
                                rx.table.column_header_cell(h)
                                for h in [
                                    "Company",
                                    "Type",
                                    "Contact",
                                    "Phone",
                                    "Country",
                                    "Currency",
                                    "Signed up",
                                ]
                            ],
                        )
                    ),
                    rx.table.body(rx.foreach(P.rows, _row)),
                    variant="surface",
                    width="100%",
                    id="pending-table",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text(
                "No sign-ups are waiting. New ones appear here by themselves.",
                color_scheme="gray",
                size="2",
                id="pending-empty",
            ),
        ),
        width="100%",
    )


pending_page = control_page("Pending Approval", _body, area="customer")

"""Where you are logged in: a card for Personal Information and the portal Profile.

Takes the state class (``OperatorSessionsState`` or ``PortalSessionsState``): both have
``sessions`` rows and the ``end_one`` and ``end_all`` handlers.
"""

from __future__ import annotations

import reflex as rx


def _row(S, row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.text(row.device),
                rx.cond(row.current, rx.badge("This browser", color_scheme="green")),
                spacing="2",
                wrap="wrap",
            )
        ),
        rx.table.cell(row.address),
        rx.table.cell(row.started),
        rx.table.cell(row.last_seen),
        rx.table.cell(
            rx.button(
                "Sign out",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=S.end_one(row.id),
                aria_label="Sign out the session of " + row.device + " from " + row.address,
            )
        ),
    )


def sessions_card(S) -> rx.Component:
    return rx.card(
        rx.heading("Where you are logged in", size="4", as_="h2", margin_bottom="0.25em"),
        rx.text(
            "Each browser you logged in with, most recently used first. Sign out any you "
            "do not recognise, then change your password.",
            size="2",
            color_scheme="gray",
            margin_bottom="1em",
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Browser"),
                        rx.table.column_header_cell("Address"),
                        rx.table.column_header_cell("Logged in"),
                        rx.table.column_header_cell("Last seen"),
                        rx.table.column_header_cell(rx.el.span("Actions", class_name="rt-sr-only")),
                    )
                ),
                rx.table.body(rx.foreach(S.sessions, lambda row: _row(S, row))),
                id="sessions-table",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.button(
            "Sign out everywhere",
            color_scheme="red",
            variant="outline",
            on_click=S.end_all,
            id="sessions-end-all",
            margin_top="1em",
        ),
        width="100%",
        id="sessions",
    )

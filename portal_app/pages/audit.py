"""The audit log: who changed what, when, with before and after."""

from __future__ import annotations

import reflex as rx

from portal_app.components.layout import control_page
from portal_app.state.audit import AuditState

S = AuditState


def _change(label: str, value) -> rx.Component:
    return rx.cond(
        value != "",
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray"),
            rx.code(value, class_name="cp-json"),
            spacing="0",
        ),
    )


def _row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.at, white_space="nowrap"),
        rx.table.cell(r.who),
        rx.table.cell(rx.code(r.action)),
        rx.table.cell(r.entity),
        rx.table.cell(
            rx.vstack(_change("Before", r.before), _change("After", r.after), spacing="1")
        ),
    )


def _body() -> rx.Component:
    return rx.card(
        rx.form(
            rx.hstack(
                rx.el.label("Search", html_for="search", class_name="cp-label"),
                rx.input(
                    name="search", id="search", placeholder="action, item or email", width="280px"
                ),
                rx.button("Search", type="submit", variant="soft"),
                align="center",
                spacing="3",
            ),
            on_submit=S.apply_search,
            reset_on_submit=False,
            margin_bottom="1em",
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ["When (UTC)", "Who", "What", "Item", "Change"]
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.rows, _row)),
                width="100%",
                variant="surface",
                id="audit-table",
            ),
            overflow_x="auto",
        ),
        rx.hstack(
            rx.text(S.page_label, size="2", color_scheme="gray"),
            rx.spacer(),
            rx.button("Previous", variant="soft", disabled=S.page == 0, on_click=S.go_page(-1)),
            rx.button("Next", variant="soft", disabled=~S.has_next, on_click=S.go_page(1)),
            margin_top="1em",
            align="center",
            width="100%",
        ),
        width="100%",
    )


audit_page = control_page("Audit Log", _body, area="log")

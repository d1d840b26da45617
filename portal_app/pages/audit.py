"""The audit log: who changed what and when, each change as "field: before → after",
filtered by dates, person and action, and downloadable as CSV."""

from __future__ import annotations

import reflex as rx

from portal_app.components.audit import changes_list
from portal_app.components.forms import field, text_input
from portal_app.components.layout import control_page
from portal_app.state.audit import ANY, AuditState

S = AuditState


def _row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.at, white_space="nowrap"),
        rx.table.cell(r.who),
        rx.table.cell(rx.code(r.action)),
        rx.table.cell(r.item),
        rx.table.cell(changes_list(r)),
    )


def _choice(label: str, key: str, options, everyone: str) -> rx.Component:
    return field(
        label,
        rx.select.root(
            rx.select.trigger(id=key, width="100%"),
            rx.select.content(
                rx.select.item(everyone, value=ANY),
                rx.foreach(options, lambda o: rx.select.item(o, value=o)),
            ),
            name=key,
            default_value=getattr(S, key),
        ),
    )


def _day_input(key: str, value) -> rx.Component:
    return text_input(key, S.errors, default_value=value, placeholder=S.date_format)


def _filters() -> rx.Component:
    e = S.errors
    return rx.form(
        rx.grid(
            field("From (UTC)", _day_input("first", S.first), e),
            field("To (UTC)", _day_input("last", S.last), e),
            _choice("Who", "who", S.people, "Anyone"),
            _choice("Action", "action", S.actions, "Any action"),
            field(
                "Search",
                rx.input(
                    name="search",
                    id="search",
                    placeholder="Action, item or email",
                    default_value=S.search,
                    width="100%",
                ),
            ),
            rx.button("Apply", type="submit", variant="soft", id="audit-apply", align_self="end"),
            columns=rx.breakpoints(initial="1", sm="2", lg="6"),
            spacing="3",
            width="100%",
            align="end",
        ),
        on_submit=S.apply_filters,
        reset_on_submit=False,
        margin_bottom="1em",
    )


def _body() -> rx.Component:
    return rx.card(
        _filters(),
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
            rx.text(S.page_label, size="2", color_scheme="gray", id="audit-count"),
            rx.button(
                rx.icon("download", size=14),
                "Download CSV",
                variant="soft",
                size="2",
                on_click=S.download_csv,
                disabled=S.total == 0,
                id="audit-csv",
            ),
            rx.spacer(),
            rx.button("Previous", variant="soft", disabled=S.page == 0, on_click=S.go_page(-1)),
            rx.button("Next", variant="soft", disabled=~S.has_next, on_click=S.go_page(1)),
            margin_top="1em",
            align="center",
            width="100%",
            wrap="wrap",
        ),
        width="100%",
    )


audit_page = control_page("Audit Log", _body, area="log")

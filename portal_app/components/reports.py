"""The CDR and Breakout report layouts, bound to either report state (portal or panel)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.charts import bar_chart, figure_card
from portal_app.components.forms import field, text_input

STATUSES = [
    ("all", "All calls"),
    ("answered", "Answered"),
    ("no_answer", "No answer"),
    ("busy", "Busy"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]


def select_field(name: str, options: list[tuple[str, str]], default: str) -> rx.Component:
    """A form select named (and labelled by id) ``name``, ``options`` as (value, label)."""
    return rx.select.root(
        rx.select.trigger(id=name, width="100%"),
        rx.select.content(*[rx.select.item(label, value=v) for v, label in options]),
        name=name,
        default_value=default,
    )


def date_fields(S) -> list[rx.Component]:
    """From and To in the viewer's date format, each with its error (``S.errors``)."""
    return [
        field(
            "From",
            text_input("first", S.errors, default_value=S.first, placeholder=S.date_format),
            S.errors,
            "first",
        ),
        field(
            "To",
            text_input("last", S.errors, default_value=S.last, placeholder=S.date_format),
            S.errors,
            "last",
        ),
    ]


def _empty(S):
    return rx.cond(
        S.errors.length() > 0,
        "Correct the dates above to see the report.",
        "No calls in this range.",
    )


def _table(headers, rows, id_: str) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.foreach(
                        headers, lambda h: rx.table.column_header_cell(h, white_space="nowrap")
                    )
                )
            ),
            rx.table.body(
                rx.foreach(
                    rows,
                    lambda row: rx.table.row(
                        rx.foreach(row, lambda v: rx.table.cell(v, white_space="nowrap"))
                    ),
                )
            ),
            size="1",
            variant="surface",
            width="100%",
            id=id_,
        ),
        overflow_x="auto",
        width="100%",
    )


def cdr_report(S) -> rx.Component:
    """Filters, totals, one keyset page of calls, paging and the CSV download."""
    return rx.vstack(
        rx.form(
            rx.grid(
                *date_fields(S),
                field(
                    "Number",
                    text_input(
                        "search",
                        S.errors,
                        placeholder="Digits of either number",
                        default_value=S.search,
                    ),
                ),
                field("Status", select_field("status", STATUSES, "all")),
                field(
                    "Direction",
                    select_field(
                        "direction",
                        [("all", "Both"), ("outbound", "Outbound"), ("inbound", "Inbound")],
                        "all",
                    ),
                ),
                rx.button(
                    "Show", type="submit", loading=S.loading, id="cdr-apply", align_self="end"
                ),
                columns=rx.breakpoints(initial="2", md="6"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.apply_cdr,
            reset_on_submit=False,
            key=S.first + S.last,
            width="100%",
        ),
        rx.flex(
            figure_card("Calls", S.calls, "cdr-calls"),
            figure_card("Minutes", S.minutes, "cdr-minutes"),
            figure_card("Cost", S.cost, "cdr-cost"),
            figure_card("ASR", S.asr, "cdr-asr"),
            figure_card("ACD", S.acd, "cdr-acd"),
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(
            S.rows.length() > 0,
            _table(S.headers, S.rows, "cdr-table"),
            rx.cond(
                S.loading,
                rx.center(rx.spinner(size="3"), padding="2em", width="100%"),
                rx.text(_empty(S), color_scheme="gray", size="2", id="cdr-empty"),
            ),
        ),
        rx.hstack(
            # A plain HTTP download (streamed by the server), not a page of the app.
            rx.button(
                rx.icon("download", size=14),
                "Download CSV",
                variant="soft",
                size="2",
                disabled=S.csv_url == "",
                on_click=rx.download(url=S.csv_url),
                id="cdr-csv",
            ),
            rx.text(
                rx.cond(S.errors.length() > 0, "", S.range_label), size="1", color_scheme="gray"
            ),
            rx.spacer(),
            rx.text("Page ", (S.page_no + 1).to_string(), size="2", color_scheme="gray"),
            rx.button("Newer", size="1", variant="soft", disabled=S.page_no == 0, on_click=S.newer),
            rx.button(
                "Older",
                size="1",
                variant="soft",
                disabled=~S.has_next,
                on_click=S.older,
                id="cdr-older",
            ),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        spacing="4",
        width="100%",
    )


def breakout_report(S) -> rx.Component:
    """Per destination or prefix for a range, with a chart of the costliest."""
    return rx.vstack(
        rx.form(
            rx.grid(
                *date_fields(S),
                field(
                    "Group by",
                    select_field(
                        "by", [("destination", "Destination"), ("prefix", "Prefix")], "destination"
                    ),
                ),
                rx.button(
                    "Show", type="submit", loading=S.loading, id="breakout-apply", align_self="end"
                ),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.apply_breakout,
            reset_on_submit=False,
            key=S.first + S.last,
            width="100%",
        ),
        rx.text(rx.cond(S.errors.length() > 0, "", S.range_label), size="1", color_scheme="gray"),
        rx.cond(
            S.chart.length() > 0,
            rx.card(
                bar_chart(S.chart, "name", "value", "Cost (" + S.currency + ")", unit=S.currency),
                width="100%",
                id="breakout-chart",
            ),
        ),
        rx.cond(
            S.breakout_rows.length() > 0,
            _table(S.breakout_headers, S.breakout_rows, "breakout-table"),
            rx.cond(
                S.loading,
                rx.center(rx.spinner(size="3"), padding="2em", width="100%"),
                rx.text(_empty(S), color_scheme="gray", size="2", id="breakout-empty"),
            ),
        ),
        spacing="4",
        width="100%",
    )

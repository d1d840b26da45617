"""My Account › Usage: the account's calls, minutes, spend per currency and peak
concurrent calls per day or month, in the viewer's zone, with charts and a CSV."""

from __future__ import annotations

import reflex as rx

from portal_app.components.charts import bar_chart, figure_card
from portal_app.components.forms import field
from portal_app.components.layout import control_page
from portal_app.components.reports import date_fields, select_field
from portal_app.components.tables import scroll_table
from portal_app.state.usage import UsageState as S


def _form() -> rx.Component:
    return rx.form(
        rx.grid(
            *date_fields(S),
            field("View", select_field("by", [("day", "By day"), ("month", "By month")], S.by)),
            rx.button("Show", type="submit", loading=S.loading, id="usage-apply", align_self="end"),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="3",
            width="100%",
        ),
        on_submit=S.apply,
        reset_on_submit=False,
        key=S.first + S.last + S.by,
        width="100%",
    )


def _spend(chart) -> rx.Component:
    return rx.card(
        rx.heading(chart.axis, size="3", as_="h3"),
        rx.text("Total: ", chart.total, size="2", color_scheme="gray"),
        bar_chart(chart.points, "period", "spend", chart.axis, unit=chart.currency, height=200),
        width="100%",
    )


def _table() -> rx.Component:
    heads = ["Period", "Calls", "Answered", "Billed minutes", "Peak calls", "Spend"]
    keys = ["period", "calls", "answered", "minutes", "peak", "spend"]
    return scroll_table(
        heads,
        S.rows,
        lambda r: [rx.table.cell(r[k], white_space="nowrap") for k in keys],
        "usage-table",
        "Usage by period",
        nowrap=True,
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.text(
            "The account's traffic in your time zone (",
            S.tz,
            "). Peak calls: the most calls in progress at once.",
            size="2",
            color_scheme="gray",
        ),
        _form(),
        rx.flex(
            figure_card("Calls", S.calls, "usage-calls"),
            figure_card("Billed minutes", S.minutes, "usage-minutes"),
            figure_card("Peak calls", S.peak, "usage-peak"),
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(
            S.rows.length() > 0,
            rx.vstack(
                rx.card(
                    rx.heading("Calls and peak concurrent calls", size="3", as_="h3"),
                    bar_chart(S.traffic, "period", "calls", "Calls", height=220),
                    bar_chart(
                        S.traffic, "period", "peak", "Peak calls", color="orange", height=160
                    ),
                    width="100%",
                ),
                rx.foreach(S.spend, _spend),
                _table(),
                rx.button(  # a plain HTTP download, as the CDR report's
                    rx.icon("download", size=14),
                    "Download CSV",
                    variant="soft",
                    size="2",
                    disabled=S.csv_url == "",
                    on_click=rx.download(url=S.csv_url),
                    id="usage-csv",
                ),
                spacing="3",
                width="100%",
            ),
            rx.text(
                rx.cond(S.errors.length() > 0, "Correct the dates above.", "Loading…"),
                size="2",
                color_scheme="gray",
            ),
        ),
        spacing="4",
        width="100%",
    )


usage_page = control_page("Usage", _body, area=("cdr", "report"))

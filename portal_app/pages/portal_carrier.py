"""The portal's Carrier Portal section: a carrier's traffic both ways, the rates it is
paid, and its balance and statement (the Balance section's own view)."""

from __future__ import annotations

import functools

import reflex as rx

from portal_app.components.charts import figure_card
from portal_app.components.forms import field, text_input
from portal_app.components.portal import portal_page
from portal_app.components.tables import scroll_table
from portal_app.pages.portal import balance
from portal_app.state.portal_carrier import PortalCarrierState as S

_figure = functools.partial(figure_card, label_size="2", min_width="160px")


def _month() -> rx.Component:
    return rx.form(
        rx.hstack(
            field(
                "Month",
                text_input("month", S.errors, type="month", default_value=S.month, key=S.month),
                S.errors,
                "month",
            ),
            rx.button("Show", type="submit", id="carrier-month-show"),
            align="end",
            spacing="3",
        ),
        on_submit=S.show_month,
        reset_on_submit=False,
    )


def _totals() -> rx.Component:
    t = S.totals
    return rx.flex(
        _figure("Calls sent", t["sent_calls"], "carrier-sent-calls"),
        _figure("Minutes sent", t["sent_minutes"], "carrier-sent-minutes"),
        _figure("Cost of calls sent", t["sent_cost"], "carrier-sent-cost"),
        _figure("Calls terminated", t["received_calls"], "carrier-received-calls"),
        _figure("Minutes terminated", t["received_minutes"], "carrier-received-minutes"),
        spacing="3",
        wrap="wrap",
        width="100%",
    )


def _days() -> rx.Component:
    heads = ["Day (UTC)", "Sent", "Minutes", "Cost", "Terminated", "Minutes"]
    return rx.cond(
        S.days.length() > 0,
        scroll_table(
            heads,
            S.days,
            lambda d: [
                rx.table.cell(d.day, white_space="nowrap"),
                rx.table.cell(d.sent_calls),
                rx.table.cell(d.sent_minutes),
                rx.table.cell(d.sent_cost, white_space="nowrap"),
                rx.table.cell(d.received_calls),
                rx.table.cell(d.received_minutes),
            ],
            "carrier-days",
            "Traffic per day",
        ),
        rx.text("No traffic this month.", size="2", color_scheme="gray", id="carrier-days"),
    )


def _calls(title: str, direction: str, rows, more, last: str, id_: str) -> rx.Component:
    heads = ["Call start (UTC)", "Called number", "Destination", "Billed", "Status", last]
    return rx.card(
        rx.heading(title, size="4", as_="h3", margin_bottom="0.5em"),
        rx.cond(
            rows.length() > 0,
            scroll_table(
                heads,
                rows,
                lambda c: [
                    rx.table.cell(c.at, white_space="nowrap"),
                    rx.table.cell(c.dialled),
                    rx.table.cell(c.destination),
                    rx.table.cell(c.duration),
                    rx.table.cell(c.status),
                    rx.table.cell(c.extra, white_space="nowrap"),
                ],
                id_,
                title,
            ),
            rx.text("No calls this month.", size="2", color_scheme="gray", id=id_),
        ),
        rx.hstack(
            rx.button(
                "Newest",
                size="1",
                variant="soft",
                on_click=S.newest(direction),
                aria_label=f"Newest {title.lower()}",
            ),
            rx.button(
                "Older",
                size="1",
                variant="soft",
                disabled=~more,
                on_click=S.older(direction),
                aria_label=f"Older {title.lower()}",
                id=f"{id_}-older",
            ),
            justify="end",
            width="100%",
            margin_top="0.75em",
        ),
        width="100%",
    )


def _rates() -> rx.Component:
    return rx.card(
        rx.heading("Rates you are paid", size="4", as_="h3", margin_bottom="0.5em"),
        rx.text(
            "The prices in force on the rate cards of your routes (" + S.routes + "), per "
            "minute, in " + S.currency + ".",
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.hstack(
                field(
                    "Prefix or destination",
                    text_input("rate_search", None, placeholder="44 or United Kingdom"),
                ),
                rx.button("Search", type="submit", variant="soft", id="carrier-rate-search"),
                align="end",
                spacing="3",
                margin_y="0.75em",
            ),
            on_submit=S.search_rates,
            reset_on_submit=False,
        ),
        rx.cond(
            S.rates_total > 0,
            scroll_table(
                ["Prefix", "Destination", "Rate", "Increments"],
                S.rates,
                lambda r: [
                    rx.table.cell(r.prefix),
                    rx.table.cell(r.destination),
                    rx.table.cell(r.rate, white_space="nowrap"),
                    rx.table.cell(r.increments),
                ],
                "carrier-rates",
                "Rates you are paid",
            ),
            rx.text("No rates yet.", size="2", color_scheme="gray", id="carrier-rates"),
        ),
        width="100%",
    )


def carrier() -> rx.Component:
    return rx.vstack(
        rx.heading("Carrier Portal", size="6", as_="h2"),
        _month(),
        _totals(),
        _days(),
        _calls("Calls you sent", "sent", S.sent, S.sent_more, "Cost", "carrier-sent"),
        _calls(
            "Calls you terminated",
            "received",
            S.received,
            S.received_more,
            "Route",
            "carrier-received",
        ),
        _rates(),
        rx.separator(width="100%"),
        balance(),
        spacing="4",
        width="100%",
    )


portal_carrier_page = portal_page(carrier, section="carrier_portal")

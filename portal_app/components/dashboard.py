"""The dashboard's figures: today's traffic, customers near their credit limit, the team."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.state.dashboard import DashboardState


def _figure(label: str, value, icon: str, id_: str = "") -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon(icon, size=28, class_name="cp-figure-icon"),
            rx.vstack(
                rx.text(label, size="2", color_scheme="gray"),
                rx.text(value, class_name="cp-figure-value", id=id_ or None),
                spacing="0",
            ),
            align="center",
            spacing="4",
        ),
        class_name="cp-figure",
    )


def _count(label: str, key: str, icon: str) -> rx.Component:
    return _figure(label, DashboardState.figures[key].to_string(), icon)


def traffic() -> rx.Component:
    t = DashboardState.traffic
    return rx.vstack(
        rx.heading("Traffic today (UTC)", size="4", as_="h2"),
        rx.grid(
            _figure("Calls", t["calls"], "phone", "today-calls"),
            _figure("Minutes", t["minutes"], "timer", "today-minutes"),
            _figure("ASR (answered calls)", t["asr"], "phone-incoming", "today-asr"),
            _figure("ACD (average call)", t["acd"], "clock", "today-acd"),
            columns=rx.breakpoints(initial="2", lg="4"),
            spacing="4",
            width="100%",
        ),
        spacing="3",
        width="100%",
        id="traffic-today",
    )


def near_limit() -> rx.Component:
    return rx.card(
        rx.heading("Customers near their credit limit", size="4", as_="h2", margin_bottom="0.5em"),
        rx.text(
            "Available credit (balance plus credit limit) at 10 % of the limit or less.",
            size="2",
            color_scheme="gray",
            margin_bottom="0.75em",
        ),
        rx.cond(
            DashboardState.near_limit.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Customer"),
                        rx.table.column_header_cell("Available", text_align="right"),
                        rx.table.column_header_cell("Credit limit", text_align="right"),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        DashboardState.near_limit,
                        lambda r: rx.table.row(
                            rx.table.row_header_cell(
                                rx.link(r["name"], href=routes.CUSTOMERS),
                                rx.cond(
                                    r["over"] != "",
                                    rx.badge(
                                        "over the limit", color_scheme="red", margin_left="0.5em"
                                    ),
                                ),
                            ),
                            rx.table.cell(r["available"], text_align="right"),
                            rx.table.cell(r["limit"], text_align="right"),
                        ),
                    )
                ),
                size="1",
                width="100%",
                variant="surface",
            ),
            rx.text("No customer is near their credit limit.", size="2"),
        ),
        width="100%",
        id="near-limit",
    )


def team() -> rx.Component:
    return rx.vstack(
        rx.heading("Your team", size="4", as_="h2"),
        rx.grid(
            _count("Operator users", "users", "users"),
            _count("Groups", "groups", "shield"),
            _count("Active sessions", "active_sessions", "monitor-smartphone"),
            _count("Changes in 24 h", "changes_24h", "history"),
            columns=rx.breakpoints(initial="2", lg="4"),
            spacing="4",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )

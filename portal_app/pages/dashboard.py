"""Dashboard."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.audit import changes_list
from portal_app.components.charts import bar_chart
from portal_app.components.dashboard import near_limit, team, traffic
from portal_app.components.layout import control_page
from portal_app.state.base import AppState
from portal_app.state.dashboard import DashboardState


def _recent() -> rx.Component:
    return rx.card(
        rx.heading("Latest changes", size="4", as_="h2", margin_bottom="0.75em"),
        rx.cond(
            DashboardState.has_recent,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("When (UTC)"),
                            rx.table.column_header_cell("Who"),
                            rx.table.column_header_cell("Item"),
                            rx.table.column_header_cell("Change"),
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            DashboardState.recent,
                            lambda r: rx.table.row(
                                rx.table.cell(r.at, white_space="nowrap"),
                                rx.table.cell(r.who),
                                rx.table.cell(r.item),
                                rx.table.cell(changes_list(r)),
                            ),
                        )
                    ),
                    width="100%",
                    min_width="52em",  # on a phone it scrolls sideways, rows stay short
                    variant="surface",
                    size="1",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No changes yet.", color_scheme="gray"),
        ),
        rx.link("Open the audit log →", href=routes.AUDIT_LOG, size="2"),
        width="100%",
    )


def _spend(g) -> rx.Component:
    """One currency: its own chart, axis and table; never ranked against another."""
    return rx.vstack(
        rx.heading(
            g.currency,
            rx.text.span(" · ", g.calls, " calls, ", g.total, " in all", weight="regular"),
            size="3",
            as_="h3",
        ),
        rx.grid(
            bar_chart(g.rows, "name", "spend", g.axis, height=280, unit=g.currency),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Customer"),
                        rx.table.column_header_cell("Calls", text_align="right"),
                        rx.table.column_header_cell(g.axis, text_align="right"),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        g.rows,
                        lambda t: rx.table.row(
                            rx.table.cell(t["name"]),
                            rx.table.cell(t["calls"], text_align="right"),
                            rx.table.cell(t["label"], text_align="right", white_space="nowrap"),
                        ),
                    )
                ),
                size="1",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        width="100%",
        class_name="cp-top-currency",
        id="top-" + g.currency,
    )


def _top() -> rx.Component:
    return rx.card(
        rx.heading("Top customers by spend, last 7 days", size="4", as_="h2", margin_bottom="1em"),
        rx.vstack(rx.foreach(DashboardState.top, _spend), spacing="5", width="100%"),
        width="100%",
        id="top-customers",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.text("Welcome, ", rx.text.strong(AppState.me_name), ".", size="3"),
        rx.cond(DashboardState.can_see_traffic, traffic()),
        rx.cond(
            DashboardState.figures["admins_without_2fa"] > 0,
            rx.callout.root(
                rx.callout.icon(rx.icon("shield-alert")),
                rx.callout.text(
                    "Some administrators have not turned on two-factor authentication. ",
                    rx.link("Set up yours", href=routes.PERSONAL),
                ),
                color_scheme="amber",
                width="100%",
            ),
        ),
        rx.foreach(
            DashboardState.mail_warnings,
            lambda w: rx.callout.root(
                rx.callout.icon(rx.icon("mail-warning")),
                rx.callout.text(w["text"]),
                color_scheme=rx.cond(w["level"] == "info", "blue", "red"),
                width="100%",
                class_name="dashboard-mail-warning",
            ),
        ),
        rx.cond(
            AppState.pending_count > 0,
            rx.callout.root(
                rx.callout.icon(rx.icon("user-check")),
                rx.callout.text(
                    rx.text.strong(AppState.pending_count, id="dashboard-pending"),
                    " sign-up(s) waiting for approval. ",
                    rx.link("Review them", href=routes.PENDING),
                ),
                color_scheme="orange",
                width="100%",
                id="dashboard-pending-card",
            ),
        ),
        rx.cond(
            (DashboardState.payments_pending + DashboardState.payments_refused) > 0,
            rx.callout.root(
                rx.callout.icon(rx.icon("credit-card")),
                rx.callout.text(
                    rx.text.strong(DashboardState.payments_pending, id="dashboard-payments"),
                    " payment(s) pending with the provider, ",
                    rx.text.strong(DashboardState.payments_refused),
                    " provider event(s) refused in 24 h. ",
                    rx.link("Open Payments", href=routes.PAYMENTS),
                ),
                color_scheme="blue",
                width="100%",
                id="dashboard-payments-card",
            ),
        ),
        rx.cond(DashboardState.can_see_credit, near_limit()),
        rx.cond(DashboardState.top.length() > 0, _top()),
        team(),
        rx.cond(DashboardState.can_see_log, _recent()),
        spacing="5",
        width="100%",
    )


dashboard_page = control_page("Dashboard", _body)

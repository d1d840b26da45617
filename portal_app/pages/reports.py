"""Report › CDR Report and Report › Breakout Report (also linked from a customer's
dialog in Management › Customers): a customer picker, then that customer's report."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.customer_picker import customer_picker
from portal_app.components.layout import control_page
from portal_app.components.reports import breakout_report, cdr_report
from portal_app.state.reports import OperatorReportState as R


def _which() -> rx.Component:
    return rx.hstack(
        rx.text("Customer: ", rx.text.strong(R.customer_name, id="report-customer"), size="3"),
        rx.spacer(),
        rx.link("CDR report", href=routes.CDR_REPORT + "?customer=" + R.customer_id.to_string()),
        rx.link(
            "Breakout report",
            href=routes.BREAKOUT_REPORT + "?customer=" + R.customer_id.to_string(),
        ),
        align="center",
        spacing="4",
        width="100%",
    )


def _none() -> rx.Component:
    return rx.card(
        rx.text(
            "Choose a customer above to see its report.", color_scheme="gray", id="report-none"
        ),
        width="100%",
    )


def _page(report: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.card(customer_picker(R), width="100%"),
        rx.cond(
            R.customer_id > 0,
            rx.card(rx.vstack(_which(), report, spacing="4", width="100%"), width="100%"),
            _none(),
        ),
        spacing="4",
        width="100%",
    )


def _cdr() -> rx.Component:
    return _page(cdr_report(R))


def _breakout() -> rx.Component:
    return _page(breakout_report(R))


cdr_report_page = control_page("CDR Report", _cdr, area="cdr")
breakout_report_page = control_page("Breakout Report", _breakout, area=("cdr", "report"))

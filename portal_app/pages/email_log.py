"""Setup › My Account › Email Log: the outbox, and the development mailbox."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import select_input
from portal_app.components.layout import control_page
from portal_app.state.email_log import EmailLogState

S = EmailLogState
STATUS_COLORS = {
    "sent": "green",
    "in mailbox": "blue",
    "queued": "gray",
    "sending": "gray",
    "failed": "amber",
    "dead": "red",
}

STATUS_OPTIONS = [("any", "Any status")] + [
    (s, s.capitalize()) for s in ("queued", "sending", "sent", "failed", "dead")
]


def _status(r) -> rx.Component:
    return rx.badge(r.status, color_scheme=rx.match(r.status, *STATUS_COLORS.items(), "gray"))


def _log_row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.at, white_space="nowrap"),
        rx.table.cell(r.recipient),
        rx.table.cell(r.subject),
        rx.table.cell(r.brand),
        rx.table.cell(_status(r)),
        rx.table.cell(r.attempts, text_align="right"),
        rx.table.cell(rx.text(r.last_error, size="1", color_scheme="red")),
        rx.table.cell(
            rx.cond(
                r.can_resend,
                rx.button(
                    "Resend",
                    size="1",
                    variant="soft",
                    on_click=S.resend(r.id),
                    aria_label="Resend the email to " + r.recipient,
                ),
            )
        ),
    )


def _mailbox_row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.at, white_space="nowrap"),
        rx.table.cell(r.recipient),
        rx.table.cell(
            rx.button(
                r.subject,
                variant="ghost",
                on_click=S.open_message(r.id),
                aria_label="Read " + r.subject + " to " + r.recipient,
            )
        ),
        rx.table.cell(r.brand),
    )


def _table(headers: list[str], row, table_id: str) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(S.rows, row)),
            width="100%",
            variant="surface",
            id=table_id,
        ),
        overflow_x="auto",
    )


def _filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.label("Search", html_for="email-search", class_name="cp-label"),
            rx.input(name="search", id="email-search", placeholder="recipient or subject"),
            rx.el.label("Status", html_for="status", class_name="cp-label"),
            rx.box(select_input("status", STATUS_OPTIONS, "any"), width="10em"),
            rx.button("Show", type="submit", variant="soft"),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        on_submit=S.apply_filter,
        reset_on_submit=False,
        margin_bottom="1em",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.text(S.page_label, size="2", color_scheme="gray"),
        rx.spacer(),
        rx.button("Refresh", variant="soft", on_click=S.refresh, id="email-log-refresh"),
        rx.button("Previous", variant="soft", disabled=S.page == 0, on_click=S.go_page(-1)),
        rx.button("Next", variant="soft", disabled=~S.has_next, on_click=S.go_page(1)),
        margin_top="1em",
        align="center",
        width="100%",
    )


def _message() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.heading(S.open_subject, size="3", as_="h2"),
                rx.text("To ", S.open_to, size="2", color_scheme="gray"),
                spacing="1",
            ),
            rx.spacer(),
            rx.button("Close", variant="soft", size="1", on_click=S.close_message),
            width="100%",
        ),
        rx.foreach(
            S.open_links,
            lambda link: rx.link(link, href=link, is_external=True, class_name="mailbox-link"),
        ),
        rx.el.pre(S.open_text, class_name="cp-mail-body", id="mailbox-body"),
        width="100%",
        margin_top="1em",
        id="mailbox-message",
    )


def _log() -> rx.Component:
    headers = ["Queued (UTC)", "To", "Subject", "Brand", "Status", "Attempts", "Last error", ""]
    return rx.vstack(
        rx.text(
            "Every email the portal sends, and what became of it. Bodies are not shown: "
            "they can hold live password and confirmation links.",
            size="2",
            color_scheme="gray",
        ),
        _filters(),
        _table(headers, _log_row, "email-log-table"),
        width="100%",
    )


def _mailbox() -> rx.Component:
    return rx.vstack(
        rx.callout.root(
            rx.callout.icon(rx.icon("inbox")),
            rx.callout.text(
                "Development only: email that had no SMTP server to go through lands here, "
                "so the demo's links can be clicked."
            ),
            width="100%",
        ),
        _table(["Queued (UTC)", "To", "Subject", "Brand"], _mailbox_row, "mailbox-table"),
        rx.cond(S.open_id > 0, _message()),
        width="100%",
    )


def _body() -> rx.Component:
    return rx.card(
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("Log", value="log", id="tab-email-log"),
                rx.cond(
                    S.has_mailbox, rx.tabs.trigger("Mailbox", value="mailbox", id="tab-mailbox")
                ),
            ),
            # Each trigger controls its panel (aria-controls): both exist as tab panels.
            rx.tabs.content(rx.box(_log(), padding_top="1em"), value="log"),
            rx.tabs.content(rx.box(_mailbox(), padding_top="1em"), value="mailbox"),
            value=S.tab,
            on_change=S.show_tab,
        ),
        _pager(),
        width="100%",
    )


email_log_page = control_page("Email Log", _body, area="setup")

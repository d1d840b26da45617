"""Setup > Integrations > Portal: brand domains, their DNS state and the editor."""

from __future__ import annotations

import reflex as rx

from portal_app.components.domain_editor import domain_editor
from portal_app.components.forms import H2, dialog_open
from portal_app.components.layout import control_page
from portal_app.settings import get_settings
from portal_app.state.domains import DomainsState

S = DomainsState
STATUS_COLORS = {"verified": "green", "pending": "amber", "misconfigured": "red", "unknown": "gray"}


def _status(row) -> rx.Component:
    return rx.badge(
        row.status_label,
        color_scheme=rx.match(row.status, *[(k, v) for k, v in STATUS_COLORS.items()], "gray"),
    )


def _row(r) -> rx.Component:
    return rx.table.row(
        # The spec: clicking a domain edits it. Its portal opens from the icon beside it.
        rx.table.row_header_cell(
            rx.hstack(
                rx.button(
                    r.shown,
                    variant="ghost",
                    on_click=S.open_editor(r.id.to_string()),
                    id="domain-" + r.id.to_string(),
                ),
                rx.link(
                    rx.icon("external-link", size=14),
                    href=r.url,
                    is_external=True,
                    aria_label="Open the portal of " + r.shown + " (new tab)",
                ),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(r.brand),
        rx.table.cell(
            rx.vstack(
                _status(r),
                rx.text(r.detail, size="1", color_scheme="gray", max_width="320px"),
                spacing="1",
            )
        ),
        rx.table.cell(r.last_checked),
        rx.table.cell(rx.text(r.certificate, size="1")),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Verify now",
                    size="1",
                    variant="soft",
                    loading=S.checking == r.id.to_string(),
                    on_click=S.verify_now(r.id.to_string()),
                ),
                rx.icon_button(
                    rx.icon("pencil", size=14),
                    variant="ghost",
                    aria_label="Edit " + r.host,
                    on_click=S.open_editor(r.id.to_string()),
                ),
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    variant="ghost",
                    color_scheme="red",
                    aria_label="Delete " + r.host,
                    on_click=S.ask_delete(r.id.to_string()),
                ),
                align="center",
            )
        ),
    )


def _table() -> rx.Component:
    headers = ["Domain", "Brand", "Status", "Last check", "Certificate", ""]
    return rx.cond(
        S.rows.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(S.rows, _row)),
            width="100%",
            variant="surface",
            id="domains-table",
        ),
        rx.vstack(
            rx.text("No portal domains yet.", weight="medium"),
            rx.text(
                "Add one to give your customers a portal under your brand.",
                color_scheme="gray",
                size="2",
            ),
            spacing="1",
            padding="1em",
        ),
    )


def _customers_choice() -> rx.Component:
    return rx.vstack(
        rx.text(
            S.delete_customers.to_string() + " customer(s) use this domain. Where should they go?",
            size="2",
            weight="medium",
        ),
        rx.select.root(
            rx.select.trigger(
                id="customers_to", width="100%", placeholder="Choose what happens to them"
            ),
            rx.select.content(
                rx.foreach(
                    S.delete_targets, lambda t: rx.select.item("Move them to " + t[1], value=t[0])
                ),
                rx.select.item("Leave them without a domain (no portal login)", value="detach"),
            ),
            name="customers_to",
            required=True,
        ),
        spacing="2",
        width="100%",
        margin_top="1em",
    )


def _confirm() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete " + S.confirm_label + "?", custom_attrs=H2),
            rx.alert_dialog.description(
                "Its host stops showing the brand and its certificate is no longer renewed. "
                "This is recorded in the audit log.",
                size="2",
            ),
            rx.form(
                rx.cond(S.delete_customers > 0, _customers_choice()),
                rx.hstack(
                    rx.alert_dialog.cancel(
                        rx.button(
                            "Cancel",
                            variant="soft",
                            color_scheme="gray",
                            type="button",
                            on_click=S.close_editor,
                        )
                    ),
                    rx.button("Delete", color_scheme="red", type="submit", id="confirm-delete"),
                    justify="end",
                    spacing="3",
                    margin_top="1em",
                ),
                on_submit=S.confirm_delete_now,
                reset_on_submit=True,
            ),
        ),
        open=dialog_open(S.confirm_delete != ""),
        on_open_change=lambda _open: S.close_editor(),
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.hstack(
                rx.heading("Portal", size="4", as_="h2"),
                rx.spacer(),
                rx.button(
                    rx.icon("plus", size=16),
                    "Add domain",
                    on_click=S.open_editor("new"),
                    id="add-domain",
                ),
                align="center",
                margin_bottom="1em",
            ),
            rx.text(
                "Each domain is a brand: customers reach their portal at its host, which "
                "must be a CNAME to ",
                rx.code(get_settings().cname_target),
                ".",
                size="2",
                color_scheme="gray",
                margin_bottom="1em",
            ),
            rx.box(_table(), overflow_x="auto"),
            width="100%",
        ),
        domain_editor(),
        _confirm(),
        spacing="5",
        width="100%",
    )


portal_domains_page = control_page("Portal", _body, area="portal")

"""The portal's Alerts section: low-balance alerts, their editor and "Send test"."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, text_input
from portal_app.components.portal import portal_page
from portal_app.components.tables import scroll_table
from portal_app.state.portal_alerts import PortalAlertsState as S


def _cells(a) -> list[rx.Component]:
    actions = rx.hstack(
        rx.button(
            "Send test",
            size="1",
            variant="soft",
            on_click=S.send_test(a.id),
            aria_label="Send test of the alert below " + a.threshold,
            id="alert-test-" + a.id.to_string(),
        ),
        rx.cond(
            S.editable,
            rx.hstack(
                rx.button(
                    "Edit",
                    size="1",
                    variant="soft",
                    on_click=S.edit(a.id),
                    aria_label="Edit the alert below " + a.threshold,
                    id="alert-edit-" + a.id.to_string(),
                ),
                rx.button(
                    "Remove",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.delete(a.id),
                    aria_label="Remove the alert below " + a.threshold,
                    id="alert-delete-" + a.id.to_string(),
                ),
                spacing="2",
            ),
        ),
        spacing="2",
        wrap="wrap",
    )
    return [
        rx.table.cell("Below " + a.threshold, white_space="nowrap"),
        rx.table.cell(a.recipients, word_break="break-all"),
        rx.table.cell(actions),
    ]


def _list() -> rx.Component:
    return rx.cond(
        S.alerts.length() > 0,
        scroll_table(
            ["Threshold", "Emails", "Actions"],
            S.alerts,
            _cells,
            "portal-alerts",
            "Your low-balance alerts",
        ),
        rx.text(
            "You have no low-balance alerts.", size="2", color_scheme="gray", id="portal-alerts"
        ),
    )


def _editor() -> rx.Component:
    e = S.errors
    return rx.card(
        rx.heading(
            rx.cond(S.editing > 0, "Change the alert", "Add an alert"),
            size="4",
            as_="h3",
            margin_bottom="0.5em",
        ),
        rx.text(S.limits_text, size="2", color_scheme="gray", id="alert-limits"),
        rx.form(
            rx.vstack(
                field(
                    "Email when the available balance falls below (" + S.currency + ")",
                    text_input(
                        "alert_threshold",
                        e,
                        default_value=S.form["alert_threshold"],
                        input_mode="decimal",
                        placeholder="10.00",
                    ),
                    e,
                    "alert_threshold",
                ),
                field(
                    "Emails",
                    text_input("alert_recipients", e, default_value=S.form["alert_recipients"]),
                    e,
                    "alert_recipients",
                    hint="Your company's contacts, separated by commas: " + S.contacts_text,
                ),
                rx.hstack(
                    rx.button(
                        rx.cond(S.editing > 0, "Save alert", "Add alert"),
                        type="submit",
                        disabled=(S.editing == 0) & ~S.can_add,
                        id="alert-save",
                    ),
                    rx.cond(
                        S.editing > 0,
                        rx.button(
                            "Cancel",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=S.cancel,
                        ),
                    ),
                    spacing="2",
                ),
                spacing="3",
                width="100%",
                margin_top="1em",
            ),
            on_submit=S.save,
            reset_on_submit=False,
            key=S.form_key.to_string(),
        ),
        width="100%",
        id="alert-editor",
    )


def alerts() -> rx.Component:
    return rx.vstack(
        rx.heading("Alerts", size="6", as_="h2"),
        rx.text(
            "We email these addresses when your available balance (balance plus credit) "
            "falls below a threshold. Send test shows what the email looks like.",
            size="2",
            color_scheme="gray",
        ),
        _list(),
        rx.cond(
            S.editable,
            _editor(),
            rx.text(
                "Your alerts are set by your account manager.",
                size="2",
                color_scheme="gray",
                id="alerts-locked",
            ),
        ),
        spacing="4",
        width="100%",
    )


portal_alerts_page = portal_page(alerts, section="alerts")

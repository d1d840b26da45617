"""Setup › My Account › My Servers: status list, add/edit dialog, history, delete."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import (
    H2,
    dialog_buttons,
    dialog_open,
    field,
    select_input,
    text_input,
)
from portal_app.components.layout import control_page
from portal_app.state.servers import ServersState

S = ServersState
ROLES = [("sip_switch", "SIP switch"), ("media_server", "Media server"), ("other", "Other")]


def _status(s) -> rx.Component:
    return rx.vstack(
        rx.badge(s.status_label, color_scheme=s.colour, class_name="server-status"),
        rx.cond(s.error != "", rx.text(s.error, size="1", color_scheme="gray")),
        spacing="1",
    )


def _row(s) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.button(
                s.name,
                variant="ghost",
                on_click=S.open_edit(s.id.to_string()),
                aria_label="Edit " + s.name,
            )
        ),
        rx.table.cell(rx.code(s.address, variant="ghost")),
        rx.table.cell(s.role),
        rx.table.cell(s.location),
        rx.table.cell(_status(s)),
        rx.table.cell(s.seen),
        rx.table.cell(s.latency, class_name="server-latency"),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Check now",
                    size="1",
                    variant="soft",
                    loading=S.checking == s.id,
                    disabled=s.maintenance,
                    on_click=S.check_now(s.id.to_string()),
                    aria_label="Check now: " + s.name,
                ),
                rx.button(
                    "History",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.open_history(s.id.to_string()),
                    aria_label="Probe history of " + s.name,
                ),
                rx.el.label(
                    rx.hstack(
                        rx.switch(
                            checked=s.maintenance,
                            on_change=lambda _on: S.toggle_maintenance(s.id.to_string()),
                            aria_label="Maintenance mode for " + s.name,
                        ),
                        rx.text("Maintenance", size="1"),
                        align="center",
                        spacing="1",
                    )
                ),
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    variant="ghost",
                    color_scheme="red",
                    aria_label="Remove " + s.name,
                    on_click=S.ask_delete(s.id.to_string()),
                ),
                align="center",
            )
        ),
    )


def _table() -> rx.Component:
    headers = ["Name", "Host and port", "Role", "Location", "Status", "Last seen", "Latency", ""]
    return rx.cond(
        S.servers.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(S.servers, _row)),
            width="100%",
            variant="surface",
            id="servers-table",
        ),
        rx.text("No server yet.", color_scheme="gray", id="servers-empty"),
    )


def _fields() -> rx.Component:
    f, e = S.form, S.errors
    return rx.vstack(
        field("Name", text_input("name", e, default_value=f["name"]), e, "name"),
        rx.grid(
            field(
                "Host",
                text_input("host", e, default_value=f["host"], placeholder="sip.example.com"),
                e,
                "host",
                hint="A host name or an IP address.",
            ),
            field(
                "Port",
                text_input("port", e, default_value=f["port"]),
                e,
                "port",
                hint="UDP; SIP's is 5060.",
            ),
            columns="2",
            width="100%",
            style={"gap": "0.75rem 1rem"},
        ),
        field("Role", select_input("role", ROLES, f["role"]), e, "role"),
        field("Location", text_input("location", e, default_value=f["location"]), e, "location"),
        field(
            "Notes",
            rx.text_area(name="notes", id="notes", default_value=f["notes"], width="100%"),
            e,
            "notes",
        ),
        dialog_buttons(S.close, "server-save"),
        spacing="3",
        width="100%",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(S.dialog == "new", "Add server", "Edit server"), custom_attrs=H2
            ),
            rx.dialog.description(
                "Its status comes from a SIP OPTIONS request over UDP.",
                size="2",
                margin_bottom="1em",
            ),
            rx.form(
                _fields(),
                on_submit=S.save,
                reset_on_submit=False,
                key=S.dialog + S.errors.length().to_string(),
            ),
            max_width="520px",
        ),
        open=dialog_open(S.dialog != ""),
        on_open_change=lambda _open: S.close(),
    )


def _history() -> rx.Component:
    head = ["Time", "Result", "Latency", "Detail"]
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("History of " + S.history_label, custom_attrs=H2),
            rx.dialog.description("The last probes, newest first.", size="2", margin_bottom="1em"),
            rx.cond(
                S.history.length() > 0,
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in head])),
                    rx.table.body(
                        rx.foreach(
                            S.history,
                            lambda p: rx.table.row(
                                rx.table.cell(p.at),
                                rx.table.cell(rx.badge(p.result, color_scheme=p.colour)),
                                rx.table.cell(p.latency),
                                rx.table.cell(p.error),
                            ),
                        )
                    ),
                    width="100%",
                    id="server-history",
                ),
                rx.text("Not checked yet.", color_scheme="gray"),
            ),
            rx.hstack(
                rx.button("Close", variant="soft", color_scheme="gray", on_click=S.close),
                justify="end",
                margin_top="1em",
            ),
            max_width="640px",
        ),
        open=dialog_open(S.history_id != 0),
        on_open_change=lambda _open: S.close(),
    )


def _confirm() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove " + S.confirm_label + "?", custom_attrs=H2),
            rx.alert_dialog.description("Its probe history goes too.", size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.close)
                ),
                rx.alert_dialog.action(
                    rx.button("Remove", color_scheme="red", on_click=S.delete, id="confirm-delete")
                ),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
        open=dialog_open(S.confirm_delete != 0),
        on_open_change=lambda _open: S.close(),
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.hstack(
                rx.heading("Servers", size="4", as_="h2"),
                rx.spacer(),
                rx.button(
                    rx.icon("plus", size=16), "Add server", on_click=S.open_new, id="add-server"
                ),
                align="center",
                margin_bottom="1em",
            ),
            rx.text(
                "The SIP switches and media servers of this account. Each one not in "
                "maintenance gets a SIP OPTIONS request over UDP every ",
                S.probe_seconds.to_string(),
                " seconds.",
                size="2",
                color_scheme="gray",
                margin_bottom="1em",
            ),
            rx.box(_table(), overflow_x="auto"),
            width="100%",
        ),
        _dialog(),
        _history(),
        _confirm(),
        spacing="5",
        width="100%",
    )


servers_page = control_page("My Servers", _body, area="setup")

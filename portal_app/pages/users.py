"""Setup > My Account > Users: users and groups, each added and edited in a dialog
(components/user_editor.py)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import H2, dialog_open
from portal_app.components.layout import control_page
from portal_app.components.user_editor import group_editor, user_editor
from portal_app.state.base import AppState
from portal_app.state.users import UsersState

S = UsersState


def _row_actions(label, on_edit, on_delete) -> rx.Component:
    """Edit and delete buttons for a table row; ``label`` names the row for screen readers."""
    return rx.hstack(
        rx.icon_button(
            rx.icon("pencil", size=14),
            variant="ghost",
            aria_label="Edit " + label,
            on_click=on_edit,
        ),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            variant="ghost",
            color_scheme="red",
            aria_label="Delete " + label,
            on_click=on_delete,
        ),
    )


def _user_row(u) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(u.name),
        rx.table.cell(u.email),
        rx.table.cell(
            rx.badge(u.role_label, color_scheme=rx.cond(u.role == "admin", "violet", "gray"))
        ),
        rx.table.cell(u.group_name),
        rx.table.cell(
            rx.cond(
                u.enabled,
                rx.badge("Enabled", color_scheme="green"),
                rx.badge("Disabled", color_scheme="red"),
            )
        ),
        rx.table.cell(rx.cond(u.totp, rx.badge("On", color_scheme="green"), rx.text("Off"))),
        rx.table.cell(u.last_login),
        rx.table.cell(
            _row_actions(
                u.name, S.open_user(u.id.to_string()), S.ask_delete("user", u.id.to_string())
            )
        ),
    )


def _users_table() -> rx.Component:
    headers = ["Name", "Email", "Role", "Group", "Status", "2FA", "Last login", ""]
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(S.users, _user_row)),
        width="100%",
        variant="surface",
        id="users-table",
    )


def _group_row(g) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(g.name),
        rx.table.cell(g.members),
        rx.table.cell(rx.text(g.summary, size="2")),
        rx.table.cell(
            rx.cond(
                AppState.me_is_admin,
                _row_actions(
                    "group " + g.name,
                    S.open_group(g.id.to_string()),
                    S.ask_delete("group", g.id.to_string()),
                ),
            )
        ),
    )


def _groups_table() -> rx.Component:
    return rx.cond(
        S.groups.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ["Name", "Members", "Permissions", ""]
                    ]
                )
            ),
            rx.table.body(rx.foreach(S.groups, _group_row)),
            width="100%",
            variant="surface",
            id="groups-table",
        ),
        rx.text(
            "No groups yet. A group gives Users permission to work in an area.", color_scheme="gray"
        ),
    )


def _confirm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete " + S.confirm_label + "?", custom_attrs=H2),
            rx.alert_dialog.description(
                "This cannot be undone. It is recorded in the audit log.", size="2"
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Cancel", variant="soft", color_scheme="gray", on_click=S.close_dialogs
                    )
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Delete",
                        color_scheme="red",
                        on_click=S.confirm_delete_now,
                        id="confirm-delete",
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
        open=dialog_open(S.confirm_delete != ""),
        on_open_change=lambda _open: S.close_dialogs(),
    )


def _section(
    title: str, add_label: str, add_event, add_id: str, table, can_add=True
) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.heading(title, size="4", as_="h2"),
            rx.spacer(),
            rx.cond(
                can_add,
                rx.button(rx.icon("plus", size=16), add_label, on_click=add_event, id=add_id),
            ),
            align="center",
            margin_bottom="1em",
        ),
        rx.box(table, overflow_x="auto"),
        width="100%",
    )


def _body() -> rx.Component:
    return rx.vstack(
        _section("Users", "Add user", S.open_user("new"), "add-user", _users_table()),
        _section(
            "Groups",
            "Add group",
            S.open_group("new"),
            "add-group",
            _groups_table(),
            can_add=AppState.me_is_admin,
        ),
        user_editor(),
        group_editor(),
        _confirm_dialog(),
        spacing="5",
        width="100%",
    )


users_page = control_page("Users", _body, area="user")

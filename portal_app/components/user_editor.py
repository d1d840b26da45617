"""Setup > My Account > Users: the Add / Edit user and Add / Edit group dialogs."""

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
from portal_app.services.identity import Area
from portal_app.state.users import AREA_LABELS, UsersState

S = UsersState
GRANT_OPTIONS = [("select", "Select"), ("allow", "Allow"), ("deny", "Deny")]


def user_editor() -> rx.Component:
    """Add or edit an operator user: name, email, password, role, group, enabled."""
    f, e = S.user_form, S.errors
    group_options = rx.foreach(S.groups, lambda g: rx.select.item(g.name, value=g.id.to_string()))
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(S.user_dialog == "new", "Add user", "Edit user"), custom_attrs=H2
            ),
            rx.dialog.description(
                "Users log in to this control panel.", size="2", margin_bottom="1em"
            ),
            rx.form(
                rx.vstack(
                    field("Name", text_input("name", e, default_value=f["name"]), e, "name"),
                    field(
                        "Email",
                        text_input("email", e, type="email", default_value=f["email"]),
                        e,
                        "email",
                    ),
                    field(
                        "Password",
                        text_input("password", e, type="password", auto_complete="new-password"),
                        e,
                        "password",
                        hint=rx.cond(
                            S.user_dialog == "new",
                            S.password_hint,
                            "Leave empty to keep the current password.",
                        ),
                    ),
                    field(
                        "Role",
                        select_input(
                            "role", [("user", "User"), ("admin", "Administrator")], f["role"]
                        ),
                        e,
                        "role",
                    ),
                    field(
                        "Group",
                        rx.select.root(
                            rx.select.trigger(id="group_id", width="100%"),
                            rx.select.content(
                                rx.select.item("No group", value="none"), group_options
                            ),
                            name="group_id",
                            default_value=f["group_id"],
                        ),
                        e,
                        "group_id",
                    ),
                    rx.el.label(
                        rx.hstack(
                            rx.switch(
                                name="enabled", id="enabled", default_checked=f["enabled"] == "on"
                            ),
                            rx.text("Enabled", size="2"),
                            align="center",
                        )
                    ),
                    rx.text(e["enabled"], class_name="cp-field-error", size="2"),
                    dialog_buttons(S.close_dialogs, "user-save"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save_user,
                reset_on_submit=False,
                key=S.user_dialog + S.errors.length().to_string(),
            ),
            max_width="480px",
        ),
        open=dialog_open(S.user_dialog != ""),
        on_open_change=lambda _open: S.close_dialogs(),
    )


def group_editor() -> rx.Component:
    """Add or edit a group: its name and Allow / Deny / Select for each area."""
    f, e = S.group_form, S.errors
    grant_fields = [
        field(
            AREA_LABELS[a],
            select_input(f"grant_{a.value}", GRANT_OPTIONS, f[a.value]),
            e,
            f"grant_{a.value}",
        )
        for a in Area
    ]
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(S.group_dialog == "new", "Add group", "Edit group"), custom_attrs=H2
            ),
            rx.dialog.description(
                "Allow or Deny each area for the group's Users. Select leaves the default, "
                "which is no access. Administrators may always do everything.",
                size="2",
                margin_bottom="1em",
            ),
            rx.form(
                rx.vstack(
                    field("Name", text_input("name", e, default_value=f["name"]), e, "name"),
                    rx.grid(
                        *grant_fields, columns="2", width="100%", style={"gap": "0.75rem 1rem"}
                    ),
                    rx.text(e["grants"], class_name="cp-field-error", size="2"),
                    dialog_buttons(S.close_dialogs, "group-save"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save_group,
                reset_on_submit=False,
                key=S.group_dialog + S.errors.length().to_string(),
            ),
            max_width="560px",
        ),
        open=dialog_open(S.group_dialog != ""),
        on_open_change=lambda _open: S.close_dialogs(),
    )

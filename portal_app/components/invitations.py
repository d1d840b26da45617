"""Contact roles as pickers show them, and the table of pending invitations: one copy
for the operator's Contacts tab and the portal's Contacts section."""

from __future__ import annotations

import reflex as rx

from portal_app.services.policy import ROLE_LABELS

ROLE_OPTIONS = list(ROLE_LABELS.items())  # (value, label), Owner first


def invitations_table(
    invites,
    on_revoke,
    *,
    table_id: str,
    verb: str,
    tone: str,
    can_revoke=True,
    inviter: bool = False,
    **table_props,
) -> rx.Component:
    """``invites`` (rows with id, email, role_label, expires and, with ``inviter``,
    invited_by) with a ``verb`` button per row calling ``on_revoke(id)``; the button
    column shows only when ``can_revoke`` (a bool or a Var)."""
    headers = ["Email", "Role", *(["Invited by"] if inviter else []), "Link expires"]

    def action(i) -> rx.Component:
        return rx.table.cell(
            rx.button(
                verb,
                size="1",
                variant="soft",
                color_scheme=tone,
                type="button",
                on_click=on_revoke(i.id),
                aria_label=f"{verb} the invitation of " + i.email,
            )
        )

    def shown(component: rx.Component) -> list[rx.Component]:
        if isinstance(can_revoke, bool):
            return [component] if can_revoke else []
        return [rx.cond(can_revoke, component)]

    def row(i) -> rx.Component:
        return rx.table.row(
            rx.table.cell(i.email),
            rx.table.cell(i.role_label),
            *([rx.table.cell(i.invited_by)] if inviter else []),
            rx.table.cell(i.expires, white_space="nowrap"),
            *shown(action(i)),
        )

    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[rx.table.column_header_cell(h) for h in headers],
                *shown(rx.table.column_header_cell("")),
            )
        ),
        rx.table.body(rx.foreach(invites, row)),
        size="1",
        width="100%",
        id=table_id,
        **table_props,
    )

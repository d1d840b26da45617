"""The portal's Contacts section: who logs in for the customer, with which role; an
Owner invites colleagues, changes roles, removes logins and withdraws invitations."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, select_input, text_input
from portal_app.components.invitations import ROLE_OPTIONS, invitations_table
from portal_app.components.portal import portal_page
from portal_app.state.portal import PortalState as P
from portal_app.state.portal_team import PortalTeamState as T

ROLE_HELP = (
    "Owner: everything, and the contacts. Billing: balance, statement and payments. "
    "Technical: CDRs, rate card, breakout and lookups. Read-only: looks at every "
    "section, changes nothing."
)


def _role_cell(m) -> rx.Component:
    picker = rx.select.root(
        rx.select.trigger(aria_label="Role of " + m.name, id="team-role-" + m.id.to_string()),
        rx.select.content(*[rx.select.item(label, value=v) for v, label in ROLE_OPTIONS]),
        value=m.role,
        on_change=lambda role: T.set_role(m.id, role),
        size="1",
    )
    return rx.cond(P.manages_team, picker, rx.badge(m.role_label, variant="soft"))


def _member(m) -> rx.Component:
    remove = rx.icon_button(
        rx.icon("user-minus", size=14),
        size="1",
        variant="ghost",
        color_scheme="red",
        aria_label="Remove " + m.name,
        on_click=T.ask_remove(m.id, m.name),
        id="team-remove-" + m.id.to_string(),
    )
    return rx.table.row(
        rx.table.cell(m.name, rx.cond(m.me, rx.badge("you", margin_left="0.5em"))),
        rx.table.cell(m.email),
        rx.table.cell(_role_cell(m)),
        rx.cond(P.manages_team, rx.table.cell(rx.cond(m.me, "", remove))),
    )


def _confirm() -> rx.Component:
    return rx.cond(
        T.confirm_remove > 0,
        rx.callout.root(
            rx.callout.text("Remove ", rx.text.strong(T.confirm_name), "? Their login ends now."),
            rx.hstack(
                rx.button(
                    "Cancel",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=T.cancel_remove,
                ),
                rx.button(
                    "Remove",
                    size="1",
                    color_scheme="red",
                    on_click=T.remove,
                    id="team-remove-confirm",
                ),
            ),
            color_scheme="red",
            width="100%",
        ),
    )


def _invite_form() -> rx.Component:
    e = T.errors
    return rx.card(
        rx.heading("Invite a colleague", size="4", as_="h3", margin_bottom="0.5em"),
        rx.text(ROLE_HELP, size="2", color_scheme="gray", margin_bottom="1em"),
        rx.form(
            rx.grid(
                field("Email", text_input("invite_email", e, type="email"), e, "invite_email"),
                field(
                    "Role", select_input("invite_role", ROLE_OPTIONS, "read_only"), e, "invite_role"
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("send", size=14), "Send invitation", type="submit", id="invite-send"
                ),
                justify="end",
                margin_top="1em",
            ),
            on_submit=T.invite,
            reset_on_submit=False,
            key=T.form_key.to_string(),
        ),
        width="100%",
    )


def _pending() -> rx.Component:
    return rx.cond(
        T.invites.length() > 0,
        rx.card(
            rx.heading("Waiting for an answer", size="4", as_="h3", margin_bottom="0.5em"),
            invitations_table(
                T.invites,
                T.revoke_invite,
                table_id="team-invites",
                verb="Withdraw",
                tone="gray",
                can_revoke=P.manages_team,
            ),
            width="100%",
        ),
    )


def contacts() -> rx.Component:
    return rx.vstack(
        rx.heading("Contacts", size="6", as_="h2"),
        rx.text(
            "The people who can log in to this portal for ",
            P.customer_name,
            rx.cond(P.manages_team, ". As an Owner you invite and manage them.", "."),
            size="2",
            color_scheme="gray",
        ),
        _confirm(),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(h) for h in ["Name", "Email", "Role"]],
                        rx.cond(P.manages_team, rx.table.column_header_cell("")),
                    )
                ),
                rx.table.body(rx.foreach(P.team, _member)),
                variant="surface",
                width="100%",
                id="portal-team",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.cond(P.manages_team, _invite_form()),
        _pending(),
        spacing="4",
        width="100%",
    )


portal_contacts_page = portal_page(contacts, section="contacts")

"""The Contacts tab's roles, pending invitations and "View as this contact"."""

from __future__ import annotations

import reflex as rx

from portal_app.components.invitations import ROLE_OPTIONS, invitations_table
from portal_app.state.contact_access import ContactAccessState as A


def role_picker(c) -> rx.Component:
    """A contact's role, set by the operator (the last-Owner rule still holds)."""
    return rx.select.root(
        rx.select.trigger(aria_label="Role of " + c.name, id="contact-role-" + c.id.to_string()),
        rx.select.content(*[rx.select.item(label, value=v) for v, label in ROLE_OPTIONS]),
        value=c.role,
        on_change=lambda role: A.set_role(c.id, role),
        size="1",
    )


def view_as_item(c) -> rx.Component:
    return rx.menu.item("View as this contact", on_click=A.view_as(c.id))


def view_link() -> rx.Component:
    """After "View as": the link that opens the contact's portal in a new tab."""
    return rx.cond(
        A.view_url != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("eye")),
            rx.callout.text(
                "The portal of ",
                rx.text.strong(A.view_name),
                " is ready, read-only. The link works once, within a minute, in this browser.",
            ),
            rx.link(
                rx.button(
                    rx.icon("external-link", size=14), "Open the portal as ", A.view_name, size="1"
                ),
                href=A.view_url,
                is_external=True,
                on_click=A.view_opened,
                id="view-as-open",
            ),
            width="100%",
        ),
    )


def pending_invites() -> rx.Component:
    return rx.cond(
        A.invites.length() > 0,
        rx.vstack(
            rx.heading("Pending invitations", size="2", as_="h3"),
            invitations_table(
                A.invites,
                A.revoke_invite,
                table_id="contact-invites",
                verb="Revoke",
                tone="red",
                inviter=True,
                variant="surface",
            ),
            spacing="2",
            width="100%",
        ),
    )

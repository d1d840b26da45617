"""The Contacts tab of the customer dialog: list, add/edit form, delete, resets."""

from __future__ import annotations

import reflex as rx

from portal_app.components.contact_access import (
    pending_invites,
    role_picker,
    view_as_item,
    view_link,
)
from portal_app.components.forms import error_text, field, text_input
from portal_app.components.invitations import ROLE_OPTIONS
from portal_app.state.contacts import ContactsState as C


def _row(c) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            # A button, not a link: a link without a page to go to navigated to "#",
            # which reloaded the page and closed the customer's dialog.
            rx.button(
                c.name,
                variant="ghost",
                size="1",
                type="button",
                on_click=C.open_contact(c.id),
                id="contact-" + c.id.to_string(),
            ),
            rx.cond(
                ~c.has_password,
                rx.badge("no password yet", color_scheme="amber", margin_left="0.5em", size="1"),
            ),
        ),
        rx.table.cell(c.email),
        rx.table.cell(role_picker(c)),
        rx.table.cell(c.last_login, white_space="nowrap"),
        rx.table.cell(rx.cond(c.totp, rx.badge("2FA", color_scheme="green", size="1"), "—")),
        rx.table.cell(
            rx.menu.root(
                rx.menu.trigger(
                    rx.icon_button(
                        rx.icon("ellipsis", size=14),
                        size="1",
                        variant="ghost",
                        aria_label="Contact actions",
                        type="button",
                    )
                ),
                rx.menu.content(
                    rx.menu.item("Edit", on_click=C.open_contact(c.id)),
                    view_as_item(c),
                    rx.menu.item("Send password link", on_click=C.send_password_link(c.id)),
                    rx.cond(
                        c.totp,
                        rx.menu.item("Reset two-factor", on_click=C.reset_2fa(c.id)),
                    ),
                    rx.menu.separator(),
                    rx.menu.item("Delete", color="red", on_click=C.ask_delete(c.id)),
                ),
            )
        ),
    )


def _list() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(
                "Contacts log in to the customer portal with their email.",
                size="2",
                color_scheme="gray",
            ),
            rx.spacer(),
            rx.button(
                rx.icon("user-plus", size=14),
                "Add contact",
                size="2",
                type="button",
                on_click=C.open_contact(0),
                id="add-contact",
            ),
            align="center",
            width="100%",
        ),
        rx.cond(
            C.rows.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ["Name", "Email (login)", "Role", "Last login", "2FA", ""]
                        ]
                    )
                ),
                rx.table.body(rx.foreach(C.rows, _row)),
                size="1",
                variant="surface",
                width="100%",
                id="contacts-table",
            ),
            rx.text(
                "No contacts yet: nobody can log in to the portal for this customer.", size="2"
            ),
        ),
        view_link(),
        pending_invites(),
        rx.cond(
            C.confirm_delete > 0,
            rx.callout.root(
                rx.callout.text(
                    "Delete ", rx.text.strong(C.delete_label), "? Their portal login ends now."
                ),
                rx.hstack(
                    rx.button(
                        "Cancel",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        type="button",
                        on_click=C.cancel_delete,
                    ),
                    rx.button(
                        "Delete contact",
                        size="1",
                        color_scheme="red",
                        type="button",
                        on_click=C.delete_contact,
                        id="confirm-delete-contact",
                    ),
                ),
                color_scheme="red",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _form() -> rx.Component:
    f, e = C.form, C.errors
    new = C.editing == "new"
    return rx.form(
        rx.vstack(
            rx.heading(rx.cond(new, "Add contact", "Edit contact"), size="3", as_="h3"),
            rx.grid(
                field(
                    "Name",
                    text_input("contact_name", e, default_value=f["name"]),
                    e,
                    "contact_name",
                ),
                field(
                    "Email (the portal login)",
                    text_input("contact_email", e, default_value=f["email"], type="email"),
                    e,
                    "contact_email",
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                new,
                field(
                    "Role",
                    rx.select.root(
                        rx.select.trigger(id="contact_role", width="100%"),
                        rx.select.content(
                            *[rx.select.item(label, value=value) for value, label in ROLE_OPTIONS]
                        ),
                        name="contact_role",
                        default_value="owner",
                    ),
                    e,
                    "contact_role",
                    hint="Owner: everything, and the team. Billing: balance and payments. "
                    "Technical: CDRs, rates and lookups. Read-only: looks, changes nothing.",
                ),
            ),
            rx.cond(
                new,
                rx.vstack(
                    rx.checkbox(
                        "Auto-generate password: email a link to set it",
                        name="auto_password",
                        checked=C.auto_password,
                        on_change=C.set_auto_password,
                        id="auto_password",
                    ),
                    error_text(e, "auto_password"),
                    spacing="1",
                ),
            ),
            rx.cond(
                ~new | ~C.auto_password,
                field(
                    rx.cond(new, "Password", "New password (leave empty to keep)"),
                    text_input(
                        "contact_password", e, type="password", auto_complete="new-password"
                    ),
                    e,
                    "contact_password",
                    hint=C.password_hint,
                ),
            ),
            field(
                "Public notes (shown in the portal after login)",
                rx.text_area(
                    name="public_notes",
                    id="public_notes",
                    default_value=f["public_notes"],
                    rows="3",
                    width="100%",
                ),
                e,
                "public_notes",
            ),
            field(
                "Private notes (control panel only)",
                rx.text_area(
                    name="private_notes",
                    id="private_notes",
                    default_value=f["private_notes"],
                    rows="3",
                    width="100%",
                ),
                e,
                "private_notes",
            ),
            rx.hstack(
                rx.button(
                    "Back to contacts",
                    variant="soft",
                    color_scheme="gray",
                    type="button",
                    on_click=C.close_contact,
                ),
                rx.button("Save contact", type="submit", loading=C.busy, id="contact-save"),
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=C.save_contact,
        reset_on_submit=False,
        key=C.editing + C.errors.length().to_string(),
    )


def contacts_tab() -> rx.Component:
    return rx.cond(
        C.customer_id > 0,
        rx.cond(C.editing != "", _form(), _list()),
        rx.text("Save the customer first, then add its contacts.", size="2", color_scheme="gray"),
    )

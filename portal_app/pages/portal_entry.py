"""Portal pages that admit without the login form: a colleague's invitation and an
operator's read-only "view as" tab."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import field, text_input
from portal_app.components.portal import public_portal_page
from portal_app.state.portal_entry import PortalEntryState as E


def _problem() -> rx.Component:
    return rx.vstack(
        rx.icon("link-2-off", size=28, color=rx.color("gray", 10)),
        rx.heading("This invitation cannot be used", size="5", as_="h1"),
        rx.text(E.invite_problem, size="2", id="invite-problem", role="alert"),
        rx.link("Go to the login page", href=routes.PORTAL_LOGIN),
        align="center",
        spacing="3",
        text_align="center",
    )


def _form() -> rx.Component:
    e = E.errors
    return rx.form(
        rx.vstack(
            rx.heading("Join the portal", size="5", as_="h1"),
            rx.text("Your login will be ", rx.text.strong(E.invite_email, id="invite-email"), "."),
            field("Your name", text_input("name", e, auto_complete="name"), e, "name"),
            field(
                "Choose a password",
                text_input("new_password", e, type="password", auto_complete="new-password"),
                e,
                "new_password",
            ),
            field(
                "Type it again",
                text_input("confirm_password", e, type="password", auto_complete="new-password"),
                e,
                "confirm_password",
            ),
            rx.button(
                "Accept and log in", type="submit", loading=E.busy, width="100%", id="invite-accept"
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=E.accept_invite,
        reset_on_submit=False,
    )


def invite() -> rx.Component:
    return rx.card(
        rx.cond(
            E.invite_checked,
            rx.cond(E.invite_email != "", _form(), _problem()),
            rx.center(rx.spinner(size="3")),
        ),
        width="100%",
        max_width="420px",
        padding="1.5em",
    )


def view_as() -> rx.Component:
    return rx.vstack(
        rx.spinner(size="3"),
        rx.text("Opening the portal as this contact, read-only…", size="2", role="status"),
        align="center",
        spacing="3",
    )


portal_invite_page = public_portal_page(invite)
portal_view_as_page = public_portal_page(view_as)

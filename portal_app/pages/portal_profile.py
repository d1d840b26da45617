"""The portal's Profile section: the contact's name, password and two-factor login."""

from __future__ import annotations

import reflex as rx

from portal_app.components.account import password_action, password_card, totp_enrol
from portal_app.components.forms import field, text_input
from portal_app.components.portal import portal_page, writable
from portal_app.components.sessions import sessions_card
from portal_app.state.portal_profile import PortalProfileState as S
from portal_app.state.sessions import PortalSessionsState


def _name() -> rx.Component:
    return rx.card(
        rx.heading("Your details", size="4", as_="h3", margin_bottom="1em"),
        rx.form(
            rx.vstack(
                field("Name", text_input("name", S.errors, default_value=S.name), S.errors, "name"),
                field(
                    "Email (your login)",
                    rx.input(
                        value=S.email,
                        read_only=True,
                        id="portal_email",
                        name="portal_email",  # submitted with the form, as by its id before
                        width="100%",
                    ),
                ),
                rx.button("Save", type="submit", id="portal-name-save"),
                spacing="3",
                align="start",
                max_width="420px",
            ),
            on_submit=S.save_name,
            reset_on_submit=False,
            key=S.name,
        ),
        width="100%",
    )


def _two_factor() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.heading("Two-factor authentication", size="4", as_="h3"),
            rx.cond(
                S.totp_enabled,
                rx.badge("On", color_scheme="green", id="totp-status"),
                rx.badge("Off", color_scheme="gray", id="totp-status"),
            ),
            align="center",
            margin_bottom="1em",
        ),
        rx.cond(
            S.totp_enabled,
            password_action(
                S,
                "totp_password",
                "Turn off two-factor authentication.",
                "Turn off",
                S.disable_totp,
                "red",
                "totp-disable",
            ),
            rx.cond(
                S.enrolling,
                totp_enrol(S),
                rx.vstack(
                    rx.text("Ask for a code from your phone at every login.", size="2"),
                    rx.button(
                        "Enable two-factor authentication", on_click=S.start_totp, id="totp-start"
                    ),
                    align="start",
                    spacing="3",
                ),
            ),
        ),
        width="100%",
    )


def _login_alerts() -> rx.Component:
    return rx.card(
        rx.heading("Login alerts", size="4", as_="h3", margin_bottom="1em"),
        rx.hstack(
            rx.switch(
                checked=S.login_alerts,
                on_change=S.set_login_alerts,
                id="login-alerts",
                aria_label="Email me every time I log in",
            ),
            rx.text("Email me every time I log in", as_="label", html_for="login-alerts", size="2"),
            align="center",
            spacing="3",
        ),
        width="100%",
    )


def profile() -> rx.Component:
    return rx.vstack(
        rx.heading("Profile", size="6", as_="h2"),
        writable(
            rx.vstack(
                _name(),
                password_card(S, "portal-password-save"),
                _two_factor(),
                _login_alerts(),
                sessions_card(PortalSessionsState),
                spacing="4",
                width="100%",
            ),
            own=True,
        ),
        spacing="4",
        width="100%",
    )


portal_profile_page = portal_page(profile, section="profile")

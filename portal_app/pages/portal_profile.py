"""The portal's Profile section: the contact's name, password and two-factor login."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, text_input
from portal_app.components.portal import portal_page
from portal_app.state.portal_profile import PortalProfileState as S


def _name() -> rx.Component:
    return rx.card(
        rx.heading("Your details", size="4", as_="h3", margin_bottom="1em"),
        rx.form(
            rx.vstack(
                field("Name", text_input("name", S.errors, default_value=S.name), S.errors, "name"),
                field("Email (your login)", rx.input(value=S.email, read_only=True, width="100%")),
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


def _password() -> rx.Component:
    e = S.errors
    return rx.card(
        rx.heading("Password", size="4", as_="h3", margin_bottom="1em"),
        rx.form(
            rx.vstack(
                field(
                    "Current password",
                    text_input(
                        "current_password", e, type="password", auto_complete="current-password"
                    ),
                    e,
                    "current_password",
                ),
                field(
                    "New password",
                    text_input("new_password", e, type="password", auto_complete="new-password"),
                    e,
                    "new_password",
                    hint="At least 10 characters.",
                ),
                field(
                    "Repeat the new password",
                    text_input(
                        "confirm_password", e, type="password", auto_complete="new-password"
                    ),
                    e,
                    "confirm_password",
                ),
                rx.button("Change password", type="submit", id="portal-password-save"),
                spacing="3",
                align="start",
                max_width="420px",
            ),
            on_submit=S.change_password,
            reset_on_submit=False,
            key=S.form_key,
        ),
        width="100%",
    )


def _enrol() -> rx.Component:
    return rx.vstack(
        rx.text("1. Scan this code with Google Authenticator or a similar app.", size="2"),
        rx.image(
            src=S.qr_data_uri,
            alt="QR code for your authenticator app",
            width="200px",
            height="200px",
            class_name="cp-qr",
        ),
        rx.text(
            "Or enter this key by hand: ", rx.code(S.manual_secret, id="totp-secret"), size="2"
        ),
        rx.form(
            rx.vstack(
                field(
                    "2. Enter the 6-digit code the app shows",
                    text_input("totp_code", S.errors, auto_complete="one-time-code", max_length=8),
                    S.errors,
                    "totp_code",
                ),
                rx.hstack(
                    rx.button("Turn on", type="submit", id="totp-confirm"),
                    rx.button(
                        "Cancel",
                        variant="soft",
                        color_scheme="gray",
                        type="button",
                        on_click=S.cancel_totp,
                    ),
                ),
                spacing="3",
                align="start",
                max_width="420px",
                width="100%",
            ),
            on_submit=S.confirm_totp,
            reset_on_submit=True,
        ),
        spacing="3",
        align="start",
    )


def _disable() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Turn off two-factor authentication.", size="2", weight="medium"),
            field(
                "Password",
                text_input(
                    "totp_password", S.errors, type="password", auto_complete="current-password"
                ),
                S.errors,
                "totp_password",
            ),
            rx.button(
                "Turn off", type="submit", variant="soft", color_scheme="red", id="totp-disable"
            ),
            spacing="2",
            align="start",
            max_width="420px",
            width="100%",
        ),
        on_submit=S.disable_totp,
        reset_on_submit=True,
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
            _disable(),
            rx.cond(
                S.enrolling,
                _enrol(),
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


def profile() -> rx.Component:
    return rx.vstack(
        rx.heading("Profile", size="6", as_="h2"),
        _name(),
        _password(),
        _two_factor(),
        spacing="4",
        width="100%",
    )


portal_profile_page = portal_page(profile, section="profile")

"""Account forms shared by an operator's Personal Information and a contact's portal
Profile: change password, two-factor enrolment, and actions that ask for the password.

Each takes the state class whose vars and handlers it binds: both states have
``errors``, ``password_form_key``, ``change_password``, ``qr_data_uri``,
``manual_secret``, ``confirm_totp``, ``cancel_totp`` and ``password_hint``.
"""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, text_input


def password_card(S, save_id: str, title: str = "Change password") -> rx.Component:
    """Current, new and repeated password, with errors next to each field."""
    e = S.errors
    return rx.card(
        rx.heading(title, size="4", as_="h2", margin_bottom="1em"),
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
                    hint=S.password_hint,
                ),
                field(
                    "Confirm new password",
                    text_input(
                        "confirm_password", e, type="password", auto_complete="new-password"
                    ),
                    e,
                    "confirm_password",
                ),
                rx.button("Change password", type="submit", id=save_id),
                spacing="3",
                align="start",
                max_width="420px",
                width="100%",
            ),
            on_submit=S.change_password,
            reset_on_submit=False,
            key=S.password_form_key,
        ),
        width="100%",
    )


def totp_enrol(S) -> rx.Component:
    """The QR code, the key to type by hand, and the code that confirms enrolment."""
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


def password_action(
    S, key: str, label: str, button: str, event, color: str, button_id: str
) -> rx.Component:
    """A small form that asks for the account password before ``event`` runs."""
    return rx.form(
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            field(
                "Password",
                text_input(key, S.errors, type="password", auto_complete="current-password"),
                S.errors,
                key,
            ),
            rx.button(button, type="submit", variant="soft", color_scheme=color, id=button_id),
            spacing="2",
            align="start",
            max_width="420px",
            width="100%",
        ),
        on_submit=event,
        reset_on_submit=True,
    )


def login_error(S) -> rx.Component:
    return rx.cond(
        S.error != "",
        rx.callout(
            S.error,
            icon="triangle-alert",
            color_scheme="red",
            role="alert",
            id="login-error",
            width="100%",
        ),
    )


def login_password_form(S, *after: rx.Component) -> rx.Component:
    """Email and password; ``after`` goes below the button (e.g. "Forgot your password?")."""
    return rx.form(
        rx.vstack(
            field(
                "Email",
                text_input(
                    "email", type="email", auto_complete="username", required=True, auto_focus=True
                ),
            ),
            field(
                "Password",
                text_input(
                    "password", type="password", auto_complete="current-password", required=True
                ),
            ),
            login_error(S),
            rx.button(
                "Log in", type="submit", width="100%", size="3", loading=S.busy, id="login-submit"
            ),
            *after,
            spacing="4",
            width="100%",
        ),
        on_submit=S.submit_password,
        reset_on_submit=False,
        width="100%",
    )


def login_code_form(S, instructions: str, *after: rx.Component) -> rx.Component:
    """The second step: a code from the authenticator app (or what ``instructions`` say)."""
    return rx.form(
        rx.vstack(
            rx.text(instructions, size="2"),
            field(
                "Authentication code",
                text_input(
                    "code",
                    auto_complete="one-time-code",
                    input_mode="text",
                    required=True,
                    auto_focus=True,
                    max_length=16,
                ),
            ),
            login_error(S),
            rx.button("Verify", type="submit", width="100%", size="3", id="code-submit"),
            *after,
            rx.button("Use another account", variant="ghost", type="button", on_click=S.restart),
            spacing="4",
            width="100%",
        ),
        on_submit=S.submit_code,
        reset_on_submit=True,
        width="100%",
    )

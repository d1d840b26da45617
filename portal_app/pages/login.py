"""Operator login: email and password, then a code when 2FA is on."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, text_input
from portal_app.components.layout import not_control_host
from portal_app.state.auth import LoginState


def _error() -> rx.Component:
    return rx.cond(
        LoginState.error != "",
        rx.callout(
            LoginState.error,
            icon="triangle-alert",
            color_scheme="red",
            role="alert",
            id="login-error",
            width="100%",
        ),
    )


def _password_form() -> rx.Component:
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
            _error(),
            rx.button(
                "Log in",
                type="submit",
                width="100%",
                size="3",
                loading=LoginState.busy,
                id="login-submit",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=LoginState.submit_password,
        reset_on_submit=False,
        width="100%",
    )


def _code_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(
                "Enter the 6-digit code from your authenticator app, or one of your "
                "recovery codes.",
                size="2",
            ),
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
            _error(),
            rx.button("Verify", type="submit", width="100%", size="3", id="code-submit"),
            rx.button(
                "Use another account", variant="ghost", type="button", on_click=LoginState.restart
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=LoginState.submit_code,
        reset_on_submit=True,
        width="100%",
    )


def login_page() -> rx.Component:
    return rx.cond(
        LoginState.control_host,
        rx.center(
            rx.card(
                rx.vstack(
                    rx.hstack(
                        rx.image(src="/logo.svg", alt="", width="36px", height="36px"),
                        rx.heading("Carrier Portal", size="6", as_="h1"),
                        align="center",
                    ),
                    rx.text("Control panel sign-in", color_scheme="gray", size="2"),
                    rx.cond(LoginState.step == "code", _code_form(), _password_form()),
                    spacing="4",
                    width="100%",
                ),
                class_name="cp-login-card",
                size="4",
            ),
            rx.box(
                rx.color_mode.button(variant="ghost", aria_label="Toggle dark mode"),
                position="fixed",
                top="1em",
                right="1em",
            ),
            class_name="cp-login-bg",
            min_height="100vh",
            padding="1em",
        ),
        not_control_host(),
    )

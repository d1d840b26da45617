"""Operator login: email and password, then a code when 2FA is on."""

from __future__ import annotations

import reflex as rx

from portal_app.components.account import login_code_form, login_password_form
from portal_app.components.layout import not_control_host
from portal_app.state.auth import LoginState


def _password_form() -> rx.Component:
    return login_password_form(LoginState)


def _code_form() -> rx.Component:
    return login_code_form(
        LoginState,
        "Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
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

"""Customer portal sign-in under the brand: login, forgot password, set password."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.account import login_code_form, login_password_form
from portal_app.components.forms import field, text_input
from portal_app.components.portal import public_portal_page
from portal_app.state.brand import BrandState as B
from portal_app.state.portal_auth import PortalLoginState as S


def _callout(text, color: str, icon: str, id_: str) -> rx.Component:
    return rx.cond(
        text != "",
        rx.callout(text, icon=icon, color_scheme=color, role="alert", id=id_, width="100%"),
    )


def _card(title, *children) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="5", as_="h2"), *children, spacing="4", width="100%"),
        class_name="cp-login-card",
        size="3",
    )


def _password_form() -> rx.Component:
    return login_password_form(
        S, rx.link("Forgot your password?", href=routes.PORTAL_FORGOT, size="2", id="forgot-link")
    )


def _code_form() -> rx.Component:
    return login_code_form(
        S,
        "Enter the 6-digit code from your authenticator app.",
        rx.text(
            "Lost your phone? Your account manager can turn two-factor authentication off.",
            size="1",
            color_scheme="gray",
        ),
    )


def _signup_links() -> rx.Component:
    return rx.cond(
        B.customer_signup | B.carrier_signup,
        rx.vstack(
            rx.separator(width="100%"),
            rx.text("New here?", size="2", color_scheme="gray"),
            rx.hstack(
                rx.cond(
                    B.customer_signup,
                    rx.link(
                        "Sign up as a customer",
                        href=routes.PORTAL_SIGNUP + "?kind=customer",
                        id="signup-customer",
                    ),
                ),
                rx.cond(
                    B.carrier_signup,
                    rx.link(
                        "Sign up as a carrier",
                        href=routes.PORTAL_SIGNUP + "?kind=carrier",
                        id="signup-carrier",
                    ),
                ),
                spacing="4",
            ),
            spacing="2",
            width="100%",
        ),
    )


def portal_login() -> rx.Component:
    return _card(
        rx.text("Log in to ", B.brand_name),
        _callout(S.notice, "green", "circle-check", "login-notice"),
        rx.cond(S.step == "code", _code_form(), _password_form()),
        _signup_links(),
    )


def portal_forgot() -> rx.Component:
    return _card(
        "Forgot your password?",
        rx.cond(
            S.notice != "",
            _callout(S.notice, "green", "mail", "forgot-notice"),
            rx.form(
                rx.vstack(
                    rx.text(
                        "Enter the email you log in with. We send a link to choose a new password.",
                        size="2",
                    ),
                    field(
                        "Email",
                        text_input("email", type="email", required=True, auto_focus=True),
                    ),
                    _callout(S.error, "red", "triangle-alert", "forgot-error"),
                    rx.button("Send link", type="submit", width="100%", size="3", loading=S.busy),
                    spacing="4",
                    width="100%",
                ),
                on_submit=S.submit_forgot,
                width="100%",
            ),
        ),
        rx.link("Back to log in", href=routes.PORTAL_LOGIN, size="2"),
    )


def portal_set_password() -> rx.Component:
    e = S.errors
    return _card(
        "Choose your password",
        rx.cond(
            S.link_email != "",
            rx.form(
                rx.vstack(
                    rx.text("For ", rx.text.strong(S.link_email), size="2"),
                    rx.el.input(
                        type="email",
                        name="username",
                        value=S.link_email,
                        auto_complete="username",
                        read_only=True,
                        hidden=True,
                    ),
                    field(
                        "New password",
                        text_input(
                            "new_password", e, type="password", auto_complete="new-password"
                        ),
                        e,
                        "new_password",
                        hint=S.password_hint,
                    ),
                    field(
                        "Repeat the new password",
                        text_input(
                            "confirm_password", e, type="password", auto_complete="new-password"
                        ),
                        e,
                        "confirm_password",
                    ),
                    rx.button(
                        "Set password",
                        type="submit",
                        width="100%",
                        size="3",
                        loading=S.busy,
                        id="set-password-submit",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=S.submit_new_password,
                reset_on_submit=False,
                width="100%",
            ),
            rx.cond(
                S.link_checked,
                rx.vstack(
                    rx.callout(
                        "This link has expired or was already used.",
                        icon="clock",
                        color_scheme="amber",
                        id="link-dead",
                        width="100%",
                    ),
                    rx.link("Ask for a new link", href=routes.PORTAL_FORGOT, size="2"),
                    width="100%",
                ),
                rx.spinner(),
            ),
        ),
    )


portal_login_page = public_portal_page(portal_login)
portal_forgot_page = public_portal_page(portal_forgot)
portal_set_password_page = public_portal_page(portal_set_password)

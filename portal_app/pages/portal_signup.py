"""Sign up as a customer or carrier under the brand, and the confirmation page."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.forms import country_input, error_text, field, text_input
from portal_app.components.portal import public_portal_page
from portal_app.state.brand import BrandState as B
from portal_app.state.signup import SignupState as S


def _form() -> rx.Component:
    e = S.errors
    return rx.form(
        rx.vstack(
            rx.grid(
                field(
                    "Company name", text_input("company_name", e, required=True), e, "company_name"
                ),
                field("Your name", text_input("contact_name", e, required=True), e, "contact_name"),
                field(
                    "Email (your login)",
                    text_input("email", e, type="email", auto_complete="email", required=True),
                    e,
                    "email",
                ),
                field(
                    "Password",
                    text_input(
                        "password", e, type="password", auto_complete="new-password", required=True
                    ),
                    e,
                    "password",
                    hint=S.password_hint,
                ),
                field(
                    "Phone",
                    text_input(
                        "phone", e, type="tel", placeholder="+44 20 7946 0000", required=True
                    ),
                    e,
                    "phone",
                ),
                field(
                    "Country",
                    country_input("country", e),  # checked on the server, the message here
                    e,
                    "country",
                ),
                field(
                    "Currency",
                    rx.select.root(
                        rx.select.trigger(id="currency", width="100%"),
                        rx.select.content(
                            rx.foreach(B.currencies, lambda c: rx.select.item(c, value=c))
                        ),
                        name="currency",
                        default_value=B.currencies[0],
                    ),
                    e,
                    "currency",
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            # Hidden from people; bots fill every field they find.
            rx.el.input(
                name="website",
                tab_index=-1,
                auto_complete="off",
                class_name="cp-hp",
                aria_hidden="true",
            ),
            rx.checkbox(
                "I accept the terms of service of " + B.brand_name + ".",
                name="terms",
                id="terms",
                # Ticking the box answers its error at once, not at the next submit.
                on_change=lambda _ticked: S.clear_error("terms"),
                custom_attrs={
                    "aria-describedby": rx.cond(e.contains("terms"), "terms-error", ""),
                    "aria-invalid": rx.cond(e.contains("terms"), "true", "false"),
                },
            ),
            error_text(e, "terms"),
            rx.cond(
                S.error != "",
                rx.callout(
                    S.error,
                    icon="triangle-alert",
                    color_scheme="red",
                    width="100%",
                    id="signup-error",
                ),
            ),
            rx.button(
                "Sign up", type="submit", size="3", width="100%", loading=S.busy, id="signup-submit"
            ),
            rx.link("I already have a login", href=routes.PORTAL_LOGIN, size="2"),
            spacing="4",
            width="100%",
        ),
        on_submit=S.submit,
        reset_on_submit=False,
        width="100%",
    )


def signup() -> rx.Component:
    allowed = rx.cond(S.kind == "carrier", B.carrier_signup, B.customer_signup)
    return rx.card(
        rx.vstack(
            rx.heading(
                rx.cond(S.kind == "carrier", "Sign up as a carrier", "Sign up as a customer"),
                size="5",
                as_="h2",
            ),
            rx.cond(
                allowed,
                rx.cond(
                    S.notice != "",
                    rx.callout(
                        S.notice,
                        icon="mail",
                        color_scheme="green",
                        id="signup-notice",
                        width="100%",
                    ),
                    _form(),
                ),
                rx.text(
                    "Sign-up is not open on this portal.", color_scheme="gray", id="signup-closed"
                ),
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
        max_width="640px",
    )


def confirmed() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Sign-up", size="5", as_="h2"),
            rx.cond(
                S.confirmed != "",
                rx.callout(
                    "Thank you: your email is confirmed. "
                    + S.confirmed
                    + " is now waiting for approval; we email you as soon as it is decided.",
                    icon="circle-check",
                    color_scheme="green",
                    id="signup-confirmed",
                ),
                rx.cond(
                    S.error != "",
                    rx.callout(S.error, icon="clock", color_scheme="amber", id="signup-link-dead"),
                    rx.spinner(),
                ),
            ),
            rx.link("Go to the login page", href=routes.PORTAL_LOGIN, size="2"),
            spacing="4",
        ),
        size="3",
        max_width="640px",
    )


portal_signup_page = public_portal_page(signup)
portal_signup_confirm_page = public_portal_page(confirmed)

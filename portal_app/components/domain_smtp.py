"""The portal domain editor's SMTP tab: the server mail to the brand's customers goes
through, and a Test Email button that shows the server's answer."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, switch_field, text_input
from portal_app.state.domains import DomainsState as S


def smtp_tab() -> rx.Component:
    """The brand's own mail server, with a Test Email button."""
    f, e = S.form, S.errors
    return rx.vstack(
        rx.text(
            "Mail to this brand's customers goes through this server. Leave Server empty "
            "to use the account SMTP (My Account › Personal Information).",
            size="2",
            color_scheme="gray",
        ),
        field(
            "Server",
            text_input(
                "smtp_server",
                e,
                default_value=f["smtp_server"],
                placeholder="smtp.yourbrand.com:587",
            ),
            e,
            "smtp_server",
        ),
        field(
            "Username",
            text_input("smtp_username", e, default_value=f["smtp_username"], auto_complete="off"),
            e,
            "smtp_username",
        ),
        field(
            "Password",
            text_input(
                "smtp_password",
                e,
                type="password",
                auto_complete="new-password",
                placeholder=rx.cond(S.has_smtp_password, "unchanged", ""),
            ),
            e,
            "smtp_password",
            hint=rx.cond(
                S.has_smtp_password,
                "A password is stored. Type a new one to replace it.",
                "Stored encrypted; never shown again.",
            ),
        ),
        rx.cond(
            S.has_smtp_password,
            switch_field("smtp_password_clear", "Remove the stored password", False),
        ),
        field(
            "From Email Address",
            text_input("smtp_from", e, default_value=f["smtp_from"], type="email"),
            e,
            "smtp_from",
        ),
        rx.hstack(
            rx.button(
                "Test Email",
                type="button",
                variant="soft",
                on_click=S.test_email,
                loading=S.mail_testing,
                id="domain-test-email",
            ),
            rx.text(
                "Sends a test message through the saved settings to your own email.",
                size="1",
                color_scheme="gray",
            ),
            align="center",
            spacing="3",
        ),
        rx.cond(
            S.mail_answer != "",
            rx.callout(
                S.mail_answer,
                icon=rx.cond(S.mail_ok, "circle-check", "circle-alert"),
                color_scheme=rx.cond(S.mail_ok, "green", "red"),
                id="domain-mail-answer",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )

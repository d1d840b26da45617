"""The SMS part of SMTP Details: From Mobile number, the gateway, Test Mobile."""

from __future__ import annotations

import reflex as rx

from portal_app.state.sms import SmsState as M

from .forms import field, text_input


def _text(label: str, key: str, **props) -> rx.Component:
    name = f"sms_{key}"
    return field(
        label, text_input(name, M.errors, default_value=M.values[key], **props), M.errors, name
    )


def _answer(icon: str, color: str) -> rx.Component:
    return rx.callout(
        M.test_answer, icon=icon, color_scheme=color, role="status", id="sms-test-answer"
    )


def _settings() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.grid(
                _text(
                    "From Mobile number", "from_mobile", type="tel", placeholder="+44 7911 123456"
                ),
                _text(
                    "SMS gateway URL", "url", type="url", placeholder="https://sms.example.com/send"
                ),
                _text("Gateway username / account id", "username", auto_complete="off"),
                field(
                    "Gateway API key / secret",
                    text_input(
                        "sms_secret",
                        M.errors,
                        type="password",
                        auto_complete="new-password",
                        placeholder=rx.cond(M.has_secret, "unchanged", ""),
                    ),
                    M.errors,
                    "sms_secret",
                    hint=rx.cond(
                        M.has_secret, "Leave empty to keep the saved secret.", "No secret saved."
                    ),
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                M.has_secret,
                rx.checkbox("Remove secret", name="sms_clear_secret", id="sms_clear_secret"),
            ),
            rx.button("Save SMS details", type="submit", id="sms-save"),
            spacing="3",
            align="start",
            width="100%",
        ),
        on_submit=M.save,
        reset_on_submit=False,
        key=M.form_key,
    )


def _test() -> rx.Component:
    return rx.form(
        rx.vstack(
            field(
                "Send the test to",
                text_input("sms_to", M.errors, type="tel", placeholder="your mobile"),
                M.errors,
                "sms_to",
                hint="Empty: your own mobile number (Personal Information).",
            ),
            rx.button(
                "Test Mobile", type="submit", variant="soft", loading=M.testing, id="sms-test"
            ),  # fmt: skip
            rx.cond(
                M.test_answer != "",
                rx.cond(
                    M.test_ok,
                    _answer("circle-check", "green"),
                    _answer("triangle-alert", "red"),
                ),
            ),
            spacing="3",
            align="start",
            max_width="420px",
        ),
        on_submit=M.send_test,
        reset_on_submit=False,
    )


def sms_details() -> rx.Component:
    """The form, or a note for operators without the Setup permission."""
    return rx.cond(
        M.can_edit,
        rx.vstack(
            rx.heading("SMS", size="3", as_="h3"),
            rx.text(
                "Text messages go out through an SMS gateway's HTTP API "
                "(form fields to, from and text; HTTP Basic credentials).",
                size="2",
                color_scheme="gray",
            ),
            _settings(),
            _test(),
            spacing="3",
            width="100%",
            margin_top="1.5em",
            id="sms-details",
        ),
    )

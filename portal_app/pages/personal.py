"""My Account > Personal Information: name, mobile, password, two-factor authentication."""

from __future__ import annotations

import reflex as rx

from portal_app.components.account import password_action, password_card, totp_enrol
from portal_app.components.forms import field, text_input
from portal_app.components.layout import control_page
from portal_app.components.sessions import sessions_card
from portal_app.components.sms_details import sms_details
from portal_app.state.profile import ProfileState
from portal_app.state.sessions import OperatorSessionsState
from portal_app.state.smtp import SmtpState

S = ProfileState


def _details() -> rx.Component:
    return rx.card(
        rx.heading("Current user", size="4", as_="h2", margin_bottom="1em"),
        rx.form(
            rx.vstack(
                field(
                    "Name",
                    text_input("name", S.errors, default_value=S.name, key=S.name),
                    S.errors,
                    "name",
                ),
                field(
                    "Mobile",
                    text_input(
                        "mobile",
                        S.errors,
                        default_value=S.mobile,
                        key=S.mobile,
                        type="tel",
                        auto_complete="tel",
                        placeholder="+44 7911 123456",
                    ),  # fmt: skip
                    S.errors,
                    "mobile",
                    hint="International format, with the country code.",
                ),
                field(
                    "Email",
                    rx.input(value=S.email, read_only=True, id="email", name="email", width="100%"),
                    hint="Ask an administrator to change your login email.",
                ),
                rx.button("Save", type="submit", id="save-name"),
                spacing="3",
                align="start",
                max_width="420px",
                width="100%",
            ),
            on_submit=S.save_name,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _recovery_codes() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("key-round")),
        rx.callout.text(
            rx.text("Recovery codes", weight="bold"),
            rx.text(
                "Each code logs you in once if you lose your phone. Save them now: "
                "they are not shown again.",
                size="2",
            ),
            rx.grid(
                rx.foreach(S.recovery_codes, lambda c: rx.code(c, class_name="cp-code")),
                columns="2",
                spacing="2",
                margin_y="0.75em",
                id="recovery-codes",
            ),
            rx.button("I have saved these codes", size="1", on_click=S.hide_recovery_codes),
        ),
        color_scheme="blue",
        width="100%",
    )


def _enabled() -> rx.Component:
    return rx.flex(
        password_action(
            S,
            "codes_password",
            "Lost your recovery codes? Get a new set.",
            "New recovery codes",
            S.regenerate_codes,
            "blue",
            "totp-codes",
        ),
        password_action(
            S,
            "totp_password",
            "Turn off two-factor authentication.",
            "Turn off",
            S.disable_totp,
            "red",
            "totp-disable",
        ),
        spacing="6",
        wrap="wrap",
        width="100%",
    )


def _two_factor() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.heading("Two-factor authentication", size="4", as_="h2"),
            rx.cond(
                S.totp_enabled,
                rx.badge("On", color_scheme="green", id="totp-status"),
                rx.badge("Off", color_scheme="gray", id="totp-status"),
            ),
            align="center",
            margin_bottom="1em",
        ),
        rx.cond(S.recovery_codes.length() > 0, _recovery_codes()),
        rx.cond(
            S.totp_enabled,
            _enabled(),
            rx.cond(
                S.enrolling,
                totp_enrol(S),
                rx.vstack(
                    rx.text(
                        "Protect your account with a code from your phone at every login.", size="2"
                    ),
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


def _smtp_text(label: str, key: str, **props) -> rx.Component:
    M = SmtpState
    # Prefixed names: this page also has the operator's own Email and Password fields.
    name = f"smtp_{key}"
    return field(
        label, text_input(name, M.errors, default_value=M.values[key], **props), M.errors, name
    )


def _test_answer(icon: str, color: str) -> rx.Component:
    return rx.callout(
        SmtpState.test_answer,
        icon=icon,
        color_scheme=color,
        role="status",
        id="smtp-test-answer",
        width="100%",
    )


def _smtp_form() -> rx.Component:
    M = SmtpState
    return rx.form(
        rx.vstack(
            rx.grid(
                _smtp_text("Email", "email", type="email"),
                _smtp_text("Username", "username", auto_complete="off"),
                field(
                    "Password",
                    text_input(
                        "smtp_password",
                        M.errors,
                        type="password",
                        auto_complete="new-password",
                        placeholder=rx.cond(M.has_password, "unchanged", ""),
                    ),
                    M.errors,
                    "smtp_password",
                    hint=rx.cond(
                        M.has_password,
                        "Leave empty to keep the saved password.",
                        "No password saved.",
                    ),
                ),
                _smtp_text("Server", "server", placeholder="smtp.example.com:587"),
                _smtp_text("From Email Address", "from", type="email"),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                M.has_password,
                rx.checkbox(
                    "Remove password", name="smtp_clear_password", id="smtp_clear_password"
                ),
            ),
            rx.hstack(
                rx.button("Save", type="submit", id="smtp-save"),
                rx.button(
                    "Test Email",
                    type="button",
                    variant="soft",
                    on_click=M.send_test,
                    loading=M.testing,
                    id="smtp-test",
                ),
                spacing="3",
            ),
            rx.text(
                "Test Email sends a message to your own address through the saved details.",
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                M.test_answer != "",
                rx.cond(
                    M.test_ok,
                    _test_answer("circle-check", "green"),
                    _test_answer("triangle-alert", "red"),
                ),
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        on_submit=M.save,
        reset_on_submit=False,
        key=M.form_key,
    )


def _smtp() -> rx.Component:
    return rx.card(
        rx.heading("SMTP Details", size="4", as_="h2", margin_bottom="0.25em"),
        rx.text(
            "Mail for brands without their own SMTP server goes out through these details.",
            size="2",
            color_scheme="gray",
            margin_bottom="1em",
        ),
        rx.cond(
            SmtpState.can_edit,
            _smtp_form(),
            rx.text("Changing SMTP details needs the Setup permission.", size="2"),
        ),
        sms_details(),
        width="100%",
        id="smtp-details",
    )


def _body() -> rx.Component:
    return rx.vstack(
        _details(),
        password_card(S, "change-password"),
        _two_factor(),
        sessions_card(OperatorSessionsState),
        _smtp(),
        spacing="5",
        width="100%",
    )


personal_page = control_page("Personal Information", _body)

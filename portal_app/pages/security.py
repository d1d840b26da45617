"""My Account › Settings: session lifetimes, required 2FA, minimum password length."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, text_input
from portal_app.components.layout import control_page
from portal_app.state.base import AppState
from portal_app.state.security import SecurityState as S


def _number(label: str, key: str, hint) -> rx.Component:
    return field(
        label,
        text_input(key, S.errors, default_value=S.values[key], input_mode="numeric"),
        S.errors,
        key,
        hint=hint,
    )


def _body() -> rx.Component:
    return rx.card(
        rx.heading("Security", size="4", as_="h2", margin_bottom="1em"),
        rx.form(
            rx.vstack(
                _number(
                    "Idle timeout (minutes)",
                    "session_idle_minutes",
                    "A login unused this long ends. Empty: " + S.env_idle.to_string() + ".",
                ),
                _number(
                    "Session lifetime (days)",
                    "session_days",
                    "Every login ends after this long. Empty: " + S.env_days.to_string() + ".",
                ),
                _number(
                    "Minimum password length",
                    "min_password_length",
                    "For operators and contacts; at least 10.",
                ),
                rx.checkbox(
                    "Require two-factor authentication for all operators",
                    name="require_totp",
                    id="require_totp",
                    default_checked=S.require_totp,
                ),
                rx.text(
                    "Operators without it are sent to Personal Information after login "
                    "and can do nothing else until it is on.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.button("Save", type="submit", id="security-save"),
                spacing="3",
                align="start",
                max_width="480px",
                width="100%",
            ),
            on_submit=S.save,
            reset_on_submit=False,
            key=S.form_key.to_string(),
        ),
        width="100%",
    )


def _page() -> rx.Component:
    return rx.cond(
        AppState.me_is_admin,
        _body(),
        rx.text("Only administrators can see and change the security settings.", size="2"),
    )


security_page = control_page("Settings", _page)

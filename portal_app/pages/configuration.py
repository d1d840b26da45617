"""My Account > Configuration: Company Information and General Information."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import country_input, field, select_input, text_input
from portal_app.components.layout import control_page
from portal_app.services.account import CURRENCIES, DATE_FORMATS
from portal_app.state.config import ConfigState

S = ConfigState


def _text(label: str, key: str, **props) -> rx.Component:
    return field(
        label,
        text_input(key, S.errors, default_value=S.values[key], read_only=~S.can_edit, **props),
        S.errors,
        key,
    )


def _company() -> rx.Component:
    return rx.card(
        rx.heading("Company Information", size="4", as_="h2", margin_bottom="1em"),
        rx.grid(
            _text("Name", "company_name"),
            rx.box(),
            _text("Address Line 1", "address_line1"),
            _text("Address Line 2", "address_line2"),
            _text("City", "city"),
            _text("County / State", "county_state"),
            field(
                "Country",
                country_input(
                    "country", S.errors, default_value=S.values["country"], read_only=~S.can_edit
                ),
                S.errors,
                "country",
            ),
            _text("Post Code / ZIP", "post_code"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _general() -> rx.Component:
    return rx.card(
        rx.heading("General Information", size="4", as_="h2", margin_bottom="1em"),
        rx.grid(
            field(
                "Currency",
                select_input(
                    "currency",
                    [(c, c) for c in CURRENCIES],
                    S.values["currency"],
                    disabled=~S.can_edit,
                ),
                S.errors,
                "currency",
            ),
            field(
                "Date Format",
                select_input(
                    "date_format",
                    [(d, d) for d in DATE_FORMATS],
                    S.values["date_format"],
                    disabled=~S.can_edit,
                ),
                S.errors,
                "date_format",
            ),
            _text("Phone", "phone", type="tel"),
            _text("Mobile", "mobile", type="tel"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        rx.box(
            rx.checkbox(
                "Security: email me every time someone logs in",
                name="login_alerts",
                id="login_alerts",
                default_checked=S.login_alerts,
                disabled=~S.can_edit,
            ),
            margin_top="1em",
        ),
        rx.text(
            "Login alerts go out through the SMTP Details on Personal Information; "
            "each contact chooses its own in the portal's Profile.",
            size="1",
            color_scheme="gray",
        ),
        width="100%",
    )


def _body() -> rx.Component:
    return rx.form(
        rx.vstack(
            _company(),
            _general(),
            rx.cond(
                S.can_edit,
                rx.button("Save", type="submit", size="3", id="config-save"),
                rx.text(
                    "You can view this configuration; changing it needs the Setup permission.",
                    color_scheme="gray",
                    size="2",
                ),
            ),
            spacing="5",
            width="100%",
        ),
        on_submit=S.save,
        reset_on_submit=False,
        key=S.form_key,
    )


configuration_page = control_page("Configuration", _body)

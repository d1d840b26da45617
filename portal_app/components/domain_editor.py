"""The Portal domain editor: one form over the spec's tabs (Basic, User Access Area,
Breakout, CDR, Advanced, SMTP) plus the DNS record to create."""

from __future__ import annotations

import functools
import operator

import reflex as rx

from portal_app.components.customer_picker import customer_picker
from portal_app.components.domain_payments import domain_payment_options
from portal_app.components.forms import (
    H2,
    dialog_buttons,
    error_text,
    field,
    form_tab,
    switch_field,
    text_input,
)
from portal_app.services.money import active_currencies
from portal_app.settings import get_settings
from portal_app.state.domains import DomainsState

S = DomainsState


def _template_customer(e) -> rx.Component:
    """Template Customer: searched as you type (never a list of every customer)."""
    return rx.vstack(
        rx.cond(
            S.template_id != "none",
            rx.hstack(
                rx.text("Template Customer: ", rx.text.strong(S.template_label), size="2"),
                rx.button(
                    "Clear",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    type="button",
                    on_click=S.clear_template,
                    id="template-clear",
                    aria_label="Clear the Template Customer",
                ),
                align="center",
                id="template-chosen",
            ),
            rx.text("No Template Customer.", size="2", color_scheme="gray"),
        ),
        customer_picker(S, label="Find a Template Customer", id_="template-picker"),
        rx.text(
            "New sign-ups copy this customer's settings, such as its credit and payments.",
            size="1",
            color_scheme="gray",
        ),
        error_text(e, "template_customer_id"),
        spacing="2",
        width="100%",
    )


def _basic() -> rx.Component:
    f, e = S.form, S.errors
    return rx.vstack(
        field(
            "Domain",
            text_input("host", e, default_value=f["host"], placeholder="portal.yourbrand.com"),
            e,
            "host",
        ),
        field(
            "Brand Name",
            text_input("brand_name", e, default_value=f["brand_name"]),
            e,
            "brand_name",
            hint="The name customers see on the portal and in its title.",
        ),
        switch_field(
            "customer_signup",
            "Customer Sign up: new customers may sign up (they wait for approval)",
            S.signup["customer"],
        ),
        switch_field(
            "carrier_signup",
            "Carrier Sign up: new carriers may sign up (they wait for approval)",
            S.signup["carrier"],
        ),
        _template_customer(e),
        rx.cond(
            S.template_preview.length() > 0,
            rx.callout.root(
                rx.callout.text(
                    rx.text("Approving a sign-up copies:", weight="medium", size="2"),
                    rx.foreach(S.template_preview, lambda line: rx.text("• " + line, size="2")),
                ),
                color_scheme="blue",
                width="100%",
                id="template-preview",
            ),
        ),
        field(
            "Currencies",
            rx.vstack(
                rx.hstack(
                    rx.foreach(
                        S.currencies,
                        lambda c: rx.badge(
                            c,
                            rx.icon_button(
                                rx.icon("x", size=12),
                                size="1",
                                variant="ghost",
                                type="button",
                                on_click=S.remove_currency(c),
                                aria_label="Remove " + c,
                            ),
                            size="2",
                            id="currency-" + c,
                        ),
                    ),
                    wrap="wrap",
                ),
                rx.select.root(
                    rx.select.trigger(
                        placeholder="Add a currency",
                        id="currency_add",
                        aria_label="Add a currency",
                    ),
                    rx.select.content(*[rx.select.item(c, value=c) for c in active_currencies()]),
                    value="",
                    on_change=S.add_currency,
                ),
                spacing="2",
                role="group",
                id="currencies",
            ),
            e,
            "currencies",
        ),
        field(
            rx.cond(
                S.currencies.length() > 0,
                "Customer Limit (" + S.currencies[0].to(str) + ")",
                "Customer Limit",
            ),
            text_input(
                "customer_limit", e, default_value=f["customer_limit"], input_mode="decimal"
            ),
            e,
            "customer_limit",
            hint="Credit for new sign-ups in the first currency; sign-ups in another "
            "currency start without credit (amounts are never converted).",
        ),
        spacing="3",
        width="100%",
    )


def _ordered(kind: str, items, title: str) -> rx.Component:
    return rx.vstack(
        rx.text(title, size="2", color_scheme="gray"),
        rx.foreach(
            items,
            lambda i: rx.hstack(
                rx.checkbox(
                    i.label,
                    checked=i.on,
                    on_change=lambda _v: S.toggle_item(kind, i.key),
                    id=f"{kind}-" + i.key,
                ),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("arrow-up", size=12),
                    size="1",
                    variant="ghost",
                    type="button",
                    aria_label="Move up " + i.label,
                    on_click=S.move_item(kind, i.key, -1),
                ),
                rx.icon_button(
                    rx.icon("arrow-down", size=12),
                    size="1",
                    variant="ghost",
                    type="button",
                    aria_label="Move down " + i.label,
                    on_click=S.move_item(kind, i.key, 1),
                ),
                align="center",
                width="100%",
                class_name="cp-order-row",
            ),
        ),
        error_text(
            S.errors,
            {"access": "access", "breakout": "breakout_columns", "cdr": "cdr_columns"}[kind],
        ),
        spacing="1",
        width="100%",
        max_width="420px",
    )


def _colour(key: str, label: str, hint: str) -> rx.Component:
    """A brand colour as #rrggbb, with a swatch of the saved one (empty: the theme's)."""
    saved = S.swatches[key]
    return field(
        label,
        rx.hstack(
            rx.box(
                class_name="cp-swatch",
                background=rx.cond(saved != "", saved, "var(--accent-9)"),
                aria_hidden="true",
            ),
            text_input(
                key, S.errors, default_value=S.form[key], placeholder="#dc2626", max_length=7
            ),
            align="center",
            width="100%",
        ),
        S.errors,
        key,
        hint=hint + " Empty keeps the theme's colour; text colours follow for contrast.",
    )


def _advanced() -> rx.Component:
    f, e = S.form, S.errors
    return rx.vstack(
        rx.cond(
            S.code_locked,
            rx.callout(
                "Only administrators can change the Javascript and CSS: they run in "
                "your customers' browsers. You can change everything else.",
                icon="lock",
                color_scheme="gray",
                size="1",
                id="code-locked",
                width="100%",
            ),
        ),
        field(
            "Javascript",
            rx.text_area(
                name="custom_js",
                id="custom_js",
                default_value=f["custom_js"],
                read_only=S.code_locked,
                rows="4",
                font_family="monospace",
                width="100%",
            ),
            e,
            "custom_js",
            hint="Raw JavaScript, e.g. alert('Hello World'); or "
            '<script src="https://www.mydomain.com/custom.js"></script>',
        ),
        field(
            "CSS",
            rx.text_area(
                name="custom_css",
                id="custom_css",
                default_value=f["custom_css"],
                read_only=S.code_locked,
                rows="6",
                font_family="monospace",
                width="100%",
            ),
            e,
            "custom_css",
            hint="Layered over the portal theme, e.g. h1 { font-size: 2em; }",
        ),
        field(
            "Upload Logo",
            rx.select.root(
                rx.select.trigger(id="logo_file_id", width="100%"),
                rx.select.content(
                    rx.select.item("No logo", value="none"),
                    rx.foreach(S.logo_options, lambda o: rx.select.item(o[1], value=o[0])),
                ),
                name="logo_file_id",
                default_value=f["logo_file_id"],
            ),
            e,
            "logo_file_id",
            hint="Images uploaded to Management › File › Public (jpg, png or gif, at most "
            "350 px wide).",
        ),
        field(
            "Footer",
            text_input("footer", e, default_value=f["footer"], placeholder="Copyright My Company"),
            e,
            "footer",
        ),
        rx.grid(
            _colour("accent_color", "Accent colour", "Buttons, links and the active menu item."),
            _colour("header_color", "Header colour", "The bar with the logo and brand name."),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _smtp() -> rx.Component:
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


def _dns() -> rx.Component:
    target = get_settings().cname_target
    return rx.vstack(
        rx.text(
            "Create this record at your DNS provider, then use Verify now in the list:", size="2"
        ),
        rx.table.root(
            rx.table.body(
                rx.table.row(
                    rx.table.row_header_cell("Name"),
                    rx.table.cell(
                        rx.code(
                            rx.cond(S.form["host"] != "", S.form["host"], "portal.yourbrand.com")
                        )
                    ),
                ),
                rx.table.row(rx.table.row_header_cell("Type"), rx.table.cell(rx.code("CNAME"))),
                rx.table.row(
                    rx.table.row_header_cell("Target"), rx.table.cell(rx.code(target + "."))
                ),
                rx.table.row(
                    rx.table.row_header_cell("TTL"), rx.table.cell("300 seconds (recommended)")
                ),
            ),
            variant="surface",
            width="100%",
        ),
        rx.callout.root(
            rx.callout.icon(rx.icon("info")),
            rx.callout.text(
                "It must be a CNAME: A records or pointing the name directly will not work, and "
                "no certificate is issued until the CNAME verifies."
            ),
            color_scheme="blue",
        ),
        spacing="3",
        width="100%",
    )


TABS = [
    ("basic", "Basic", _basic),
    ("access", "User Access Area", None),
    ("breakout", "Breakout", None),
    ("cdr", "CDR", None),
    ("advanced", "Advanced", _advanced),
    ("smtp", "SMTP", _smtp),
    ("dns", "DNS record", _dns),
]
TAB_FIELDS = {
    "basic": ["host", "brand_name", "currencies", "customer_limit", "template_customer_id"],
    "access": ["access"],
    "breakout": ["breakout_columns"],
    "cdr": ["cdr_columns"],
    "advanced": [
        "custom_js",
        "custom_css",
        "logo_file_id",
        "footer",
        "accent_color",
        "header_color",
    ],
    "smtp": ["smtp_server", "smtp_password", "smtp_from"],
    "dns": [],
}


def _first_tab_with_errors():
    """The tab a refused save reopens on: the first with an error (the form is re-keyed
    to show what was typed, which resets the tabs), or Basic."""
    tab = "basic"
    for key, fields in reversed(list(TAB_FIELDS.items())):
        if fields:
            tab = rx.cond(functools.reduce(operator.or_, map(S.errors.contains, fields)), key, tab)
    return tab


def _tab_content(key: str, build) -> rx.Component:
    if key == "access":
        body = _ordered("access", S.access, "Sections customers see, in menu order.")
    elif key == "breakout":
        body = _ordered("breakout", S.breakout, "Columns of the Breakout Report, in order.")
    elif key == "cdr":
        body = _ordered("cdr", S.cdr, "Columns of the CDR Report, in order.")
    else:
        body = build()
    return form_tab(key, rx.fragment(body, domain_payment_options()) if key == "access" else body)


def _tab_trigger(key: str, label: str) -> rx.Component:
    flagged = rx.Var.create(False)
    for name in TAB_FIELDS[key]:
        flagged = flagged | S.errors.contains(name)
    return rx.tabs.trigger(
        rx.hstack(
            label,
            rx.cond(flagged, rx.icon("circle-alert", size=14, color=rx.color("red", 10))),
            spacing="1",
            align="center",
        ),
        value=key,
    )


def domain_editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(S.editing == "new", "Add portal domain", "Edit portal domain"),
                custom_attrs=H2,
            ),
            rx.form(
                rx.tabs.root(
                    rx.tabs.list(*[_tab_trigger(k, label) for k, label, _ in TABS], wrap="wrap"),
                    *[_tab_content(k, build) for k, _, build in TABS],
                    default_value=_first_tab_with_errors(),
                ),
                dialog_buttons(S.close_editor, "domain-save"),
                on_submit=S.save,
                reset_on_submit=False,
                key=S.editing + S.errors.length().to_string(),
            ),
            max_width="720px",
        ),
        open=S.editing != "",
        on_open_change=lambda _open: S.close_editor(),
    )

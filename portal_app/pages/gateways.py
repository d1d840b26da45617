"""Setup › My Account › API: the payment gateways list and the Stripe / PayPal dialog."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import dialog_buttons, dialog_open, field, select_input, text_input
from portal_app.components.layout import control_page
from portal_app.state.gateways import GatewaysState

S = GatewaysState
_STRIPE = S.provider == "stripe"


def _row(g) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.button(
                g.name,
                variant="ghost",
                on_click=S.open_edit(g.id.to_string()),
                aria_label="Edit " + g.name,
            )
        ),
        rx.table.cell(g.provider),
        rx.table.cell(rx.badge(g.mode, color_scheme=rx.cond(g.mode == "live", "green", "gray"))),
        rx.table.cell(g.currencies),
        rx.table.cell(
            rx.vstack(
                rx.text(g.checked, size="2"),
                rx.text(
                    g.check_message,
                    size="1",
                    color_scheme=rx.cond(g.check_ok, "green", "red"),
                ),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Refresh",
                    size="1",
                    variant="soft",
                    loading=S.checking == g.id,
                    on_click=S.refresh(g.id.to_string()),
                    aria_label="Check the credentials of " + g.name,
                ),
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    variant="ghost",
                    color_scheme="red",
                    aria_label="Delete " + g.name,
                    on_click=S.ask_delete(g.id.to_string()),
                ),
            )
        ),
    )


def _table() -> rx.Component:
    headers = ["Name", "Provider", "Mode", "Currencies", "Last check", ""]
    return rx.cond(
        S.gateways.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(S.gateways, _row)),
            width="100%",
            variant="surface",
            id="gateways-table",
        ),
        rx.text("No gateway yet: customers cannot pay online.", color_scheme="gray"),
    )


def _secret(name: str, label: str, saved, hint_new: str) -> rx.Component:
    e = S.errors
    return field(
        label,
        text_input(name, e, type="password", auto_complete="off"),
        e,
        name,
        hint=rx.cond(saved, "Saved. Leave empty to keep it unchanged.", hint_new),
    )


def _amount(label: str, name: str) -> rx.Component:
    return field(label, text_input(name, S.errors, default_value=S.form[name]), S.errors, name)


def _fields() -> rx.Component:
    f, e = S.form, S.errors
    modes = rx.cond(
        _STRIPE,
        select_input("mode", [("test", "Test"), ("live", "Live")], f["mode"]),
        select_input("mode", [("test", "Sandbox"), ("live", "Live")], f["mode"]),
    )
    return rx.vstack(
        field("Name", text_input("name", e, default_value=f["name"]), e, "name"),
        field("Mode", modes, e, "mode"),
        field(
            rx.cond(_STRIPE, "Public key", "Client ID"),
            text_input("public_key", e, default_value=f["public_key"], auto_complete="off"),
            e,
            "public_key",
            hint=rx.cond(
                _STRIPE,
                "Stripe Dashboard › Developers › API keys: the publishable key (pk_test_… "
                "or pk_live_…).",
                "PayPal Developer › Apps & Credentials (REST API app): the Client ID. "
                "PayPal's classic Username, Password and Signature are not used.",
            ),
        ),
        rx.cond(
            _STRIPE,
            _secret("secret_key", "Private key", S.has_secret_key, "The secret key (sk_…)."),
            _secret("secret_key", "Secret", S.has_secret_key, "The REST app's Secret."),
        ),
        rx.cond(
            _STRIPE,
            _secret(
                "webhook_secret",
                "Webhook signing secret",
                S.has_webhook_secret,
                "Developers › Webhooks: the endpoint /api/payments/stripe/webhook, "
                "its signing secret (whsec_…).",
            ),
            _secret("webhook_secret", "Webhook ID", S.has_webhook_secret, "The webhook's ID."),
        ),
        rx.cond(
            ~_STRIPE,
            field(
                "Email",
                text_input("account_email", e, default_value=f["account_email"]),
                e,
                "account_email",
                hint="The PayPal account that receives the payments.",
            ),
        ),
        field(
            "Currencies",
            text_input("currencies", e, default_value=f["currencies"], placeholder="USD, EUR"),
            e,
            "currencies",
            hint="ISO codes, separated by commas.",
        ),
        rx.grid(
            _amount("Minimum", "min_amount"),
            _amount("Maximum", "max_amount"),
            _amount("Surcharge %", "surcharge_percent"),
            _amount("Surcharge fixed", "surcharge_fixed"),
            columns="2",
            width="100%",
            style={"gap": "0.75rem 1rem"},
        ),
        field(
            "Preset amounts",
            text_input("presets", e, default_value=f["presets"], placeholder="10, 25, 50"),
            e,
            "presets",
            hint="Amounts apply in each accepted currency. Leave limits empty for none.",
        ),
        rx.el.label(
            rx.hstack(
                rx.switch(name="enabled", id="enabled", default_checked=f["enabled"] == "on"),
                rx.text("Offered to customers", size="2"),
                align="center",
            )
        ),
        dialog_buttons(S.close, "gateway-save"),
        spacing="3",
        width="100%",
    )


def _dialog() -> rx.Component:
    title = rx.cond(_STRIPE, "Stripe", "PayPal")
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.dialog == "new", "Add ", "Edit ") + title),
            rx.dialog.description(
                "Keys are stored encrypted and never shown again.", size="2", margin_bottom="1em"
            ),
            rx.form(
                _fields(),
                on_submit=S.save,
                reset_on_submit=False,
                key=S.dialog + S.errors.length().to_string(),
            ),
            max_width="560px",
        ),
        open=dialog_open(S.dialog != ""),
        on_open_change=lambda _open: S.close(),
    )


def _confirm() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete " + S.confirm_label + "?"),
            rx.alert_dialog.description(
                "Customers can no longer pay through it. Past payments stay listed.", size="2"
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.close)
                ),
                rx.alert_dialog.action(
                    rx.button("Delete", color_scheme="red", on_click=S.delete, id="confirm-delete")
                ),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
        open=dialog_open(S.confirm_delete != 0),
        on_open_change=lambda _open: S.close(),
    )


def _body() -> rx.Component:
    add = rx.menu.root(
        rx.menu.trigger(rx.button(rx.icon("plus", size=16), "Add New", id="add-gateway")),
        rx.menu.content(
            rx.menu.item("PayPal", on_select=S.open_new("paypal")),
            rx.menu.item("Stripe", on_select=S.open_new("stripe"), id="add-stripe"),
        ),
    )
    return rx.vstack(
        rx.card(
            rx.hstack(
                rx.heading("Payment gateways", size="4", as_="h2"),
                rx.spacer(),
                add,
                align="center",
                margin_bottom="1em",
            ),
            rx.box(_table(), overflow_x="auto"),
            width="100%",
        ),
        _dialog(),
        _confirm(),
        spacing="5",
        width="100%",
    )


gateways_page = control_page("API", _body, area="payment")

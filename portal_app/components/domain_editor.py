"""The Portal domain editor: one form over the spec's tabs (Basic, User Access Area,
Breakout, CDR, Advanced, SMTP) plus the DNS record to create.

The Basic, Advanced and SMTP tabs are built in domain_basic.py, domain_advanced.py and
domain_smtp.py; the ordered lists, the DNS record and the tab frame are here."""

from __future__ import annotations

import functools
import operator

import reflex as rx

from portal_app.components.domain_advanced import advanced_tab
from portal_app.components.domain_alerts import domain_alert_options
from portal_app.components.domain_basic import basic_tab
from portal_app.components.domain_payments import domain_payment_options
from portal_app.components.domain_smtp import smtp_tab
from portal_app.components.forms import H2, dialog_buttons, dialog_open, error_text, form_tab
from portal_app.settings import get_settings
from portal_app.state.domains import DomainsState

S = DomainsState


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
    ("basic", "Basic", basic_tab),
    ("access", "User Access Area", None),
    ("breakout", "Breakout", None),
    ("cdr", "CDR", None),
    ("advanced", "Advanced", advanced_tab),
    ("smtp", "SMTP", smtp_tab),
    ("dns", "DNS record", _dns),
]
TAB_FIELDS = {
    "basic": ["host", "brand_name", "currencies", "customer_limit", "template_customer_id"],
    "access": ["access", "alert_min", "alert_max", "alert_max_count"],
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
    return form_tab(
        key,
        rx.fragment(body, domain_payment_options(), domain_alert_options())
        if key == "access"
        else body,
    )


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
        open=dialog_open(S.editing != ""),
        on_open_change=lambda _open: S.close_editor(),
    )

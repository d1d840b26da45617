"""Management > Customers: the Add / Edit customer dialog (Details, Config, and the
Contacts, Balance and Alerts & contracts tabs), with the question asked before a Close
throws away what was typed."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.contacts import contacts_tab
from portal_app.components.contracts import alerts_contracts_tab
from portal_app.components.forms import (
    H2,
    country_input,
    dialog_buttons,
    dialog_open,
    field,
    form_tab,
    select_input,
    text_input,
)
from portal_app.components.ledger import balance_tab
from portal_app.services.money import active_currencies
from portal_app.state.base import AppState
from portal_app.state.customers import CustomersState

S = CustomersState
# A customer's statuses as the screens name them: the dialog's Status, and the list's
# filter and badges (pages/customers.py).
STATUS = [
    ("active", "Active"),
    ("pending", "Pending approval"),
    ("suspended", "Suspended"),
    ("rejected", "Rejected"),
]


def _text(label: str, key: str, kind=text_input, **props) -> rx.Component:
    """A text field that tells the state its value when it loses focus (unsaved edits)."""
    control = kind(
        key,
        S.errors,
        default_value=S.form[key],
        on_blur=lambda value: S.note_field(key, value),
        **props,
    )
    return field(label, control, S.errors, key)


def _choice(label: str, key: str, options: list[tuple[str, str]]) -> rx.Component:
    control = select_input(
        key, options, S.form[key], on_change=lambda value: S.note_field(key, value)
    )
    return field(label, control, S.errors, key)


def _details() -> rx.Component:
    return rx.grid(
        _text("Name", "name"),
        _choice("Type", "kind", [("customer", "Customer"), ("carrier", "Carrier")]),
        _choice("Status", "status", STATUS),
        _choice("Currency", "currency", [(c, c) for c in active_currencies()]),
        _text("Credit limit", "credit_limit", input_mode="decimal"),
        _text("Company name", "company_name"),
        _text("Address", "address"),
        _text("Country", "country", country_input),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


def _access_row(a) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(a.label),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(id="access_" + a.key, aria_label=a.label),
                rx.select.content(
                    rx.select.item("Domain's choice", value="inherit"),
                    rx.select.item("Show", value="show"),
                    rx.select.item("Hide", value="hide"),
                ),
                value=a.choice,
                on_change=lambda v: S.set_access(a.key, v),
                size="1",
            )
        ),
        rx.table.cell(
            rx.cond(
                a.effective,
                rx.badge("Shown", color_scheme="green"),
                rx.badge("Hidden", color_scheme="gray"),
            )
        ),
    )


def _config() -> rx.Component:
    f, e = S.form, S.errors
    return rx.vstack(
        field(
            "Domain",
            rx.select.root(
                rx.select.trigger(id="domain_id", width="100%"),
                rx.select.content(
                    rx.select.item("No domain (no portal login)", value="none"),
                    rx.foreach(S.domain_options, lambda o: rx.select.item(o[1], value=o[0])),
                ),
                name="domain_id",
                default_value=f["domain_id"],
                on_change=lambda value: S.note_field("domain_id", value),
            ),
            e,
            "domain_id",
            hint="The brand whose portal this customer's contacts log in to.",
        ),
        rx.text("Routes", weight="medium", size="2"),
        rx.cond(
            S.cards.length() > 0,
            rx.flex(
                rx.foreach(
                    S.cards,
                    lambda c: rx.checkbox(
                        c.label,
                        checked=c.checked,
                        on_change=lambda v: S.toggle_card(c.id, v),
                        id="card-" + c.id.to_string(),
                    ),
                ),
                direction="column",
                spacing="2",
            ),
            rx.text(
                "No rate card in this currency yet (Management › Rate Cards).",
                size="1",
                color_scheme="gray",
            ),
        ),
        rx.text("Portal Access", weight="medium", size="2"),
        rx.text(
            "Show or Hide a section for this customer, or keep the domain's choice. "
            "Effective access is what its contacts see (after saving).",
            size="1",
            color_scheme="gray",
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Section"),
                    rx.table.column_header_cell("Choice"),
                    rx.table.column_header_cell("Effective"),
                )
            ),
            rx.table.body(rx.foreach(S.access, _access_row)),
            size="1",
            variant="surface",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def customer_editor() -> rx.Component:
    """The Add / Edit customer dialog: Details and Config in one form, then the tabs with
    forms of their own (Contacts, Balance, Alerts & contracts)."""
    tabs = [("details", "Details", _details), ("config", "Config", _config)]
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(
                    rx.cond(S.editing == "new", "Add customer", "Edit customer"), custom_attrs=H2
                ),
                rx.spacer(),
                rx.cond(
                    (S.editing != "new") & AppState.me_areas.contains("cdr"),
                    rx.hstack(
                        rx.link(
                            "CDR report",
                            href=routes.CDR_REPORT + "?customer=" + S.editing,
                            size="2",
                            id="customer-cdr-link",
                        ),
                        rx.link(
                            "Breakout report",
                            href=routes.BREAKOUT_REPORT + "?customer=" + S.editing,
                            size="2",
                        ),
                        spacing="3",
                    ),
                ),
                align="center",
                width="100%",
                class_name="cp-dialog-head",
            ),
            rx.tabs.root(
                rx.tabs.list(
                    *[rx.tabs.trigger(label, value=k) for k, label, _ in tabs],
                    rx.tabs.trigger("Contacts", value="contacts", id="tab-contacts"),
                    rx.tabs.trigger("Balance", value="balance", id="tab-balance"),
                    rx.tabs.trigger("Alerts & contracts", value="extras", id="tab-extras"),
                ),
                rx.form(
                    *[form_tab(k, build()) for k, _, build in tabs],
                    rx.cond(
                        (S.tab == "details") | (S.tab == "config"),
                        dialog_buttons(S.request_close, "customer-save", cancel_label="Close"),
                    ),
                    on_submit=S.save,
                    reset_on_submit=False,
                    key=S.editing + S.errors.length().to_string(),
                ),
                # Contacts and the ledger have forms of their own: outside the customer form.
                rx.tabs.content(
                    rx.box(contacts_tab(), padding_top="1em"),
                    value="contacts",
                    class_name="cp-tab",
                ),
                rx.tabs.content(
                    rx.box(balance_tab(), padding_top="1em"), value="balance", class_name="cp-tab"
                ),
                rx.tabs.content(
                    rx.box(alerts_contracts_tab(), padding_top="1em"),
                    value="extras",
                    class_name="cp-tab",
                ),
                value=S.tab,
                on_change=S.set_tab,
            ),
            _discard(),
            max_width="760px",
        ),
        open=dialog_open(S.editing != ""),
        on_open_change=lambda _open: S.request_close(),
    )


def _discard() -> rx.Component:
    """Asked when Close (or Escape) would throw away what was typed."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Discard your changes?", custom_attrs=H2),
            rx.alert_dialog.description(
                "This customer has changes that are not saved. Close without saving them?",
                size="2",
            ),
            rx.hstack(
                rx.button(
                    "Keep editing",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.keep_editing,
                    id="keep-editing",
                ),
                rx.button(
                    "Discard changes",
                    color_scheme="red",
                    on_click=S.close_customer,
                    id="discard-changes",
                ),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
        open=dialog_open(S.confirm_discard),
        on_open_change=lambda _open: S.keep_editing(),
    )

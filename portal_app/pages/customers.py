"""Management > Customers: search, filter, sort and page through customers and carriers."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.contacts import contacts_tab
from portal_app.components.contracts import alerts_contracts_tab
from portal_app.components.forms import (
    H2,
    dialog_buttons,
    field,
    form_tab,
    select_input,
    text_input,
)
from portal_app.components.layout import control_page
from portal_app.components.ledger import balance_tab
from portal_app.services.money import active_currencies
from portal_app.state.base import AppState
from portal_app.state.customers import CustomersState

S = CustomersState
STATUS = [
    ("active", "Active"),
    ("pending", "Pending approval"),
    ("suspended", "Suspended"),
    ("rejected", "Rejected"),
]
STATUS_COLORS = {"active": "green", "pending": "amber", "suspended": "red", "rejected": "gray"}


def _filters() -> rx.Component:
    return rx.form(
        rx.grid(
            field(
                "Search",
                rx.input(
                    name="search",
                    id="search",
                    placeholder="Name or company",
                    default_value=S.search,
                    width="100%",
                ),
            ),
            field(
                "Type",
                select_input(
                    "kind",
                    [("all", "All"), ("customer", "Customer"), ("carrier", "Carrier")],
                    S.kind,
                ),
            ),
            field("Status", select_input("status", [("all", "All"), *STATUS], S.status)),
            field(
                "Domain",
                rx.select.root(
                    rx.select.trigger(id="domain", width="100%"),
                    rx.select.content(
                        rx.select.item("All", value="all"),
                        rx.select.item("No domain", value="0"),
                        rx.foreach(S.domain_options, lambda o: rx.select.item(o[1], value=o[0])),
                    ),
                    name="domain",
                    default_value=S.domain,
                ),
            ),
            rx.button("Apply", type="submit", id="apply-filters"),
            columns=rx.breakpoints(initial="1", md="5"),
            spacing="3",
            align="end",
            width="100%",
        ),
        on_submit=S.apply_filters,
        reset_on_submit=False,
    )


def _header(label: str, column: str | None = None) -> rx.Component:
    if column is None:
        return rx.table.column_header_cell(label)
    arrow = rx.cond(S.sort == column, rx.cond(S.descending, " ↓", " ↑"), "")
    return rx.table.column_header_cell(
        rx.button(
            label,
            arrow,
            variant="ghost",
            size="1",
            on_click=S.sort_by(column),
            aria_label="Sort by " + label,
        )
    )


def _row(c) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.button(
                c.name,
                variant="ghost",
                size="2",
                id="customer-" + c.id.to_string(),
                on_click=S.open_customer(c.id.to_string()),
            )
        ),
        rx.table.cell(rx.cond(c.kind == "carrier", "Carrier", "Customer")),
        rx.table.cell(
            rx.badge(
                rx.match(c.status, *STATUS, c.status),
                color_scheme=rx.match(c.status, *STATUS_COLORS.items(), "gray"),
            )
        ),
        rx.table.cell(c.domain),
        rx.table.cell(c.currency),
        rx.table.cell(c.credit_limit, text_align="right"),
    )


def _table() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.total > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            _header("Name", "name"),
                            _header("Type", "kind"),
                            _header("Status", "status"),
                            _header("Domain"),
                            _header("Currency"),
                            _header("Credit limit"),
                        )
                    ),
                    rx.table.body(rx.foreach(S.rows, _row)),
                    width="100%",
                    variant="surface",
                    id="customers-table",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No customers match these filters.", color_scheme="gray", padding="1em"),
        ),
        rx.hstack(
            rx.text(S.page_label, size="2", color_scheme="gray", id="customers-count"),
            rx.spacer(),
            rx.button("Previous", variant="soft", disabled=S.page == 0, on_click=S.go_page(-1)),
            rx.button(
                "Next", variant="soft", disabled=~S.has_next, on_click=S.go_page(1), id="next-page"
            ),
            align="center",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _text(label: str, key: str, **props) -> rx.Component:
    """A text field that tells the state its value when it loses focus (unsaved edits)."""
    control = text_input(
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
        _text("Country", "country", max_length=2),
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


def _dialog() -> rx.Component:
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
        open=S.editing != "",
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
        open=S.confirm_discard,
        on_open_change=lambda _open: S.keep_editing(),
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.hstack(
                rx.heading("Customers and carriers", size="4", as_="h2"),
                rx.spacer(),
                rx.button(
                    rx.icon("plus", size=16),
                    "Add customer",
                    on_click=S.open_customer("new"),
                    id="add-customer",
                ),
                align="center",
                margin_bottom="1em",
            ),
            _filters(),
            rx.box(height="1em"),
            _table(),
            width="100%",
        ),
        _dialog(),
        spacing="5",
        width="100%",
    )


customers_page = control_page("Customers", _body, area="customer")

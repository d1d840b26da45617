"""Management > Customers: one page of the list at a time, and the edit dialog."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import customer_list as lists
from portal_app.services import customers as svc
from portal_app.services.db import session_scope
from portal_app.services.domains import domain_options
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Area
from portal_app.services.money import plain_minor
from portal_app.services.portal_sections import SECTIONS
from portal_app.services.rates import customer_cards_set
from portal_app.services.validation import country_name, parse_id

from .base import AppState
from .customer_rows import (
    AccessRow,
    CardChoice,
    CustomerRow,
    access_rows,
    card_choices,
    customer_row,
)
from .customer_tab import open_tabs
from .guard import Need, actor, guarded
from .paging import has_next, page_label, step_page

PAGE_SIZE = 25


class CustomersState(AppState):
    rows: list[CustomerRow] = []
    total: int = 0
    page: int = 0
    search: str = ""
    kind: str = "all"
    status: str = "all"
    domain: str = "all"
    sort: str = "name"
    descending: bool = False
    domain_options: list[list[str]] = []
    editing: str = ""
    form: dict[str, str] = {}
    access: list[AccessRow] = []
    errors: dict[str, str] = {}
    tab: str = "details"
    cards: list[CardChoice] = []  # Config › Routes: the rate cards in the customer's currency
    _cards_before: list[int] = []
    # Keys (sort value, id) of the first and last rows on screen: paging starts there.
    _first: tuple | None = None
    _last: tuple | None = None
    # What the operator typed or chose since the dialog opened (each field reports its
    # value when it loses focus or changes), so Close can ask before discarding it.
    _draft: dict[str, str] = {}
    _saved: dict[str, str] = {}
    _access_before: dict[str, str] = {}
    confirm_discard: bool = False

    def _fetch(self, page: dict | None = None) -> None:
        """The page ``page`` names (``{"after": key}``, ``{"before": key}``), or the
        page on screen again (from its first row) when None; the first after a reset."""
        domain_id = None if self.domain == "all" else int(self.domain)
        where = page if page is not None else {"start": self._first} if self._first else {}
        with session_scope() as session:
            result = lists.customer_list(
                session=session,
                actor=actor(),
                search=self.search,
                kind="" if self.kind == "all" else self.kind,
                status="" if self.status == "all" else self.status,
                domain_id=domain_id,
                sort=self.sort,
                descending=self.descending,
                limit=PAGE_SIZE,
                **where,
            )
        if "before" in where and len(result.rows) < PAGE_SIZE:
            self.page, self._first = 0, None  # fewer rows before than a page: the first
            return self._fetch({})
        self._first, self._last = result.first, result.last
        self.total = result.total
        self.rows = [customer_row(c) for c in result.rows]

    @guarded(Need.AREA, Area.CUSTOMER)
    def load(self):
        with session_scope() as session:
            domains = domain_options(session=session, actor=actor())
        self.domain_options = [[str(i), h] for i, h in domains]
        self.editing, self.errors, self.page = "", {}, 0
        self._fetch({})

    @guarded(Need.AREA, Area.CUSTOMER)
    def apply_filters(self, form_data: dict):
        self.search = str(form_data.get("search", ""))[:100]
        self.kind = str(form_data.get("kind", "all"))
        self.status = str(form_data.get("status", "all"))
        domain = str(form_data.get("domain", "all"))
        self.domain = domain if domain == "all" or parse_id(domain) else "all"
        self.page = 0
        self._fetch({})

    @guarded(Need.AREA, Area.CUSTOMER)
    def sort_by(self, column: str):
        if column not in lists.SORTS:
            return
        self.descending = not self.descending if self.sort == column else False
        self.sort, self.page = column, 0
        self._fetch({})

    @guarded(Need.AREA, Area.CUSTOMER)
    def go_page(self, delta: int):
        """One page on or back, by key from the rows on screen (never an OFFSET)."""
        page = step_page(self.page, self.total, PAGE_SIZE, delta)
        if page == self.page:
            return
        forward, self.page = page > self.page, page
        if page == 0:
            self._fetch({})
        elif forward:
            self._fetch({"after": self._last})
        else:
            self._fetch({"before": self._first})

    def _fill(self, customer, domain) -> None:
        self.form = {
            "name": customer.name,
            "kind": customer.kind,
            "status": customer.status,
            "currency": customer.currency,
            "credit_limit": plain_minor(customer.credit_limit, customer.currency),
            "company_name": customer.company_name,
            "address": customer.address,
            "country": country_name(customer.country),  # the picker shows names
            "domain_id": str(customer.domain_id or "none"),
        }
        self._draft, self.confirm_discard = {}, False
        self.access = access_rows(customer, domain)
        self._access_before = {a.key: a.choice for a in self.access}
        self._saved = dict(self.form)

    def _fill_cards(self, session, customer) -> None:
        self._cards_before, self.cards = card_choices(session, actor(), customer)

    @guarded(Need.AREA, Area.CUSTOMER)
    def open_customer(self, customer_id: str):
        return self._open(customer_id)

    def _open(self, customer_id: str):
        self.errors, self.tab = {}, "details"
        if customer_id == "new":
            with session_scope() as session:
                blank = svc.customer_blank(session=session)
                self._fill(blank, None)
                self._fill_cards(session, blank)

            self.editing = "new"
            return open_tabs(0)
        cid = parse_id(customer_id)
        if cid is None:
            return rx.toast.error("That customer no longer exists.")
        try:
            with session_scope() as session:
                customer = svc.customer_get(session=session, actor=actor(), customer_id=cid)
                domain = svc.customer_domain(session=session, actor=actor(), customer=customer)
                self._fill(customer, domain)
                self._fill_cards(session, customer)
        except ServiceError:
            return rx.toast.error("That customer no longer exists.")
        self.editing = str(cid)
        return open_tabs(cid)

    @guarded(Need.AREA, Area.CUSTOMER)
    def set_tab(self, tab: str):
        if tab in ("details", "config", "contacts", "balance", "extras"):
            self.tab = tab

    @guarded(Need.AREA, Area.CUSTOMER)
    def set_access(self, key: str, choice: str):
        """Portal Access: Show, Hide or the domain's choice for one section."""
        if key in SECTIONS and choice in ("inherit", "show", "hide"):
            self.access = [
                dataclasses.replace(a, choice=choice) if a.key == key else a for a in self.access
            ]

    @guarded(Need.AREA, Area.CUSTOMER)
    def toggle_card(self, card_id: int, checked: bool):
        """Config › Routes: assign or unassign a rate card (saved with the customer)."""
        self.cards = [
            dataclasses.replace(c, checked=checked) if c.id == card_id else c for c in self.cards
        ]

    @guarded(Need.AREA, Area.CUSTOMER)
    def close_customer(self):
        """Close the dialog now (also after "Discard changes")."""
        self.editing, self.errors, self.confirm_discard, self._draft = "", {}, False, {}

    @guarded(Need.AREA, Area.CUSTOMER)
    def note_field(self, key: str, value: str):
        """A field of the dialog's form has this value now (reported on blur or change)."""
        if self.editing and key in self.form:
            self._draft[key] = str(value)[:300]

    @guarded(Need.AREA, Area.CUSTOMER)
    def request_close(self):
        """Close, or ask first when something typed or chosen would be lost."""
        if not self.editing:
            return
        now = self.form | self._draft  # after a refused save, the form holds what was typed
        typed = any(self._saved.get(k, "") != v for k, v in now.items())
        access = {a.key: a.choice for a in self.access} != self._access_before
        cards = sorted(c.id for c in self.cards if c.checked) != self._cards_before
        if typed or access or cards:
            self.confirm_discard = True
        else:
            self.editing, self.errors = "", {}

    @guarded(Need.AREA, Area.CUSTOMER)
    def keep_editing(self):
        self.confirm_discard = False

    @guarded(Need.AREA, Area.CUSTOMER)
    def save(self, form_data: dict):
        if not self.editing:
            return
        data = {k: str(form_data.get(k, ""))[:300] for k in svc.FIELDS if k != "portal_access"}
        data["portal_access"] = {a.key: a.choice for a in self.access}
        try:
            with session_scope() as session:
                if self.editing == "new":
                    customer = svc.customer_create(session=session, actor=actor(), data=data)
                else:
                    customer = svc.customer_update(
                        session=session, actor=actor(), customer_id=int(self.editing), data=data
                    )
                session.flush()
                saved_id = customer.id
                chosen = sorted(c.id for c in self.cards if c.checked)
                if chosen != self._cards_before:
                    customer_cards_set(
                        session=session, actor=actor(), customer_id=customer.id, card_ids=chosen
                    )
        except ValidationError as exc:
            self.errors = exc.fields
            self.form = {k: str(v) for k, v in data.items() if k != "portal_access"}
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._fetch()
        if self.editing == "new":
            # The new customer's dialog stays open: its contacts can be added at once.
            opened = self._open(str(saved_id))
            toast = rx.toast.success(
                "Customer added. Add its contacts on the Contacts tab.", id="customer-save"
            )
            return [*opened, toast] if isinstance(opened, list) else opened
        self.editing, self.errors = "", {}
        return rx.toast.success("Customer saved.", id="customer-save")

    @rx.var
    def page_label(self) -> str:
        return page_label(self.page, self.total, PAGE_SIZE, "No customers match")

    @rx.var
    def has_next(self) -> bool:
        return has_next(self.page, self.total, PAGE_SIZE)

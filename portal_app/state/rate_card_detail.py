"""One rate card opened from Management › Rate Cards: its rates page by page, a rate's
edit form, and renaming or deleting the card (services/rate_cards.py)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services import dates
from portal_app.services import rate_cards as svc
from portal_app.services.db import session_scope
from portal_app.services.errors import ServiceError, ValidationError
from portal_app.services.identity import Area
from portal_app.services.money import format_micros

from .base import AppState
from .guard import Need, actor, guarded
from .paging import has_next, page_label, step_page

PAGE_SIZE = 25


@dataclasses.dataclass
class RateRow:
    id: int
    prefix: str
    destination: str
    rate: str
    connection_fee: str
    increments: str
    effective_from: str


class RateCardDetailState(AppState):
    card_id: int = 0
    name: str = ""
    currency: str = ""
    date_format: str = dates.DEFAULT_FORMAT  # the account's: "In force from" uses it
    customers: int = 0  # customers with this card among their routes
    rows: list[RateRow] = []
    total: int = 0
    page: int = 0
    search: str = ""
    editing: str = ""  # "", "new" or a rate's id
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    confirm: str = ""  # "", "card" or a rate's id: what Delete asks about
    renaming: bool = False

    def _fetch(self) -> None:
        with session_scope() as session:
            result = svc.card_rates(
                session=session,
                actor=actor(),
                card_id=self.card_id,
                search=self.search,
                offset=self.page * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
            card = result.card
            self.name, self.currency = card.name, card.currency
            fmt = dates.formatter(session=session)
            self.date_format = fmt.format

        self.total, self.customers = result.total, result.customers
        self.rows = [
            RateRow(
                id=r.id,
                prefix=r.prefix,
                destination=r.destination,
                rate=format_micros(r.rate, card.currency),
                connection_fee=format_micros(r.connection_fee, card.currency),
                increments=f"{r.increment_first}/{r.increment_next}",
                effective_from=fmt.date(r.effective_from),
            )
            for r in result.rows
        ]

    def _reset(self) -> None:
        self.editing, self.errors, self.confirm, self.renaming = "", {}, "", False

    @guarded(Need.AREA, Area.CARD)
    def open_card(self, card_id: int):
        self.card_id, self.page, self.search = card_id, 0, ""
        self._reset()
        try:
            self._fetch()
        except ServiceError as exc:
            self.card_id = 0
            return rx.toast.error(exc.message)

    @guarded(Need.AREA, Area.CARD)
    def close_card(self):
        self.card_id, self.rows = 0, []
        self._reset()

    @guarded(Need.AREA, Area.CARD)
    def apply_search(self, form_data: dict):
        self.search, self.page = str(form_data.get("rate_search") or "")[:80], 0
        self._fetch()

    @guarded(Need.AREA, Area.CARD)
    def go_page(self, delta: int):
        self.page = step_page(self.page, self.total, PAGE_SIZE, delta)
        self._fetch()

    @guarded(Need.AREA, Area.CARD)
    def edit_rate(self, entry_id: int):
        """0 opens an empty form for a new rate."""
        self.errors, self.confirm = {}, ""
        if entry_id == 0:
            with session_scope() as session:
                self.form, self.editing = svc.rate_form(None, session=session), "new"
            return
        try:
            with session_scope() as session:
                entry = svc.rate_get(
                    session=session, actor=actor(), card_id=self.card_id, entry_id=entry_id
                )
                self.form = svc.rate_form(entry, session=session)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.editing = str(entry_id)

    @guarded(Need.AREA, Area.CARD)
    def cancel_edit(self):
        self.editing, self.errors = "", {}

    @guarded(Need.AREA, Area.CARD)
    def save_rate(self, form_data: dict):
        if not self.editing or not self.card_id:
            return
        data = {k: str(form_data.get(k) or "")[:100] for k in svc.RATE_FIELDS}
        entry_id = None if self.editing == "new" else int(self.editing)
        try:
            with session_scope() as session:
                svc.rate_save(
                    session=session,
                    actor=actor(),
                    card_id=self.card_id,
                    entry_id=entry_id,
                    data=data,
                )
        except ValidationError as exc:
            self.errors, self.form = exc.fields, data
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message, id="rate-save")
        self.editing, self.errors = "", {}
        self._fetch()
        return rx.toast.success(
            "Rate added." if entry_id is None else "Rate saved.", id="rate-save"
        )

    @guarded(Need.AREA, Area.CARD)
    def ask_delete(self, what: str):
        """``"card"`` or a rate's id: the confirmation shows what goes."""
        self.confirm = what if what == "card" or what.isdigit() else ""

    @guarded(Need.AREA, Area.CARD)
    def cancel_delete(self):
        self.confirm = ""

    @guarded(Need.AREA, Area.CARD)
    def delete_now(self):
        from .rate_cards import RateCardsState

        what, self.confirm = self.confirm, ""
        try:
            with session_scope() as session:
                if what == "card":
                    svc.card_delete(session=session, actor=actor(), card_id=self.card_id)
                elif what:
                    svc.rate_delete(
                        session=session, actor=actor(), card_id=self.card_id, entry_id=int(what)
                    )
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        if what == "card":
            name, self.card_id, self.rows = self.name, 0, []
            self._reset()
            return [RateCardsState.load, rx.toast.success(f"Rate card {name} deleted.")]
        self._fetch()
        return [RateCardsState.load, rx.toast.success("Rate deleted.")]

    @guarded(Need.AREA, Area.CARD)
    def start_rename(self):
        self.renaming, self.errors = True, {}

    @guarded(Need.AREA, Area.CARD)
    def rename(self, form_data: dict):
        from .rate_cards import RateCardsState

        try:
            with session_scope() as session:
                svc.card_rename(
                    session=session,
                    actor=actor(),
                    card_id=self.card_id,
                    name=str(form_data.get("card_rename") or "")[:200],
                )
        except ValidationError as exc:
            # The dialog's field is card_rename (card_name is the page's create form).
            self.errors = {
                "card_rename" if k == "card_name" else k: v for k, v in exc.fields.items()
            }
            return
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self.renaming, self.errors = False, {}
        self._fetch()
        return [RateCardsState.load, rx.toast.success("Rate card renamed.")]

    @rx.var
    def page_label(self) -> str:
        return page_label(self.page, self.total, PAGE_SIZE, "No rates")

    @rx.var
    def has_next(self) -> bool:
        return has_next(self.page, self.total, PAGE_SIZE)

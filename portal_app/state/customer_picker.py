"""The customer picker of the control panel's reports: matches as the operator types.

Only the few matches of the current text are in the state (services/customer_search.py
caps them), never the customer list. The concrete state guards the handlers and says
which report areas the search is for.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from portal_app.services.customer_search import CustomerPick, customer_search
from portal_app.services.db import session_scope
from portal_app.services.identity import Actor, Area


@dataclasses.dataclass
class PickRow:
    """One match as the browser gets it: the id to pick and what the button says."""

    id: int
    label: str  # "Bluebird Call Centre · USD", carriers marked


def label_of(c: CustomerPick) -> str:
    kind = " (carrier)" if c.kind == "carrier" else ""
    return f"{c.name}{kind} · {c.currency}"


class CustomerPickerMixin(rx.State, mixin=True):
    pick_text: str = ""
    pick_rows: list[PickRow] = []
    pick_note: str = ""  # "No customer matches …" when a text found nothing

    def _find(self, who: Actor, text: str, areas: tuple[Area, ...]) -> None:
        self.pick_text = str(text)[:80]
        with session_scope() as session:
            found = customer_search(session=session, actor=who, text=self.pick_text, areas=areas)
        self.pick_rows = [PickRow(id=c.id, label=label_of(c)) for c in found]
        shown = self.pick_text.strip()
        self.pick_note = f"No customer matches “{shown}”." if shown and not found else ""

    def _picked(self) -> None:
        self.pick_text, self.pick_rows, self.pick_note = "", [], ""

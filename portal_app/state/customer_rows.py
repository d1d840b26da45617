"""What the Customers page shows of each row, card and access choice (plain data)."""

from __future__ import annotations

import dataclasses

from portal_app.services.identity import Actor
from portal_app.services.rates import card_list, customer_cards


@dataclasses.dataclass
class CustomerRow:
    id: int
    name: str
    kind: str
    status: str
    domain: str
    currency: str
    credit_limit: str


@dataclasses.dataclass
class CardChoice:
    id: int
    label: str
    checked: bool


@dataclasses.dataclass
class AccessRow:
    key: str
    label: str
    choice: str  # inherit, show, hide
    effective: bool


def card_choices(session, who: Actor, customer) -> tuple[list[int], list[CardChoice]]:
    """Config › Routes: the cards assigned now, and every card the customer can have
    (its currency's, plus any assigned in another)."""
    chosen = (
        set(customer_cards(session=session, actor=who, customer_id=customer.id))
        if customer.id
        else set()
    )
    cards = [
        CardChoice(id=c.id, label=f"{c.name} ({c.currency}, {n:,} rates)", checked=c.id in chosen)
        for c, n in card_list(session=session, actor=who)
        if c.currency == customer.currency or c.id in chosen
    ]
    return sorted(chosen), cards

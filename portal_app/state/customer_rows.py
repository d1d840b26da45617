"""What the Customers page shows of each row, card and access choice (plain data)."""

from __future__ import annotations

import dataclasses

from portal_app.services.customers import effective_access
from portal_app.services.identity import Actor
from portal_app.services.money import format_minor
from portal_app.services.portal_sections import SECTIONS
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


def customer_row(c) -> CustomerRow:
    """One row of the list, from a row of services/customer_list.py."""
    return CustomerRow(
        id=c.id,
        name=c.name,
        kind=c.kind,
        status=c.status,
        domain=c.host or "—",
        currency=c.currency,
        credit_limit=format_minor(c.credit_limit, c.currency),
    )


def access_rows(customer, domain) -> list[AccessRow]:
    """Config › Portal Access: the customer's choice for each section and whether its
    contacts see it (the domain's choice where the customer keeps it)."""
    shown = set(effective_access(customer, domain))
    return [
        AccessRow(
            key=k,
            label=label,
            choice=(customer.portal_access or {}).get(k, "inherit"),
            effective=k in shown,
        )
        for k, label in SECTIONS.items()
    ]


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

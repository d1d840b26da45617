"""Call records (CDRs) and rate cards: what carriers' customers log in to read.

Rates and call costs are sub-cent amounts, so they are integers in micro-units of the
currency (1 USD = 1,000,000): exact, and 64-bit for volume. The ledger stays in minor
units; rating writes to it in whole minor units.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow

MICROS = 1_000_000


def _money() -> sa.Column:
    return sa.Column(sa.BigInteger, nullable=False, default=0)


class Cdr(SQLModel, table=True):
    """One call. Read per customer and time range, newest first (see the index)."""

    __tablename__ = "cdr"
    __table_args__ = (
        sa.Index("ix_cdr_customer_start", "customer_id", "call_start", "id"),
        sa.Index("ix_cdr_start", "call_start"),
        # A carrier's terminated calls (Carrier Portal): by route, then time (0024).
        sa.Index("ix_cdr_route_start", "route", "call_start", "id"),
    )

    id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    )
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    call_start: datetime = Field(sa_column=ts_column())
    direction: str = Field(default="outbound", max_length=8)
    cli: str = Field(default="", max_length=32)
    dialled: str = Field(max_length=32)
    destination: str = Field(default="", max_length=80)
    prefix: str = Field(default="", max_length=16)
    duration: int = 0  # seconds of conversation
    billed_duration: int = 0  # seconds charged, after billing increments
    rate: int = Field(default=0, sa_column=_money())  # micro-units per minute
    cost: int = Field(default=0, sa_column=_money())  # micro-units
    currency: str = Field(default="USD", max_length=3)
    status: str = Field(default="answered", max_length=16)
    release_reason: str = Field(default="", max_length=64)
    pdd_ms: int = 0  # post-dial delay
    # The carrier / route the call left on: the operator's business, never a customer's.
    route: str = Field(default="", max_length=64)
    sip_call_id: str = Field(max_length=128, sa_column_kwargs={"unique": True})


class RateCard(SQLModel, table=True):
    __tablename__ = "rate_card"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    currency: str = Field(default="USD", max_length=3)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class RateEntry(SQLModel, table=True):
    """One destination's price on a card, from a date on."""

    __tablename__ = "rate_entry"
    __table_args__ = (
        sa.UniqueConstraint("card_id", "prefix", "effective_from", name="uq_rate_entry"),
        sa.Index("ix_rate_entry_card_prefix", "card_id", "prefix"),
    )

    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(foreign_key="rate_card.id", ondelete="CASCADE")
    prefix: str = Field(max_length=16)
    destination: str = Field(max_length=80)
    rate: int = Field(sa_column=_money())  # micro-units per minute
    connection_fee: int = Field(default=0, sa_column=_money())  # micro-units per call
    increment_first: int = 1  # seconds billed first (e.g. 60 in 60/60)
    increment_next: int = 1  # then in steps of (e.g. 1 in 60/1)
    effective_from: datetime = Field(sa_column=ts_column())


class CustomerRateCard(SQLModel, table=True):
    """A customer's routes: the rate cards it is assigned."""

    __tablename__ = "customer_rate_card"

    customer_id: int = Field(foreign_key="customer.id", primary_key=True, ondelete="CASCADE")
    card_id: int = Field(foreign_key="rate_card.id", primary_key=True, ondelete="CASCADE")
    assigned_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())

"""Automatic top-up: "when my available balance falls below X, add Y" with a saved card.

One row per customer. The card itself stays at Stripe: we keep only Stripe's customer
and payment method ids (``cus_…``, ``pm_…``) and a label to show ("visa •••• 4242").
``state`` is what makes a top-up run at most once at a time per customer: a charge
moves it from ``idle`` to ``due`` with one conditional UPDATE, and a worker moves it
from ``due`` (or ``retry`` once ``next_try_at`` has passed) to ``running`` the same way,
so whichever transaction changes the row wins and every other one changes nothing.
The attempt's idempotency key (unique on ``payment_attempt``) names the run and the
try, so even two workers that both believe they won cannot open two payments.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow

MAX_FAILURES = 3  # then the top-up turns itself off until the contact turns it on again


class TopupState(enum.StrEnum):
    IDLE = "idle"  # nothing to do until a charge takes the balance below the threshold
    DUE = "due"  # a charge crossed the threshold: a worker will pay
    RUNNING = "running"  # a worker is asking Stripe now
    RETRY = "retry"  # the last try failed: try again at next_try_at


class AutoTopup(SQLModel, table=True):
    __tablename__ = "auto_topup"
    __table_args__ = (sa.Index("ix_auto_topup_due", "state", "next_try_at"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE", unique=True)
    gateway_id: int | None = Field(
        default=None, foreign_key="payment_gateway.id", ondelete="SET NULL"
    )
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    stripe_customer: str = Field(default="", max_length=120)  # cus_…
    payment_method: str = Field(default="", max_length=120)  # pm_…, "" until a card is saved
    card_label: str = Field(default="", max_length=80)
    setup_ref: str = Field(default="", max_length=120)  # the SetupIntent being confirmed
    currency: str = Field(max_length=3)
    threshold: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))
    amount: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))
    enabled: bool = False
    state: str = Field(default=TopupState.IDLE.value, max_length=8)
    run: int = 0  # counts top-ups started; with the try number, the idempotency key
    failures: int = 0
    next_try_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    last_attempt_id: int | None = Field(
        default=None, foreign_key="payment_attempt.id", ondelete="SET NULL"
    )
    last_try_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    last_message: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())

"""Payment gateways (My Account › API), payment attempts and the credits they made.

A gateway's amounts (minimum, maximum, fixed surcharge, presets) are micro-units (a
millionth of a currency unit, see services/money.py): one gateway may accept several
currencies, and each amount applies in each of them. A payment attempt is written
before the customer meets the provider; the ledger is credited only from the
provider's verified word, and ``payment_credit`` holds at most one row per provider
payment and kind: that UNIQUE constraint, not a check in Python, is what makes a
duplicate, concurrent or replayed event credit nothing.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class Provider(enum.StrEnum):
    STRIPE = "stripe"
    PAYPAL = "paypal"


class GatewayMode(enum.StrEnum):
    TEST = "test"  # PayPal calls it "sandbox"
    LIVE = "live"


class AttemptStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    REFUNDED = "refunded"


class PaymentGateway(SQLModel, table=True):
    __tablename__ = "payment_gateway"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    provider: str = Field(max_length=16)
    mode: str = Field(default=GatewayMode.TEST.value, max_length=8)
    # Stripe: the publishable key (pk_…). PayPal: the REST app's client id.
    public_key: str = Field(default="", max_length=255)
    # Stripe: the secret key (sk_… / rk_…). PayPal: the REST app's secret. Encrypted.
    secret_key_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    # Stripe: the webhook signing secret (whsec_…). PayPal: the webhook id. Encrypted.
    webhook_secret_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    account_email: str = Field(default="", max_length=254)  # PayPal's receiving account
    currencies: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    min_micros: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger))
    max_micros: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger))
    surcharge_bp: int = 0  # percent in hundredths: 290 is 2.90 %
    surcharge_fixed_micros: int = Field(
        default=0, sa_column=sa.Column(sa.BigInteger, nullable=False)
    )
    presets_micros: list[int] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    enabled: bool = True
    checked_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    check_ok: bool | None = None
    check_message: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class PaymentAttempt(SQLModel, table=True):
    """One try to pay: created before the provider is involved, settled once."""

    __tablename__ = "payment_attempt"
    __table_args__ = (
        sa.UniqueConstraint("provider", "provider_ref", name="uq_payment_attempt_ref"),
        sa.Index("ix_payment_attempt_customer", "customer_id", "created_at"),
        sa.Index("ix_payment_attempt_status", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="RESTRICT")
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    gateway_id: int | None = Field(
        default=None, foreign_key="payment_gateway.id", ondelete="SET NULL"
    )
    gateway_name: str = Field(max_length=120)  # kept when the gateway is deleted
    provider: str = Field(max_length=16)
    amount: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))  # credited
    surcharge: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))
    currency: str = Field(max_length=3)
    status: str = Field(default=AttemptStatus.PENDING.value, max_length=16)
    provider_ref: str | None = Field(default=None, max_length=120)  # pi_… / order id
    idempotency_key: str = Field(max_length=64, unique=True)
    # Why the provider's word was refused or the payment failed, for the operator.
    problem: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    settled_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class CreditKind(enum.StrEnum):
    CREDIT = "credit"
    REFUND = "refund"


class PaymentCredit(SQLModel, table=True):
    """The ledger entry a provider payment made: at most one credit and one refund each."""

    __tablename__ = "payment_credit"
    __table_args__ = (
        sa.UniqueConstraint(
            "provider", "provider_payment_id", "kind", name="uq_payment_credit_once"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=16)
    provider_payment_id: str = Field(max_length=120)
    kind: str = Field(default=CreditKind.CREDIT.value, max_length=8)
    attempt_id: int = Field(foreign_key="payment_attempt.id", ondelete="RESTRICT", index=True)
    ledger_entry_id: int = Field(foreign_key="ledger_entry.id", ondelete="RESTRICT", unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class PaymentEvent(SQLModel, table=True):
    """What a provider told us and what we did with it: the operator reads why an
    event was refused (bad signature, unknown payment, amount mismatch)."""

    __tablename__ = "payment_event"

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=16)
    event_id: str = Field(default="", max_length=120)
    event_type: str = Field(default="", max_length=80)
    attempt_id: int | None = Field(
        default=None, foreign_key="payment_attempt.id", ondelete="SET NULL", index=True
    )
    outcome: str = Field(max_length=16)  # credited, duplicate, ignored, refused
    message: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(index=True))

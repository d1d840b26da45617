"""Customers and carriers: the operator's accounts, each on one portal domain."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class CustomerType(enum.StrEnum):
    CUSTOMER = "customer"
    CARRIER = "carrier"


class CustomerStatus(enum.StrEnum):
    ACTIVE = "active"
    PENDING = "pending"  # pending approval (self sign-up)
    SUSPENDED = "suspended"
    REJECTED = "rejected"


class Customer(SQLModel, table=True):
    __tablename__ = "customer"
    # The Customers list filters on one of these and sorts by name (or newest first),
    # one page at a time: each index serves both the filter and the order, so a page
    # of 100,000 customers reads 25 index entries (bench/bench_customers.py).
    __table_args__ = (
        sa.Index("ix_customer_kind_name", "kind", "name", "id"),
        sa.Index("ix_customer_status_name", "status", "name", "id"),
        sa.Index("ix_customer_domain_name", "domain_id", "name", "id"),
        # One domain's carriers (or customers): its count and its first page (0021).
        sa.Index("ix_customer_domain_kind_name", "domain_id", "kind", "name", "id"),
        sa.Index("ix_customer_created", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)
    kind: str = Field(default=CustomerType.CUSTOMER.value, max_length=16)
    status: str = Field(default=CustomerStatus.ACTIVE.value, max_length=16)
    currency: str = Field(default="USD", max_length=3)
    credit_limit: int = Field(  # minor units of ``currency`` (64-bit: money)
        default=0, sa_column=sa.Column(sa.BigInteger, nullable=False)
    )
    company_name: str = Field(default="", max_length=120)
    address: str = Field(default="", max_length=300)
    country: str = Field(default="", max_length=2)
    # Edit > Config > Domain: many customers per domain, one domain per customer.
    domain_id: int | None = Field(default=None, foreign_key="portal_domain.id", ondelete="SET NULL")
    # Edit > Config > Portal Access: {section: "show" | "hide"}; absent = the domain's choice.
    portal_access: dict[str, str] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON))
    phone: str = Field(default="", max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    # Self sign-up: when the operator decided, who, and why a rejection.
    decided_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    decided_by: str = Field(default="", max_length=254)
    reject_reason: str = Field(default="", max_length=500)


class LedgerKind(enum.StrEnum):
    PAYMENT = "payment"  # money received (manual, or a gateway later)
    CREDIT = "credit"  # credit given by the operator
    CHARGE = "charge"  # usage or fees
    CORRECTION = "correction"  # reverses or adjusts an earlier entry


class LedgerEntry(SQLModel, table=True):
    """One change of a customer's balance. Rows are only ever added: the balance is the
    sum of ``amount``; a mistake is corrected by a new entry, never by an edit."""

    __tablename__ = "ledger_entry"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="RESTRICT")
    amount: int = Field(  # minor units, positive adds to the balance (64-bit)
        sa_column=sa.Column(sa.BigInteger, nullable=False)
    )
    currency: str = Field(max_length=3)
    kind: str = Field(max_length=16)
    reference: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=500)
    actor_label: str = Field(max_length=254)
    corrects_id: int | None = Field(default=None, foreign_key="ledger_entry.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(index=True))

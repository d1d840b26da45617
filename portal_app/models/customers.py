"""Customers and carriers: the operator's accounts, each on one portal domain."""

from __future__ import annotations

import enum
from datetime import datetime

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

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)
    kind: str = Field(default=CustomerType.CUSTOMER.value, max_length=16, index=True)
    status: str = Field(default=CustomerStatus.ACTIVE.value, max_length=16, index=True)
    currency: str = Field(default="USD", max_length=3)
    credit_limit: int = 0  # minor units of ``currency``
    company_name: str = Field(default="", max_length=120)
    address: str = Field(default="", max_length=300)
    country: str = Field(default="", max_length=2)
    # Edit > Config > Domain: many customers per domain, one domain per customer.
    domain_id: int | None = Field(
        default=None, foreign_key="portal_domain.id", index=True, ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())

"""A customer's alerts, packages and contracts: what a Template Customer also carries
over to approved sign-ups (spec: Template Customer › Alerts, Packages, Contracts)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class CustomerAlert(SQLModel, table=True):
    """Warn the recipients when the available balance falls below the threshold."""

    __tablename__ = "customer_alert"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="low_balance", max_length=32)
    threshold: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))  # minor units
    recipients: str = Field(max_length=1000)  # comma-separated emails
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class Package(SQLModel, table=True):
    """A bundle offered to customers: a monthly fee with included minutes."""

    __tablename__ = "package"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    currency: str = Field(default="USD", max_length=3)
    monthly_fee: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))  # minor units
    included_minutes: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class CustomerPackage(SQLModel, table=True):
    __tablename__ = "customer_package"

    customer_id: int = Field(foreign_key="customer.id", primary_key=True, ondelete="CASCADE")
    package_id: int = Field(foreign_key="package.id", primary_key=True, ondelete="CASCADE")
    since: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class Contract(SQLModel, table=True):
    """An agreement with the customer: its name, term and notes."""

    __tablename__ = "contract"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    months: int = 12  # term, from the day it is added
    notice_days: int = 30
    notes: str = Field(default="", max_length=1000)
    starts_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())

"""The package catalogue and the packages each customer has (spec 004: Packages;
Template Customer › Packages)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


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

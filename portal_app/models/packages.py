"""The package catalogue and the packages each customer has (spec 004: Packages;
Template Customer › Packages)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class PackageService(enum.StrEnum):
    """What a package lets its customers use in the portal (spec 004: "lookup services")."""

    NONE = "none"
    NUMBER_LOOKUP = "number_lookup"


class Frequency(enum.StrEnum):
    """How often the retail price is due."""

    ONE_OFF = "one_off"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


class Package(SQLModel, table=True):
    """A bundle offered to customers: a retail price due every ``frequency``, with
    included minutes and, when ``service`` is set and the package is enabled, a lookup
    service in the portal."""

    __tablename__ = "package"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    currency: str = Field(default="USD", max_length=3)
    retail: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))  # minor units
    frequency: str = Field(default=Frequency.MONTHLY.value, max_length=16)
    auto_decrement: bool = False  # the price is taken from the customer's balance
    included_minutes: int = 0
    service: str = Field(default=PackageService.NONE.value, max_length=32)
    enabled: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class CustomerPackage(SQLModel, table=True):
    __tablename__ = "customer_package"

    customer_id: int = Field(foreign_key="customer.id", primary_key=True, ondelete="CASCADE")
    package_id: int = Field(foreign_key="package.id", primary_key=True, ondelete="CASCADE")
    since: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class LookupUsage(SQLModel, table=True):
    """How many lookups of a service a customer made on a day (UTC)."""

    __tablename__ = "lookup_usage"

    customer_id: int = Field(foreign_key="customer.id", primary_key=True, ondelete="CASCADE")
    day: date = Field(primary_key=True)
    service: str = Field(primary_key=True, max_length=32)
    lookups: int = 0

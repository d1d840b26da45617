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


class PackageCharge(SQLModel, table=True):
    """One period of an auto-decrement package charged to a customer: the UNIQUE
    constraint is what makes a period be charged once, whatever runs at the same time.
    Without a ledger entry: the period that was current when the charging was installed
    (migration 0025), recorded as settled so an upgrade never charges a backlog."""

    __tablename__ = "package_charge"
    __table_args__ = (
        sa.UniqueConstraint(
            "customer_id", "package_id", "period_start", name="uq_package_charge_once"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    package_id: int = Field(foreign_key="package.id", ondelete="CASCADE", index=True)
    period_start: datetime = Field(sa_column=ts_column())
    ledger_entry_id: int | None = Field(
        default=None, foreign_key="ledger_entry.id", ondelete="CASCADE", unique=True
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class LookupUsage(SQLModel, table=True):
    """How many lookups of a service a customer made on a day (UTC)."""

    __tablename__ = "lookup_usage"

    customer_id: int = Field(foreign_key="customer.id", primary_key=True, ondelete="CASCADE")
    day: date = Field(primary_key=True)
    service: str = Field(primary_key=True, max_length=32)
    lookups: int = 0

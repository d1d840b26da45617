"""Call rollups: CDR sums per quarter hour and per UTC day, kept in step with the CDRs.

Every real UTC offset is a whole number of quarter hours (India +5:30, Nepal +5:45,
Chatham +12:45), so a local day or month in any zone is an exact run of quarter-hour
buckets: charts in the viewer's zone add buckets and never read the calls. Rankings
over many customers read the coarser UTC-day rows. ``services/call_rollups.py`` writes
all three in the same transaction as the CDRs they sum; nothing else writes them.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column


class _Sums(SQLModel):
    calls: int = 0
    answered: int = 0
    seconds: int = 0  # of conversation
    billed_seconds: int = 0
    cost: int = Field(default=0, sa_type=sa.BigInteger)  # micro-units of the row's currency


class CallRollup(_Sums, table=True):
    """One customer's calls that started in one UTC quarter hour, per currency."""

    __tablename__ = "call_rollup"

    customer_id: int = Field(foreign_key="customer.id", ondelete="CASCADE")
    bucket_start: datetime = Field(sa_column=ts_column())
    currency: str = Field(max_length=3)

    # By time across customers: a refresh after an import chunk reads its window.
    __table_args__ = (
        sa.PrimaryKeyConstraint("customer_id", "bucket_start", "currency"),
        sa.Index("ix_call_rollup_bucket", "bucket_start"),
    )


class CallRollupDay(_Sums, table=True):
    """One customer's calls of one UTC day, per currency: for rankings of customers."""

    __tablename__ = "call_rollup_day"
    __table_args__ = (sa.Index("ix_call_rollup_day_day", "day"),)

    customer_id: int = Field(foreign_key="customer.id", primary_key=True, ondelete="CASCADE")
    day: date = Field(primary_key=True)
    currency: str = Field(max_length=3, primary_key=True)


class AccountRollup(_Sums, table=True):
    """Every customer of one kind (customer or carrier): calls per quarter hour and
    currency, for My Account › Usage (sums over kinds are sums of these rows)."""

    __tablename__ = "account_rollup"

    kind: str = Field(max_length=16)
    bucket_start: datetime = Field(sa_column=ts_column())
    currency: str = Field(max_length=3)

    __table_args__ = (sa.PrimaryKeyConstraint("kind", "bucket_start", "currency"),)


class CallPeak(SQLModel, table=True):
    """The most calls in progress at once during one quarter hour, over the whole account
    (``scope`` "all") or its customers without the carriers (``scope`` "customer").
    Peaks do not add up, so each scope is its own row; a quarter with no call in
    progress has none."""

    __tablename__ = "call_peak"

    scope: str = Field(max_length=16)
    bucket_start: datetime = Field(sa_column=ts_column())
    peak: int = 0

    __table_args__ = (sa.PrimaryKeyConstraint("scope", "bucket_start"),)

"""A customer's low-balance alerts (spec: Template Customer › Alerts)."""

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

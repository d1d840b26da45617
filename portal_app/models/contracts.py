"""A customer's contracts (spec: Template Customer › Contracts)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


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

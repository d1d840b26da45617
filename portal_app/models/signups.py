"""Self sign-up on a brand host: the request waits here until its email is confirmed.

Nothing of an unconfirmed sign-up reaches the operator. Confirming creates the customer
(status pending approval) and its first contact; the row stays as the record of it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class Signup(SQLModel, table=True):
    __tablename__ = "signup"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    domain_id: int = Field(foreign_key="portal_domain.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)  # customer or carrier
    company_name: str = Field(max_length=120)
    contact_name: str = Field(max_length=120)
    email: str = Field(max_length=254, index=True)
    password_hash: str = Field(max_length=255)
    phone: str = Field(max_length=20)
    country: str = Field(max_length=2)
    currency: str = Field(max_length=3)
    client_ip: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(index=True))
    expires_at: datetime = Field(sa_column=ts_column())
    confirmed_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    customer_id: int | None = Field(default=None, foreign_key="customer.id", ondelete="SET NULL")

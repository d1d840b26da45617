"""Contacts: a customer's logins to the customer portal, and their password links."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class ContactRole(enum.StrEnum):
    """What a contact may do inside the sections its customer is allowed
    (services/policy.py, ``ROLE_SECTIONS``)."""

    OWNER = "owner"
    BILLING = "billing"
    TECHNICAL = "technical"
    READ_ONLY = "read_only"


class Contact(SQLModel, table=True):
    """A person who logs in to the portal for one customer. The email is the login,
    unique across the whole operator (one login belongs to one customer)."""

    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    # None until a password is set (auto-generated: the contact sets it from the link).
    password_hash: str | None = Field(default=None, max_length=255)
    totp_enabled: bool = False
    totp_secret_enc: str | None = Field(default=None, max_length=512)
    totp_last_step: int = 0
    role: str = Field(default=ContactRole.OWNER.value, max_length=16)
    # "Email me every time I log in" (portal Profile).
    login_alerts: bool = False
    # Public notes are shown in the portal after login; private notes never leave
    # the control panel.
    public_notes: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    private_notes: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    last_login_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class PasswordLink(SQLModel, table=True):
    """A single-use, expiring link to set a contact's password. The email holds the
    token; only its hash is stored. A newer link makes older ones useless."""

    __tablename__ = "password_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=16)  # "welcome" (first password) or "reset"
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    expires_at: datetime = Field(sa_column=ts_column())
    used_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class ContactInvite(SQLModel, table=True):
    """An Owner's invitation of a colleague: a single-use link, valid 7 days, that
    creates the contact with ``role`` when accepted on the customer's brand host. Only
    the token's hash is stored, as for password links."""

    __tablename__ = "contact_invite"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=254)
    role: str = Field(max_length=16)
    invited_by: str = Field(default="", max_length=254)  # the inviting login, for the list
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    expires_at: datetime = Field(sa_column=ts_column())
    used_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    contact_id: int | None = Field(default=None)  # the contact it created

"""Operator users (the carrier's staff), their groups and second factors."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class Role(enum.StrEnum):
    USER = "user"
    ADMIN = "admin"


class Area(enum.StrEnum):
    """The permission areas of spec 004 "Users" > groups."""

    CUSTOMER = "customer"
    CARRIER = "carrier"
    CARD = "card"
    CDR = "cdr"
    LOG = "log"
    REPORT = "report"
    PORTAL = "portal"
    PAYMENT = "payment"
    SETUP = "setup"
    USER = "user"


class Grant(enum.StrEnum):
    """A group's choice for one area. SELECT means no choice: the default applies."""

    SELECT = "select"
    ALLOW = "allow"
    DENY = "deny"


class OperatorGroup(SQLModel, table=True):
    __tablename__ = "operator_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, sa_column_kwargs={"unique": True})
    # {area: grant}; areas missing from the mapping count as SELECT.
    grants: dict[str, str] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class OperatorUser(SQLModel, table=True):
    __tablename__ = "operator_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.USER.value, max_length=16)
    group_id: int | None = Field(default=None, foreign_key="operator_group.id", ondelete="SET NULL")
    enabled: bool = True
    mobile: str = Field(default="", max_length=20)  # E.164, or empty (Personal Information)
    # The TOTP secret is encrypted with a key derived from PORTAL_SECRET_KEY.
    totp_secret_enc: str | None = Field(default=None, max_length=255)
    totp_enabled: bool = False
    # Highest TOTP time-step accepted so far: a code is never accepted twice.
    totp_last_step: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    last_login_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))


class RecoveryCode(SQLModel, table=True):
    """A single-use 2FA recovery code, stored as a keyed hash."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="operator_user.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=128)
    used_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))

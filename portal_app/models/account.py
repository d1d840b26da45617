"""The operator's account configuration (spec 004, My Account > Configuration)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class AccountConfig(SQLModel, table=True):
    """A single row (id 1): company and general information."""

    __tablename__ = "account_config"

    id: int = Field(default=1, primary_key=True)
    company_name: str = Field(default="", max_length=120)
    address_line1: str = Field(default="", max_length=120)
    address_line2: str = Field(default="", max_length=120)
    city: str = Field(default="", max_length=80)
    county_state: str = Field(default="", max_length=80)
    country: str = Field(default="", max_length=2)
    post_code: str = Field(default="", max_length=20)
    currency: str = Field(default="USD", max_length=3)
    date_format: str = Field(default="YYYY-MM-DD", max_length=20)
    phone: str = Field(default="", max_length=32)
    mobile: str = Field(default="", max_length=32)
    login_alerts: bool = False
    # SMTP Details (spec 004): mail for domains without their own SMTP goes through it.
    smtp_email: str = Field(default="", max_length=254)
    smtp_username: str = Field(default="", max_length=255)
    smtp_password_enc: str | None = Field(default=None, max_length=1024)
    smtp_server: str = Field(default="", max_length=255)
    smtp_from: str = Field(default="", max_length=254)
    smtp_from_mobile: str = Field(default="", max_length=20)  # E.164 sender of SMS
    # SMS gateway (an HTTP API): the secret is encrypted like the SMTP password.
    sms_url: str = Field(default="", max_length=500)
    sms_username: str = Field(default="", max_length=255)
    sms_secret_enc: str | None = Field(default=None, max_length=1024)
    # Settings (security): None means the environment's value (portal_app/settings.py).
    session_idle_minutes: int | None = None
    session_days: int | None = None
    require_totp: bool = False
    min_password_length: int = 10
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())

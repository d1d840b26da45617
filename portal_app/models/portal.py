"""Portal domains (brands), their public files, and where each brand's mail goes."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class DomainStatus(enum.StrEnum):
    PENDING = "pending"  # added, never checked or never verified yet
    VERIFIED = "verified"  # the CNAME chain reaches PORTAL_CNAME_TARGET
    MISCONFIGURED = "misconfigured"  # DNS answered, but not with the right CNAME
    UNKNOWN = "unknown"  # DNS did not answer (timeout, SERVFAIL); retried


class PortalDomain(SQLModel, table=True):
    """A brand: the host customers use, its look, its options and its mail."""

    __tablename__ = "portal_domain"

    id: int | None = Field(default=None, primary_key=True)
    host: str = Field(max_length=253, sa_column_kwargs={"unique": True})
    brand_name: str = Field(max_length=120)
    customer_signup: bool = False
    carrier_signup: bool = False
    # The customer whose settings new sign-ups copy.
    # use_alter: customer.domain_id points back here, so one of the pair is added later.
    template_customer_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey(
                "customer.id",
                ondelete="SET NULL",
                use_alter=True,
                name="fk_portal_domain_template_customer",
            ),
            nullable=True,
        ),
    )
    currencies: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    # Credit for new sign-ups, minor units of the first currency (64-bit: money).
    customer_limit: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))
    access: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    # Customers of this brand may save a card and top up automatically (models/autotopup.py).
    auto_topup: bool = False
    # Editable Balance Alert (User Access Area): customers may add, change and remove
    # their own low-balance alerts in the portal's Alerts section, with thresholds from
    # ``alert_min`` to ``alert_max`` whole units of the customer's own currency (never
    # converted), and at most ``alert_max_count`` alerts (services/alert_limits.py).
    alert_editable: bool = False
    alert_min: int = 0
    alert_max: int = 1000
    alert_max_count: int = 3
    breakout_columns: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    cdr_columns: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON))
    custom_js: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    custom_css: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    logo_file_id: int | None = Field(
        default=None, foreign_key="public_file.id", ondelete="SET NULL"
    )
    footer: str = Field(default="", max_length=500)
    # Brand colours, "#rrggbb" or "" for the theme's (services/brand_colours.py).
    accent_color: str = Field(default="", max_length=7)
    header_color: str = Field(default="", max_length=7)
    smtp_server: str = Field(default="", max_length=255)
    smtp_username: str = Field(default="", max_length=255)
    smtp_password_enc: str | None = Field(default=None, max_length=1024)
    smtp_from: str = Field(default="", max_length=254)
    status: str = Field(default=DomainStatus.PENDING.value, max_length=16, index=True)
    status_detail: str = Field(default="", max_length=500)
    last_checked_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    next_check_at: datetime | None = Field(
        default=None, sa_column=ts_column(nullable=True, index=True)
    )
    verified_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    check_failures: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


class PublicFile(SQLModel, table=True):
    """A file under Management > File > Public, served at a stable URL.

    Kept in the database so every worker serves the same files without shared disk.
    """

    __tablename__ = "public_file"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    content_type: str = Field(max_length=100)
    size: int
    width: int | None = None
    height: int | None = None
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())

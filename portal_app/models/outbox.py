"""The outbox: every email the portal sends, written in the transaction that causes it.

A lifespan task sends due messages (services/outbox.py). The row never holds SMTP
settings or secrets: the sender looks up the brand's (or the account's) SMTP when it
sends. Bodies can hold live set-password and confirmation links, so they are stored
encrypted with the portal's secret key, like the other secrets at rest.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for its first attempt (or resent)
    SENDING = "sending"  # claimed by one sender until claim_until
    SENT = "sent"  # the SMTP server took it, or the development mailbox did
    FAILED = "failed"  # the last attempt failed; retried at next_attempt_at
    DEAD = "dead"  # given up after the last attempt; an operator may resend


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    text_enc: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    html_enc: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    # The brand whose SMTP (else the account's) sends it; None: the account's own mail.
    domain_id: int | None = Field(
        default=None, foreign_key="portal_domain.id", index=True, ondelete="SET NULL"
    )
    brand: str = Field(default="", max_length=120)  # shown in the Email Log
    kind: str = Field(max_length=32)
    status: str = Field(default=OutboxStatus.QUEUED.value, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    last_error: str = Field(default="", max_length=500)
    claimed_by: str = Field(default="", max_length=64)
    claim_until: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))
    delivered_to_mailbox: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(index=True))
    sent_at: datetime | None = Field(default=None, sa_column=ts_column(nullable=True))

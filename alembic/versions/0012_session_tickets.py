"""session tickets (HttpOnly session cookies) and a session's last seen time

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal_app.models.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = portal_app.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "session_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_hash", sa.String(length=64), nullable=False),
        sa.Column("token_enc", sa.String(length=512), nullable=False),
        sa.Column("principal", sa.String(length=16), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_hash"),
    )
    op.create_index("ix_session_ticket_expires_at", "session_ticket", ["expires_at"])
    with op.batch_alter_table("auth_session") as batch:
        batch.add_column(sa.Column("last_seen_at", TS, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("auth_session") as batch:
        batch.drop_column("last_seen_at")
    op.drop_index("ix_session_ticket_expires_at", table_name="session_ticket")
    op.drop_table("session_ticket")

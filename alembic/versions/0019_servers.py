"""my servers: the account's SIP switches and media servers, and their probe history

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal_app.models.base

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = portal_app.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "server",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("transport", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=120), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("maintenance", sa.Boolean(), nullable=False),
        sa.Column("last_status", sa.String(length=16), nullable=False),
        sa.Column("last_code", sa.Integer(), nullable=True),
        sa.Column("last_checked_at", TS, nullable=True),
        sa.Column("last_seen_at", TS, nullable=True),
        sa.Column("last_latency_ms", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "server_probe",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("server_id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["server_id"], ["server.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_server_probe_at", "server_probe", ["at"])
    op.create_index("ix_server_probe_server_at", "server_probe", ["server_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_server_probe_server_at", table_name="server_probe")
    op.drop_index("ix_server_probe_at", table_name="server_probe")
    op.drop_table("server_probe")
    op.drop_table("server")

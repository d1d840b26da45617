"""contact roles and invitations, and the read-only "view as this contact" session

Revision ID: 0023
Revises: 0024
Create Date: 2026-12-02 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal_app.models.base

revision: str = "0023"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = portal_app.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Every contact so far could do everything its customer may: it becomes an Owner.
    with op.batch_alter_table("contact") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=16), nullable=False, server_default="owner")
        )
    with op.batch_alter_table("auth_session") as batch:
        batch.add_column(sa.Column("viewer_id", sa.Integer(), nullable=True))
    op.create_table(
        "contact_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("invited_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_contact_invite_customer_id", "contact_invite", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_contact_invite_customer_id", table_name="contact_invite")
    op.drop_table("contact_invite")
    with op.batch_alter_table("auth_session") as batch:
        batch.drop_column("viewer_id")
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("role")

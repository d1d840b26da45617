"""auto top-up: per-customer settings with a saved Stripe card, and the per-domain switch

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import portal_app.models.base

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = portal_app.models.base.UTCDateTime(timezone=True)
S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("portal_domain") as batch:
        batch.add_column(
            sa.Column("auto_topup", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "auto_topup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("gateway_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("stripe_customer", S(length=120), nullable=False),
        sa.Column("payment_method", S(length=120), nullable=False),
        sa.Column("card_label", S(length=80), nullable=False),
        sa.Column("setup_ref", S(length=120), nullable=False),
        sa.Column("currency", S(length=3), nullable=False),
        sa.Column("threshold", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("state", S(length=8), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_try_at", TS, nullable=True),
        sa.Column("last_attempt_id", sa.Integer(), nullable=True),
        sa.Column("last_try_at", TS, nullable=True),
        sa.Column("last_message", S(length=300), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["gateway_id"], ["payment_gateway.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["last_attempt_id"], ["payment_attempt.id"], ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_id"),
    )
    op.create_index("ix_auto_topup_due", "auto_topup", ["state", "next_try_at"])


def downgrade() -> None:
    op.drop_index("ix_auto_topup_due", table_name="auto_topup")
    op.drop_table("auto_topup")
    with op.batch_alter_table("portal_domain") as batch:
        batch.drop_column("auto_topup")

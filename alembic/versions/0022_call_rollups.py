"""call rollups: CDR sums per quarter hour and UTC day, account sums and peaks

Quarter-hour rows per customer (``call_rollup``) answer charts in any zone (every UTC
offset is a multiple of 15 minutes), UTC-day rows (``call_rollup_day``) the rankings
over many customers, per-kind account rows (``account_rollup``) and peaks
(``call_peak``) My Account › Usage. Existing CDRs are summed once here, by the same
code that keeps the rollups in step afterwards (services/call_rollups.py).

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-02 07:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal_app.models.base

revision: str = "0022"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = portal_app.models.base.UTCDateTime(timezone=True)


def _sums() -> list[sa.Column]:
    return [
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("billed_seconds", sa.Integer(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "call_rollup",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("bucket_start", TS, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *_sums(),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_id", "bucket_start", "currency"),
    )
    op.create_index("ix_call_rollup_bucket", "call_rollup", ["bucket_start"])
    op.create_table(
        "call_rollup_day",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *_sums(),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_id", "day", "currency"),
    )
    op.create_index("ix_call_rollup_day_day", "call_rollup_day", ["day"])
    op.create_table(
        "account_rollup",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("bucket_start", TS, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        *_sums(),
        sa.PrimaryKeyConstraint("kind", "bucket_start", "currency"),
    )
    op.create_table(
        "call_peak",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("bucket_start", TS, nullable=False),
        sa.Column("peak", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "bucket_start"),
    )
    from portal_app.services.call_rollups import rollup_rebuild

    rollup_rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("call_peak")
    op.drop_table("account_rollup")
    op.drop_index("ix_call_rollup_day_day", table_name="call_rollup_day")
    op.drop_table("call_rollup_day")
    op.drop_index("ix_call_rollup_bucket", table_name="call_rollup")
    op.drop_table("call_rollup")

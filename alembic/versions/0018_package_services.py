"""package services: a lookup service, enabled flag, retail price and frequency per
package, and the lookups each customer made per day

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STR = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("package") as batch:
        # The fee was always the price of a month: it is the retail price, monthly.
        batch.alter_column("monthly_fee", new_column_name="retail")
        batch.add_column(
            sa.Column("frequency", STR(length=16), nullable=False, server_default="monthly")
        )
        batch.add_column(
            sa.Column("auto_decrement", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("service", STR(length=32), nullable=False, server_default="none")
        )
        batch.add_column(
            sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "lookup_usage",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service", STR(length=32), nullable=False),
        sa.Column("lookups", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_id", "day", "service"),
    )


def downgrade() -> None:
    op.drop_table("lookup_usage")
    with op.batch_alter_table("package") as batch:
        batch.drop_column("enabled")
        batch.drop_column("service")
        batch.drop_column("auto_decrement")
        batch.drop_column("frequency")
        batch.alter_column("retail", new_column_name="monthly_fee")

"""package charges: one row per charged period of an auto-decrement package

``package_charge`` ties each charged period (customer, package, period start) to its
CHARGE ledger entry. Its UNIQUE constraint is what makes a period be charged once when
several workers run the charging at the same time (services/package_billing.py).

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-02 13:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import portal_app.models.base

revision: str = "0025"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = portal_app.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "package_charge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "customer_id",
            sa.Integer(),
            sa.ForeignKey("customer.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "package_id", sa.Integer(), sa.ForeignKey("package.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("period_start", TS, nullable=False),
        sa.Column(
            "ledger_entry_id",
            sa.Integer(),
            sa.ForeignKey("ledger_entry.id", ondelete="CASCADE"),
            nullable=True,  # the upgrade's baseline rows (below) have none
            unique=True,
        ),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint(
            "customer_id", "package_id", "period_start", name="uq_package_charge_once"
        ),
    )
    op.create_index("ix_package_charge_package_id", "package_charge", ["package_id"])
    _baseline()


def _baseline() -> None:
    """Nothing was ever charged before this table: an assignment that exists at the
    upgrade starts with its next period. Its current period is recorded as settled,
    without a ledger entry, so installing the charging never charges a backlog."""
    from portal_app.services.package_periods import due_periods

    assigned = sa.table("customer_package", *_cols("customer_id", "package_id"), _ts("since"))
    package = sa.table("package", *_cols("id", "frequency", "auto_decrement"))
    charge = sa.table(
        "package_charge",
        *_cols("customer_id", "package_id", "ledger_entry_id"),
        _ts("period_start"),
        _ts("created_at"),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            assigned.c.customer_id, assigned.c.package_id, assigned.c.since, package.c.frequency
        )
        .join(package, package.c.id == assigned.c.package_id)
        .where(package.c.auto_decrement == sa.true())
    ).all()
    now = datetime.now(UTC)
    baseline = []
    for customer_id, package_id, since, frequency in rows:
        if starts := due_periods(since, frequency, now):
            baseline.append(
                {"customer_id": customer_id, "package_id": package_id,
                 "period_start": starts[-1], "ledger_entry_id": None, "created_at": now}
            )  # fmt: skip
    if baseline:
        bind.execute(charge.insert(), baseline)


def _cols(*names: str) -> list[sa.ColumnClause]:
    return [sa.column(n) for n in names]


def _ts(name: str) -> sa.ColumnClause:
    return sa.column(name, TS)


def downgrade() -> None:
    op.drop_index("ix_package_charge_package_id", table_name="package_charge")
    op.drop_table("package_charge")

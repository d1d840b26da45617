"""carrier portal: carriers' route names, CDRs by route, editable balance alert limits

A carrier's routes (``carrier_route``) say which CDRs it terminated: ``cdr.route`` is
one of its names. ``ix_cdr_route_start`` answers the Carrier Portal's pages of those
calls by route and time. The portal domain gets the Editable Balance Alert options.

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-02 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal_app.models.base

revision: str = "0024"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = portal_app.models.base.UTCDateTime(timezone=True)

DOMAIN = [
    ("alert_editable", sa.Boolean(), sa.false()),
    ("alert_min", sa.Integer(), sa.text("0")),
    ("alert_max", sa.Integer(), sa.text("1000")),
    ("alert_max_count", sa.Integer(), sa.text("3")),
]


def upgrade() -> None:
    op.create_table(
        "carrier_route",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "customer_id",
            sa.Integer(),
            sa.ForeignKey("customer.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("route", sa.String(length=64), nullable=False, unique=True),
        sa.Column(
            "card_id", sa.Integer(), sa.ForeignKey("rate_card.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_carrier_route_customer_id", "carrier_route", ["customer_id"])
    op.create_index("ix_cdr_route_start", "cdr", ["route", "call_start", "id"])
    with op.batch_alter_table("portal_domain") as batch:
        for name, type_, default in DOMAIN:
            batch.add_column(sa.Column(name, type_, nullable=False, server_default=default))


def downgrade() -> None:
    with op.batch_alter_table("portal_domain") as batch:
        for name, _type, _default in reversed(DOMAIN):
            batch.drop_column(name)
    op.drop_index("ix_cdr_route_start", table_name="cdr")
    op.drop_index("ix_carrier_route_customer_id", table_name="carrier_route")
    op.drop_table("carrier_route")

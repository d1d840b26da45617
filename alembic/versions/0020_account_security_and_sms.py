"""My Account: login alerts for contacts, operator mobile, security settings, SMS gateway

Revision ID: 0020
Revises: 0021
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNT = [
    ("smtp_from_mobile", sa.String(length=20), "''"),
    ("sms_url", sa.String(length=500), "''"),
    ("sms_username", sa.String(length=255), "''"),
    ("require_totp", sa.Boolean(), sa.false()),
    ("min_password_length", sa.Integer(), "10"),
]


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.add_column(
            sa.Column("login_alerts", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("operator_user") as batch:
        batch.add_column(
            sa.Column("mobile", sa.String(length=20), nullable=False, server_default="")
        )
    with op.batch_alter_table("account_config") as batch:
        for name, type_, default in ACCOUNT:
            batch.add_column(
                sa.Column(
                    name,
                    type_,
                    nullable=False,
                    server_default=sa.text(default) if isinstance(default, str) else default,
                )
            )
        batch.add_column(sa.Column("sms_secret_enc", sa.String(length=1024), nullable=True))
        batch.add_column(sa.Column("session_idle_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("session_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("account_config") as batch:
        for name in ("session_days", "session_idle_minutes", "sms_secret_enc"):
            batch.drop_column(name)
        for name, _type, _default in reversed(ACCOUNT):
            batch.drop_column(name)
    with op.batch_alter_table("operator_user") as batch:
        batch.drop_column("mobile")
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("login_alerts")

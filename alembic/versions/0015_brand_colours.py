"""brand colours: a portal domain's accent and header colour

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("portal_domain") as batch:
        for name in ("accent_color", "header_color"):
            batch.add_column(
                sa.Column(
                    name,
                    sqlmodel.sql.sqltypes.AutoString(length=7),
                    nullable=False,
                    server_default="",
                )
            )


def downgrade() -> None:
    with op.batch_alter_table("portal_domain") as batch:
        batch.drop_column("header_color")
        batch.drop_column("accent_color")

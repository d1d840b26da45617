"""CSV imports on their way in: a batch row per import and a staging table per target.

An import writes its rows into a staging table first, tagged with its batch, and moves
them into ``cdr`` or ``rate_entry`` only when the whole file is known good (see
services/import_batches.py). Readers never look at staging, so a half-checked file is
invisible, and a crash leaves rows there, never a partial import in the real table.

The staging tables copy their target's columns (built from the target table, so they
cannot drift apart) without its unique constraints: duplicates must be found and
reported with line numbers, not refused by the database on the first one. Their one
index is the publishing order: rows move into the target sorted by the columns its
indexes start with. Committed a chunk at a time, rows in file order would each touch
random pages of the target's big indexes, and every commit writes every page it
touched: in call order a shuffled file publishes more than twice as fast.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import ts_column, utcnow
from .calls import Cdr, RateEntry

ACTIVE = ("staging", "validated", "publishing", "removing")
_ACTIVE_SQL = sa.text("status IN ('staging', 'validated', 'publishing', 'removing')")


class ImportBatch(SQLModel, table=True):
    """One import: who started it, how far it got, and which process is doing it.

    Status runs staging → validated → publishing → done, or staging → failed (and
    publishing → removing → failed when a published row clashes). At most one batch
    per ``scope`` is active at a time (the partial unique index): two imports of call
    records cannot race each other's duplicate checks.
    """

    __tablename__ = "import_batch"
    __table_args__ = (
        sa.Index(
            "uq_import_batch_active",
            "scope",
            unique=True,
            sqlite_where=_ACTIVE_SQL,
            postgresql_where=_ACTIVE_SQL,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)  # "cdr" or "rate"
    scope: str = Field(max_length=40)  # "cdr", or "rate:<card id>"
    target_id: int | None = None  # the rate card
    status: str = Field(default="staging", max_length=12)
    owner: str = Field(max_length=200)  # host:pid:token of the process doing the work
    rows: int = 0  # rows staged (their seq is 1..rows)
    published: int = 0  # how many rows are in the target table
    # The last published row: rows up to it in publishing order (PUBLISH_ORDER, then
    # seq) are in the target table, the others only in staging.
    published_seq: int = 0
    message: str = Field(default="", max_length=500)  # why it failed
    actor_kind: str = Field(max_length=16)
    actor_id: int | None = None
    actor_label: str = Field(max_length=320)
    started_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())
    heartbeat_at: datetime = Field(default_factory=utcnow, sa_column=ts_column())


def _staging(name: str, target: sa.Table, order: list[str]) -> sa.Table:
    columns = [
        sa.Column(c.name, c.type, nullable=c.nullable) for c in target.columns if c.name != "id"
    ]
    return sa.Table(
        name,
        SQLModel.metadata,
        sa.Column(
            "batch_id",
            sa.Integer,
            sa.ForeignKey("import_batch.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),  # 1, 2, …
        sa.Column("line", sa.Integer, nullable=False),  # in the file, for messages
        *columns,
        sa.Index(f"ix_{name}_order", "batch_id", *order, "seq"),
    )


# Publishing follows these columns, the leading ones of the target's indexes: a
# shuffled file still reaches the target's index pages in order.
PUBLISH_ORDER = {"cdr": ["call_start"], "rate": ["prefix", "effective_from"]}
cdr_staging = _staging("cdr_staging", Cdr.__table__, PUBLISH_ORDER["cdr"])
rate_staging = _staging("rate_staging", RateEntry.__table__, PUBLISH_ORDER["rate"])

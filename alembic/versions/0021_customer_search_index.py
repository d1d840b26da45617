"""customer search: a trigram index on name and company name; one domain's kind

SQLite: an FTS5 table with the trigram tokenizer whose content is the customer table,
kept in step by three triggers. PostgreSQL: pg_trgm GIN indexes on lower(name) and
lower(company_name). services/customer_text.py asks each in its own way.

A later migration that rebuilds the customer table in SQLite batch mode (copy and
rename) drops these triggers with the old table: it must create them again
(``sqlite_triggers()`` below). tests/services/test_customer_search.py proves the index
follows inserts, renames and deletes at head.

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_ROW = "INSERT INTO customer_fts(rowid, name, company_name) VALUES (new.id, new.name, new.company_name);"
FTS_GONE = (
    "INSERT INTO customer_fts(customer_fts, rowid, name, company_name) "
    "VALUES ('delete', old.id, old.name, old.company_name);"
)


def sqlite_triggers() -> list[str]:
    return [
        f"CREATE TRIGGER customer_fts_insert AFTER INSERT ON customer BEGIN {FTS_ROW} END",
        f"CREATE TRIGGER customer_fts_delete AFTER DELETE ON customer BEGIN {FTS_GONE} END",
        "CREATE TRIGGER customer_fts_update AFTER UPDATE OF name, company_name ON customer "
        f"BEGIN {FTS_GONE} {FTS_ROW} END",
    ]


def upgrade() -> None:
    op.create_index(
        "ix_customer_domain_kind_name", "customer", ["domain_id", "kind", "name", "id"]
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE customer_fts USING fts5(name, company_name, "
            "content='customer', content_rowid='id', tokenize='trigram')"
        )
        for trigger in sqlite_triggers():
            op.execute(trigger)
        op.execute("INSERT INTO customer_fts(customer_fts) VALUES ('rebuild')")
    else:
        # pg_trgm is a trusted extension: the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_customer_name_trgm ON customer USING gin (lower(name) gin_trgm_ops)"
        )
        op.execute(
            "CREATE INDEX ix_customer_company_trgm ON customer "
            "USING gin (lower(company_name) gin_trgm_ops)"
        )


def downgrade() -> None:
    op.drop_index("ix_customer_domain_kind_name", table_name="customer")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS customer_fts_{name}")
        op.execute("DROP TABLE IF EXISTS customer_fts")
    else:
        # The extension stays: other databases' objects may use it, and it holds no data.
        op.execute("DROP INDEX IF EXISTS ix_customer_company_trgm")
        op.execute("DROP INDEX IF EXISTS ix_customer_name_trgm")

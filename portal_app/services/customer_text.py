"""Finding customers by part of their name or company name, through a trigram index.

A substring search ("river tele" anywhere in the name) cannot use a B-tree index, so at
100,000 customers a plain ``LIKE '%…%'`` reads the whole table (50–70 ms). Migration 0021
adds a trigram index on both names, kept in step by the database itself:

- SQLite: an FTS5 table with the ``trigram`` tokenizer (``customer_fts``, external
  content = the customer table, three triggers). A quoted phrase MATCH is a substring
  match, case-insensitive, Unicode-aware (plain ``lower()`` in SQLite folds ASCII only).
- PostgreSQL: ``pg_trgm`` GIN indexes on ``lower(name)`` and ``lower(company_name)``,
  which the planner uses for the same ``LIKE`` the code writes.

Three characters are the least a trigram can find; shorter texts fall back to ``LIKE``,
as does any dialect without the index. Every caller gets the same rows either way.

On SQLite the query's shape matters as much as the index (bench/bench_customers.py,
100,000 customers): counting the matches in the FTS table alone takes 3 ms where
counting the customers whose id is among them takes 27 ms; and a broad text ("summit",
7,500 matches) pages fastest read in the list's order, each row checked against the
matches until the page is full, while a narrow one ("golden swift") pages fastest from
its few matches, sorted.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlmodel import Session, func, or_

from portal_app.models import Customer

from .cursor_reads import fetch_rows

FTS_TABLE = "customer_fts"
TRIGRAM_INDEXES = ("ix_customer_name_trgm", "ix_customer_company_trgm")
MIN_TRIGRAM = 3


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its own % and _ taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_mode(session: Session, text: str) -> str:
    """How this database finds ``text``: "fts" (SQLite's trigram table), "like" (a LIKE,
    which PostgreSQL's pg_trgm indexes answer), or "" for no text."""
    if not text:
        return ""
    if session.get_bind().dialect.name == "sqlite" and len(text) >= MIN_TRIGRAM:
        return "fts"
    return "like"


def text_params(mode: str, text: str) -> dict[str, str]:
    """The values ``text_condition(mode)``'s parameters take for ``text``."""
    if mode == "fts":
        return {"phrase": '"' + text.replace('"', '""') + '"'}  # one FTS5 string: a substring
    return {"pattern": contains_pattern(text)} if mode == "like" else {}


@functools.cache
def text_condition(mode: str, *, in_order: bool = False) -> sa.ColumnElement[bool]:
    """The condition "name or company name contains the text" (case-insensitive), with
    a bound parameter (``text_params``): built once, for statements built once.
    ``in_order``: the rows are read in the list's order and each is checked against the
    matches (``id + 0`` keeps SQLite from reading them by id and sorting them instead)."""
    return _condition(mode, in_order, {})


def name_contains(session: Session, text: str, *, in_order: bool = False) -> sa.ColumnElement[bool]:
    """``text_condition`` with its value for ``text`` (for a statement built per call)."""
    mode = text_mode(session, text)
    return _condition(mode, in_order, text_params(mode, text))


def _condition(mode: str, in_order: bool, values: dict[str, str]) -> sa.ColumnElement[bool]:
    name = "phrase" if mode == "fts" else "pattern"
    bound = sa.bindparam(name, *([values[name]] if values else []), type_=sa.String)
    if mode == "fts":
        matches = _in_index(sa.column("rowid"), bound)
        return (Customer.id + 0).in_(matches) if in_order else Customer.id.in_(matches)
    return or_(
        func.lower(Customer.name).like(bound, escape="\\"),
        func.lower(Customer.company_name).like(bound, escape="\\"),
    )


def _in_index(what: sa.ColumnElement, phrase: sa.BindParameter) -> sa.Select:
    """``what`` of the trigram table's rows matching ``phrase`` (a quoted FTS5 string)."""
    query = sa.select(what).select_from(sa.table(FTS_TABLE))
    return query.where(sa.text(f"{FTS_TABLE} MATCH :phrase").bindparams(phrase))


_COUNT = _in_index(sa.func.count(), sa.bindparam("phrase", type_=sa.String))
_HIGHEST = sa.select(sa.func.max(Customer.id))


def search_count(session: Session, text: str) -> int | None:
    """How many customers ``name_contains`` finds, counted in the trigram index alone
    (None where there is none: count the customers)."""
    mode = text_mode(session, text)
    if mode != "fts":
        return None
    return fetch_rows(session, _COUNT, text_params(mode, text))[0][0]


def broad_search(session: Session, matches: int) -> bool:
    """Whether a search finding ``matches`` customers pages faster read in the list's
    order: a page of 25 is then found within about 25 * customers / matches rows, which
    beats sorting the matches once they are more than about 5 * sqrt(customers).
    ``max(id)`` stands in for the number of customers (one index probe)."""
    if matches == 0:
        return False
    highest = fetch_rows(session, _HIGHEST, {})[0][0] or 0
    return matches * matches > 25 * highest


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object``: the search index objects exist only in migration 0021
    (FTS5 tables and expression GIN indexes have no SQLModel form), so autogenerate and
    the models-match-migrations test leave them out."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name in TRIGRAM_INDEXES)

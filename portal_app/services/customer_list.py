"""Management › Customers: one page of the list, filtered and sorted in SQL.

Pages are found by key, not by OFFSET: the next page is the rows after the last one
shown in the list's order, ``(sort value, id) > (last value, last id)``, which the
composite indexes ``(filter, name, id)`` and ``(created_at, id)`` answer by reading just
the page's entries. An OFFSET of 50,000 read and dropped 50,000 entries first (62 ms at
100,000 customers); a key costs the same on page 1 and page 2,000
(bench/bench_customers.py, docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, func

from portal_app.models import Area, Customer, CustomerStatus, CustomerType, PortalDomain

from .customer_text import broad_search, name_contains, search_count
from .customers import can_read_customers
from .identity import Actor

SORTS = {
    "name": Customer.name,
    "created": Customer.created_at,
    "status": Customer.status,
    "kind": Customer.kind,
}
MAX_PAGE = 100
Key = tuple[Any, int]  # (the sort column's value, id) of a row


class ListRow(NamedTuple):
    """What the list shows of one customer: columns, not an ORM object (building 25
    ``Customer`` objects and their identity map was most of a page's cost)."""

    id: int
    name: str
    kind: str
    status: str
    currency: str
    credit_limit: int
    host: str  # the portal domain's host, or ""
    key: Any  # the sort column's value: with id, where the next page starts


_COLUMNS = (
    Customer.id,
    Customer.name,
    Customer.kind,
    Customer.status,
    Customer.currency,
    Customer.credit_limit,
    PortalDomain.host,
)


@dataclass(frozen=True)
class CustomerPage:
    rows: list[ListRow]
    total: int
    first: Key | None  # keys of the first and last rows, to page from
    last: Key | None


def customer_list(
    *,
    session: Session,
    actor: Actor,
    search: str = "",
    kind: str = "",
    status: str = "",
    domain_id: int | None = None,
    sort: str = "name",
    descending: bool = False,
    after: Sequence | None = None,
    before: Sequence | None = None,
    start: Sequence | None = None,
    limit: int = 25,
) -> CustomerPage:
    """The page after the key ``after``, before ``before``, or from ``start`` on (that
    row included: the same page again); the first page with none. And how many
    customers match in all."""
    can_read_customers(actor)
    text = search.strip()
    conditions = _filters(actor, kind, status, domain_id)
    total = search_count(session, text) if text and not conditions else None
    if text:
        # A broad text (thousands of matches) is read in the list's order, each row
        # checked against the trigram matches, until the page is full; a narrow one
        # from its matches, then sorted.
        ordered = total is not None and broad_search(session, total)
        conditions.append(name_contains(session, text, in_order=ordered))
    column = SORTS.get(sort, Customer.name)
    # Going back reads the list backwards from the first row shown, then turns it round.
    backwards = before is not None and after is None
    down = descending != backwards
    cursor = before if backwards else after
    keyed = _after(column, cursor, down) if cursor is not None else None
    if cursor is None and start is not None:
        keyed = _after(column, start, down, inclusive=True)
    # The tie-breaker runs the same way, so one index scan (forwards or backwards) serves it.
    order = [column.desc(), Customer.id.desc()] if down else [column.asc(), Customer.id.asc()]
    query = (
        sa.select(*_COLUMNS, column.label("key"))
        .join(PortalDomain, PortalDomain.id == Customer.domain_id, isouter=True)
        .where(*conditions, *([keyed] if keyed is not None else []))
        .order_by(*order)
        .limit(max(1, min(limit, MAX_PAGE)))
    )
    conn = session.connection()  # plain rows: no ORM objects to build
    rows = [ListRow(*r[:6], r[6] or "", r[7]) for r in conn.execute(query)]
    if backwards:
        rows.reverse()
    if total is None:
        total = conn.execute(
            sa.select(func.count()).select_from(Customer).where(*conditions)
        ).scalar_one()
    first = (rows[0].key, rows[0].id) if rows else None
    last = (rows[-1].key, rows[-1].id) if rows else None
    return CustomerPage(rows=rows, total=total, first=first, last=last)


def _after(column, key: Sequence, down: bool, inclusive: bool = False) -> sa.ColumnElement[bool]:
    """Rows past ``key`` in the order (descending when ``down``): a row-value comparison
    both SQLite and PostgreSQL answer from the (column, id) index."""
    value, row_id = key
    pair, bound = sa.tuple_(column, Customer.id), (value, int(row_id))
    if down:
        return pair <= bound if inclusive else pair < bound
    return pair >= bound if inclusive else pair > bound


def _filters(
    actor: Actor, kind: str, status: str, domain_id: int | None
) -> list[sa.ColumnElement[bool]]:
    """Every condition but the text search's."""
    conditions = []
    visible = [
        k
        for k, a in (
            (CustomerType.CUSTOMER.value, Area.CUSTOMER),
            (CustomerType.CARRIER.value, Area.CARRIER),
        )
        if actor.can(a)
    ]
    if len(visible) < len(CustomerType):  # no condition at all keeps the indexes usable
        conditions.append(Customer.kind.in_(visible))
    if kind in {k.value for k in CustomerType}:
        conditions.append(Customer.kind == kind)
    if status in {s.value for s in CustomerStatus}:
        conditions.append(Customer.status == status)
    if domain_id is not None:
        conditions.append(Customer.domain_id == (None if domain_id == 0 else domain_id))
    return conditions

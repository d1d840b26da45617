"""Management › Customers: one page of the list, filtered and sorted in SQL.

Pages are found by key, not by OFFSET: the next page is the rows after the last one
shown in the list's order, ``(sort value, id) > (last value, last id)``, which the
composite indexes ``(filter, name, id)`` and ``(created_at, id)`` answer by reading just
the page's entries. An OFFSET of 50,000 read and dropped 50,000 entries first (62 ms at
100,000 customers); a key costs the same on page 1 and page 2,000
(bench/bench_customers.py, docs/performance.md).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, func, or_

from portal_app.models import Area, Customer, CustomerStatus, CustomerType, PortalDomain

from .cursor_reads import fetch_rows
from .customer_text import broad_search, search_count, text_condition, text_mode, text_params
from .customers import can_read_customers
from .dates import as_utc
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
    filters, params = _filters(actor, kind, status, domain_id)
    mode = text_mode(session, text)
    unfiltered = filters == (None, False, False, "")
    total = search_count(session, text) if mode and unfiltered else None
    # A broad text (thousands of matches) is read in the list's order, each row checked
    # against the trigram matches, until the page is full; a narrow one from its
    # matches, then sorted.
    ordered = total is not None and broad_search(session, total)
    params |= text_params(mode, text)
    sort = sort if sort in SORTS else "name"
    # Going back reads the list backwards from the first row shown, then turns it round.
    backwards = before is not None and after is None
    down = descending != backwards
    cursor = before if backwards else after
    keyed = "after" if cursor is not None else "from" if start is not None else ""
    if keyed:
        value, row_id = cursor if cursor is not None else start
        params |= {"key": value, "key_id": int(row_id)}
    params["limit"] = max(1, min(limit, MAX_PAGE))
    page, count = _statements(filters, mode, ordered, sort, down, keyed)
    # Plain rows on the cursor (services/cursor_reads.py): no ORM objects to build, no
    # statement to build either (one per shape, its values bound).
    read = fetch_rows(session, page, params)
    rows = [ListRow(*r[:6], r[6] or "", _key(sort, r[7])) for r in read]
    if backwards:
        rows.reverse()
    if total is None:
        total = fetch_rows(session, count, params)[0][0]
    first = (rows[0].key, rows[0].id) if rows else None
    last = (rows[-1].key, rows[-1].id) if rows else None
    return CustomerPage(rows=rows, total=total, first=first, last=last)


def _key(sort: str, value: Any) -> Any:
    """A row's sort value as the next page binds it (the driver's text of a time on
    SQLite: a datetime again)."""
    return as_utc(value) if sort == "created" and value is not None else value


Filters = tuple[tuple[str, ...] | None, bool, bool, str]  # visible kinds, kind, status, domain


@functools.cache
def _statements(
    filters: Filters, mode: str, ordered: bool, sort: str, down: bool, keyed: str
) -> tuple[sa.Select, sa.Select]:
    """The page and count statements of one shape of the list, with bound parameters:
    built once per shape (building them was a third of a search's cost)."""
    visible, kind, status, domain = filters
    conditions = []
    if visible is not None:  # no condition at all keeps the indexes usable
        conditions.append(or_(*(Customer.kind == k for k in visible)) if visible else sa.false())
    if kind:
        conditions.append(Customer.kind == sa.bindparam("kind", type_=sa.String))
    if status:
        conditions.append(Customer.status == sa.bindparam("status", type_=sa.String))
    if domain == "none":
        conditions.append(Customer.domain_id.is_(None))
    elif domain == "id":
        conditions.append(Customer.domain_id == sa.bindparam("domain_id", type_=sa.Integer))
    if mode:
        conditions.append(text_condition(mode, in_order=ordered))
    count = sa.select(func.count()).select_from(Customer).where(*conditions)
    column = SORTS[sort]
    if keyed:
        # Rows past the key in the order (descending when ``down``), the key's row too
        # when reading "from" it: a row-value comparison both SQLite and PostgreSQL
        # answer from the (column, id) index.
        pair = sa.tuple_(column, Customer.id)
        bound = sa.tuple_(
            sa.bindparam("key", type_=column.type), sa.bindparam("key_id", type_=sa.Integer)
        )
        inclusive = keyed == "from"
        if down:
            conditions.append(pair <= bound if inclusive else pair < bound)
        else:
            conditions.append(pair >= bound if inclusive else pair > bound)
    # The tie-breaker runs the same way, so one index scan (forwards or backwards) serves it.
    order = [column.desc(), Customer.id.desc()] if down else [column.asc(), Customer.id.asc()]
    page = (
        sa.select(*_COLUMNS, column.label("key"))
        .join(PortalDomain, PortalDomain.id == Customer.domain_id, isouter=True)
        .where(*conditions)
        .order_by(*order)
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )
    return page, count


def _filters(
    actor: Actor, kind: str, status: str, domain_id: int | None
) -> tuple[Filters, dict[str, Any]]:
    """Every condition but the text search's, as a statement shape and its values."""
    visible = tuple(
        k
        for k, a in (
            (CustomerType.CUSTOMER.value, Area.CUSTOMER),
            (CustomerType.CARRIER.value, Area.CARRIER),
        )
        if actor.can(a)
    )
    params: dict[str, Any] = {}
    if kind in {k.value for k in CustomerType}:
        params["kind"] = kind
    if status in {s.value for s in CustomerStatus}:
        params["status"] = status
    domain = ""
    if domain_id == 0:
        domain = "none"
    elif domain_id is not None:
        domain, params["domain_id"] = "id", domain_id
    shape = (
        None if len(visible) == len(CustomerType) else visible,
        "kind" in params,
        "status" in params,
        domain,
    )
    return shape, params

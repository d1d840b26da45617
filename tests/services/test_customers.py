"""Customers: SQL paging/filtering/sorting, validation, portal access overrides."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from portal_app.models import AuditEvent, Customer, PortalDomain
from portal_app.services import customer_list as lists
from portal_app.services import customers as svc
from portal_app.services.customer_text import broad_search
from portal_app.services.errors import PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM, Actor


def _domain(db, host: str, access: list[str]) -> PortalDomain:
    domain = PortalDomain(host=host, brand_name=host, currencies=["USD"], access=access)
    db.add(domain)
    db.commit()
    return domain


def _seed(db) -> tuple[PortalDomain, PortalDomain]:
    acme = _domain(db, "portal.acme.test", ["balance", "cdr"])
    globex = _domain(db, "portal.globex.test", ["balance"])
    rows = [
        Customer(name="Alpha 100%", kind="customer", status="active", domain_id=acme.id),
        Customer(name="Bravo", kind="carrier", status="active", domain_id=acme.id),
        Customer(name="charlie_x", kind="customer", status="pending", domain_id=globex.id),
        Customer(name="Delta", kind="customer", status="suspended", company_name="Alpha Inc"),
    ]
    db.add_all(rows)
    db.commit()
    return acme, globex


def _names(page) -> list[str]:
    return [row.name for row in page.rows]


def test_filters_search_sort_and_pages_in_sql(db):
    acme, globex = _seed(db)
    everything = lists.customer_list(session=db, actor=SYSTEM)
    assert everything.total == 4 and _names(everything) == [
        "Alpha 100%",
        "Bravo",
        "Delta",
        "charlie_x",
    ]
    assert {r.name: r.host for r in everything.rows}["Bravo"] == "portal.acme.test"
    assert _names(lists.customer_list(session=db, actor=SYSTEM, search="alpha")) == [
        "Alpha 100%",
        "Delta",
    ]  # name or company
    assert _names(lists.customer_list(session=db, actor=SYSTEM, search="%")) == ["Alpha 100%"]
    assert (
        _names(lists.customer_list(session=db, actor=SYSTEM, search="lph_")) == []
    )  # _ is literal
    assert _names(lists.customer_list(session=db, actor=SYSTEM, kind="carrier")) == ["Bravo"]
    assert _names(lists.customer_list(session=db, actor=SYSTEM, status="pending")) == ["charlie_x"]
    assert _names(lists.customer_list(session=db, actor=SYSTEM, domain_id=acme.id)) == [
        "Alpha 100%",
        "Bravo",
    ]
    assert _names(lists.customer_list(session=db, actor=SYSTEM, domain_id=0)) == ["Delta"]
    first = lists.customer_list(session=db, actor=SYSTEM, sort="name", descending=True, limit=2)
    page = lists.customer_list(
        session=db, actor=SYSTEM, sort="name", descending=True, after=first.last, limit=2
    )
    assert page.total == 4 and _names(page) == ["Bravo", "Alpha 100%"]


@pytest.mark.parametrize("sort", ["name", "created", "status", "kind"])
@pytest.mark.parametrize("descending", [False, True])
def test_pages_by_key_walk_the_whole_list_both_ways(db, sort, descending):
    _seed(db)
    db.add_all([Customer(name=f"Echo {i}", status="active") for i in range(5)])  # ties
    db.commit()
    kw = {"session": db, "actor": SYSTEM, "sort": sort, "descending": descending}
    whole = _names(lists.customer_list(**kw, limit=100))
    assert len(whole) == 9
    pages = [lists.customer_list(**kw, limit=2)]
    while pages[-1].rows and len(pages) < 10:
        pages.append(lists.customer_list(**kw, after=pages[-1].last, limit=2))
    assert [n for p in pages for n in _names(p)] == whole  # forwards: every row once
    back = [pages[-2]]
    while back[-1].first is not None and len(back) < 10:
        back.append(lists.customer_list(**kw, before=back[-1].first, limit=2))
    assert [n for p in reversed(back) for n in _names(p)] == whole  # and backwards
    again = lists.customer_list(**kw, start=pages[2].first, limit=2)
    assert _names(again) == _names(pages[2])  # the same page again, from its first row


def test_a_broad_search_read_in_list_order_finds_the_same_rows(db):
    """A text most customers contain is read in the list's order (customer_text.py's
    broad_search), a rare one from its matches: both give the LIKE scan's rows, pages
    and count, with a filter (the customers are counted) or without (the index is)."""
    if db.get_bind().dialect.name == "postgresql":
        # broad_search estimates the customers by max(id): start the ids at 1 as SQLite
        # does on an empty table, whatever earlier tests used.
        db.execute(sa.text("ALTER SEQUENCE customer_id_seq RESTART WITH 1"))
    acme, _ = _seed(db)
    db.add_all(
        [
            Customer(name=f"Summit {i:02d}", kind="carrier" if i % 3 else "customer")
            for i in range(60)
        ]
    )
    db.commit()
    kw = {"session": db, "actor": SYSTEM, "limit": 25}
    broad = lists.customer_list(**kw, search="summit")
    assert broad_search(db, broad.total) and not broad_search(db, 1)
    assert broad.total == 60 and _names(broad) == [f"Summit {i:02d}" for i in range(25)]
    after = lists.customer_list(**kw, search="SUMMIT", after=broad.last)
    assert _names(after) == [f"Summit {i:02d}" for i in range(25, 50)]
    carriers = lists.customer_list(**kw, search="summit", kind="carrier")
    assert carriers.total == 40 and _names(carriers)[:2] == ["Summit 01", "Summit 02"]
    rare = lists.customer_list(**kw, search="mit 07")
    assert rare.total == 1 and _names(rare) == ["Summit 07"]
    back = lists.customer_list(**kw, search="summit", before=after.first)
    assert _names(back) == _names(broad)


def test_carrier_and_customer_areas_are_separate(db):
    _seed(db)
    sales = Actor(kind="operator", id=5, label="s@example.com", grants={"customer": "allow"})
    assert "Bravo" not in _names(lists.customer_list(session=db, actor=sales))
    bravo = db.exec(select(Customer).where(Customer.name == "Bravo")).one()
    with pytest.raises(PermissionDenied):
        svc.customer_get(session=db, actor=sales, customer_id=bravo.id)
    with pytest.raises(PermissionDenied):
        svc.customer_create(
            session=db, actor=sales, data={"name": "X", "kind": "carrier", "currency": "USD"}
        )
    nobody = Actor(kind="operator", id=6, label="n@example.com", grants={})
    with pytest.raises(PermissionDenied):
        lists.customer_list(session=db, actor=nobody)


def test_validation_names_each_field_and_saves_nothing(db):
    with pytest.raises(ValidationError) as exc:
        svc.customer_create(
            session=db,
            actor=SYSTEM,
            data={
                "name": "",
                "kind": "reseller",
                "status": "gone",
                "currency": "XYZ",
                "credit_limit": "-5",
                "country": "GBR",
                "domain_id": "999",
                "portal_access": {"balance": "maybe"},
            },
        )
    # The credit limit is read in the currency's own decimals: checked once that is known.
    assert set(exc.value.fields) == {
        "name",
        "kind",
        "status",
        "currency",
        "country",
        "domain_id",
        "portal_access",
    }
    assert db.exec(select(Customer)).first() is None


def test_overrides_show_and_hide_on_top_of_the_domain(db):
    acme, _ = _seed(db)
    customer = svc.customer_create(
        session=db,
        actor=SYSTEM,
        data={
            "name": "Echo",
            "currency": "EUR",
            "credit_limit": "12.50",
            "domain_id": str(acme.id),
            "portal_access": {"cdr": "hide", "payments": "show", "balance": "inherit"},
        },
    )
    db.commit()
    assert customer.credit_limit == 1250
    assert customer.portal_access == {"cdr": "hide", "payments": "show"}
    assert svc.effective_access(customer, acme) == ["balance", "payments"]
    assert svc.effective_access(customer, None) == ["payments"]
    svc.customer_update(
        session=db,
        actor=SYSTEM,
        customer_id=customer.id,
        data={
            "name": "Echo Ltd",
            "currency": "EUR",
            "domain_id": str(acme.id),
            "portal_access": {},
        },
    )
    db.commit()
    query = select(AuditEvent).where(AuditEvent.entity == "customer").order_by(AuditEvent.id)
    audits = db.exec(query).all()
    assert [a.action for a in audits] == ["customer.create", "customer.update"]
    assert audits[1].before["portal_access"] == {"cdr": "hide", "payments": "show"}
    assert audits[1].after["name"] == "Echo Ltd"

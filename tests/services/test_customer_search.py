"""The reports' customer picker on SQLite and PostgreSQL: a few matches by name, company
or id, in name order, wildcards taken literally, carriers only with the Carrier
permission, and only for operators of a report area."""

from __future__ import annotations

import pytest

from portal_app.models import Area, Customer
from portal_app.services.customer_search import PICK_MAX, customer_search
from portal_app.services.errors import PermissionDenied
from portal_app.services.identity import SYSTEM, Actor


def operator(**grants: str) -> Actor:
    return Actor(kind="operator", id=3, label="op@example.com", grants=grants)


def test_search_is_capped_ordered_and_literal(db):
    db.add_all([Customer(name=f"Shop {n:02d}") for n in range(25)])
    odd = Customer(name="100% Calls_Ltd", company_name="Percent Holdings")
    zeta = Customer(name="Zeta Transit", kind="carrier")
    db.add_all([odd, zeta])
    db.commit()
    found = customer_search(session=db, actor=SYSTEM, text="shop")
    assert [c.name for c in found] == [f"Shop {n:02d}" for n in range(PICK_MAX)]
    assert len(customer_search(session=db, actor=SYSTEM, text="shop", limit=10_000)) == PICK_MAX
    assert [c.name for c in customer_search(session=db, actor=SYSTEM, text="0% c")] == [odd.name]
    assert customer_search(session=db, actor=SYSTEM, text="l_s") == []  # _ is no wildcard
    assert [c.id for c in customer_search(session=db, actor=SYSTEM, text="HOLDINGS")] == [odd.id]
    assert customer_search(session=db, actor=SYSTEM, text=str(zeta.id))[0].id == zeta.id
    assert customer_search(session=db, actor=SYSTEM, text="  ") == []
    assert customer_search(session=db, actor=SYSTEM, text="9" * 40) == []  # no overflow


def test_carriers_and_areas(db):
    db.add_all([Customer(name="Zeta Retail"), Customer(name="Zeta Transit", kind="carrier")])
    db.commit()
    cdr_only = operator(cdr="allow")
    assert [c.name for c in customer_search(session=db, actor=cdr_only, text="zeta")] == [
        "Zeta Retail"
    ]
    both = operator(cdr="allow", carrier="allow")
    assert [c.kind for c in customer_search(session=db, actor=both, text="zeta")] == [
        "customer",
        "carrier",
    ]
    reporter = operator(report="allow")
    with pytest.raises(PermissionDenied):
        customer_search(session=db, actor=reporter, text="zeta")
    areas = (Area.CDR, Area.REPORT)
    assert len(customer_search(session=db, actor=reporter, text="zeta", areas=areas)) == 1
    contact = Actor(kind="contact", id=1, label="c@example.com", customer_id=1)
    with pytest.raises(PermissionDenied):
        customer_search(session=db, actor=contact, text="zeta", areas=areas)

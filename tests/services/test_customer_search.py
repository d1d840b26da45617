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
    # By id (its digits may also be in a name: "100% Calls_Ltd" when zeta is customer 100).
    assert zeta.id in [c.id for c in customer_search(session=db, actor=SYSTEM, text=str(zeta.id))]
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


def _found(db, text: str) -> list[str]:
    return sorted(c.name for c in customer_search(session=db, actor=SYSTEM, text=text))


def test_the_trigram_index_follows_every_change(db):
    """SQLite's FTS5 table is kept by triggers, PostgreSQL's GIN indexes by the server:
    a new name is found, a renamed one under its new name only, a deleted one no more."""
    shop = Customer(name="Riverside Telecom", company_name="Riverside Holdings")
    db.add(shop)
    db.commit()
    assert _found(db, "side tel") == ["Riverside Telecom"]
    shop.name, shop.company_name = "Lakeside Voice", "Lakeside Group"
    db.add(shop)
    db.commit()
    assert _found(db, "side tel") == [] and _found(db, "riverside") == []
    assert _found(db, "KESIDE VO") == ["Lakeside Voice"]
    assert _found(db, "side gr") == ["Lakeside Voice"]  # the company name
    db.delete(shop)
    db.commit()
    assert _found(db, "lakeside") == []


def test_trigram_search_takes_quotes_and_short_texts_literally(db):
    db.add_all(
        [
            Customer(name='The "Best" Calls'),
            Customer(name="Ab Networks"),
            Customer(name="Zz Top Voice", company_name='Quote " Co'),
        ]
    )
    db.commit()
    assert _found(db, '"best"') == ['The "Best" Calls']  # FTS5 syntax has no say
    assert _found(db, 'e " c') == ["Zz Top Voice"]
    assert _found(db, "ab") == ["Ab Networks"]  # under 3 characters: LIKE
    assert _found(db, "b") == sorted(['The "Best" Calls', "Ab Networks"])
    assert _found(db, "best OR ab") == []  # no query operators either


def test_sqlite_answers_from_the_fts5_table(db):
    """Positive control that SQLite's path is the trigram table and not LIKE: SQLite's
    lower() folds ASCII only, so only the FTS5 index finds "ÉCOLE" typed as "école"."""
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("the FTS5 table is SQLite's index")
    db.add(Customer(name="ÉCOLE Voice"))
    db.commit()
    assert _found(db, "école v") == ["ÉCOLE Voice"]
    assert _found(db, "éc") == []  # 2 characters go to LIKE, which cannot fold É

"""One rate card opened (services/rate_cards.py), on SQLite and PostgreSQL: its rates page
by page, a rate added, changed and deleted with an audit row each, bad input refused next
to its field, renaming and deleting the card (its routes go too), and who may do it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.models import AuditEvent, Customer, CustomerRateCard, RateCard, RateEntry
from portal_app.services import rate_cards as svc
from portal_app.services.errors import NotFound, PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.rates import card_create

RATE = {
    "prefix": "4420",
    "destination": "United Kingdom London",
    "rate": "0.0123",
    "connection_fee": "0.01",
    "increments": "60/1",
    "effective_from": "2026-01-01",
}


def _card(db, name: str = "Wholesale EUR", currency: str = "EUR") -> RateCard:
    card = card_create(session=db, actor=SYSTEM, name=name, currency=currency)
    db.commit()
    return card


def _refused(**kw) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        svc.rate_save(**kw)
    return info.value.fields


def test_a_rate_is_added_changed_and_deleted_with_audit_rows(db):
    card = _card(db)
    entry = svc.rate_save(session=db, actor=SYSTEM, card_id=card.id, entry_id=None, data=RATE)
    db.commit()
    assert (entry.rate, entry.connection_fee, entry.increment_first, entry.increment_next) == (
        12_300,
        10_000,
        60,
        1,
    )
    svc.rate_save(
        session=db, actor=SYSTEM, card_id=card.id, entry_id=entry.id, data=RATE | {"rate": "0.02"}
    )
    db.commit()
    page = svc.card_rates(session=db, actor=SYSTEM, card_id=card.id)
    assert page.total == 1 and page.rows[0].rate == 20_000 and page.customers == 0
    svc.rate_delete(session=db, actor=SYSTEM, card_id=card.id, entry_id=entry.id)
    db.commit()
    assert svc.card_rates(session=db, actor=SYSTEM, card_id=card.id).total == 0
    query = select(AuditEvent).where(AuditEvent.entity == "rate_card").order_by(AuditEvent.id)
    rows = db.exec(query).all()
    assert [r.action for r in rows] == [
        "rate_card.create",
        "rate.create",
        "rate.update",
        "rate.delete",
    ]
    update = rows[2]
    assert (update.before["rate"], update.after["rate"], update.after["currency"]) == (
        12_300,
        20_000,
        "EUR",
    )


def test_bad_rates_are_refused_next_to_their_fields_and_change_nothing(db):
    card = _card(db)
    kw = {"session": db, "actor": SYSTEM, "card_id": card.id, "entry_id": None}
    bad = {
        "prefix": "44a",
        "destination": "",
        "rate": "1e3",
        "connection_fee": "-1",
        "increments": "0/60",
        "effective_from": "tomorrow",
    }
    assert set(_refused(data=bad, **kw)) == set(bad)
    svc.rate_save(data=RATE, **kw)
    db.commit()
    clash = _refused(data=RATE | {"rate": "0.5"}, **kw)  # same prefix, same date
    assert "already has a rate" in clash["effective_from"]
    assert len(db.exec(select(RateEntry)).all()) == 1


def test_search_and_pages_show_every_date_of_a_prefix(db):
    card = _card(db)
    for prefix, day in [("33", "2026-01-01"), ("33", "2026-06-01"), ("4420", "2026-01-01")]:
        data = RATE | {"prefix": prefix, "effective_from": day, "destination": f"Dest {prefix}"}
        svc.rate_save(session=db, actor=SYSTEM, card_id=card.id, entry_id=None, data=data)
    db.commit()
    page = svc.card_rates(session=db, actor=SYSTEM, card_id=card.id, limit=2)
    assert page.total == 3
    assert [(r.prefix, r.effective_from.date().isoformat()) for r in page.rows] == [
        ("33", "2026-06-01"),
        ("33", "2026-01-01"),
    ]
    found = svc.card_rates(session=db, actor=SYSTEM, card_id=card.id, search="dest 44")
    assert [r.prefix for r in found.rows] == ["4420"]
    assert svc.card_rates(session=db, actor=SYSTEM, card_id=card.id, search="44").total == 1


def test_a_card_is_renamed_and_deleted_with_its_rates_and_routes(db):
    card, other = _card(db), _card(db, "Retail EUR")
    customer = Customer(name="Northwind", currency="EUR")
    db.add(customer)
    db.commit()
    db.add(CustomerRateCard(customer_id=customer.id, card_id=card.id))
    svc.rate_save(session=db, actor=SYSTEM, card_id=card.id, entry_id=None, data=RATE)
    db.commit()
    with pytest.raises(ValidationError) as taken:
        svc.card_rename(session=db, actor=SYSTEM, card_id=card.id, name="Retail EUR")
    assert "exists" in taken.value.fields["card_name"]
    svc.card_rename(session=db, actor=SYSTEM, card_id=card.id, name="Premium EUR")
    db.commit()
    assert svc.card_rates(session=db, actor=SYSTEM, card_id=card.id).customers == 1
    assert svc.card_delete(session=db, actor=SYSTEM, card_id=card.id) == 1
    db.commit()
    assert db.get(RateCard, card.id) is None and db.get(RateCard, other.id) is not None
    assert db.exec(select(RateEntry)).all() == []
    assert db.exec(select(CustomerRateCard)).all() == []
    gone = db.exec(select(AuditEvent).where(AuditEvent.action == "rate_card.delete")).one()
    assert gone.before == {"name": "Premium EUR", "currency": "EUR", "rates": 1, "customers": 1}
    with pytest.raises(NotFound):
        svc.card_rates(session=db, actor=SYSTEM, card_id=card.id)


def test_only_operators_with_the_card_area_open_cards(db, make_user, make_group, as_actor):
    card = _card(db)
    clerk = as_actor(make_user(group=make_group({"customer": "allow"})))
    contact = Actor(kind="contact", id=1, label="c@example.com", customer_id=1)
    for who in (clerk, contact):
        with pytest.raises(PermissionDenied):
            svc.card_rates(session=db, actor=who, card_id=card.id)
        with pytest.raises(PermissionDenied):
            svc.rate_save(session=db, actor=who, card_id=card.id, entry_id=None, data=RATE)
        with pytest.raises(PermissionDenied):
            svc.card_delete(session=db, actor=who, card_id=card.id)
    assert db.get(RateCard, card.id) is not None

"""The audit log for people (services/audit_view.py), on SQLite and PostgreSQL: changes as
"field: before → after", money formatted in the item's currency, ids as names (also of
rows deleted since), filters by date, person and action, and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from portal_app.models import AuditEvent, Customer, OperatorGroup
from portal_app.models.base import utcnow
from portal_app.services.audit import audit_filter_choices, audit_list, audit_record
from portal_app.services.audit_view import audit_csv_text, audit_views
from portal_app.services.customers import customer_update
from portal_app.services.identity import SYSTEM
from portal_app.services.ledger import ledger_add


def _views(db, **filters):
    return audit_views(session=db, events=audit_list(session=db, actor=SYSTEM, **filters).rows)


def _texts(view) -> list[str]:
    return [c.text for c in view.changes]


def test_a_change_reads_as_before_and_after_with_money_and_names(db):
    group = OperatorGroup(name="Support")
    customer = Customer(name="Bluebird", currency="JPY", credit_limit=500)
    db.add_all([group, customer])
    db.commit()
    data = {"name": "Bluebird", "kind": "customer", "status": "active", "currency": "JPY"}
    customer_update(
        session=db, actor=SYSTEM, customer_id=customer.id, data=data | {"credit_limit": "800"}
    )
    ledger_add(session=db, actor=SYSTEM, customer_id=customer.id, kind="payment", amount="7500")
    audit_record(
        session=db,
        actor=SYSTEM,
        action="user.update",
        entity="operator_user",
        entity_id=99,
        before={"name": "Sam", "group_id": None},
        after={"name": "Sam", "group_id": group.id},
    )
    db.commit()
    moved, paid, updated = _views(db)
    # User 99 is not in the table: the row's own name says who it was.
    assert moved.item == "User Sam" and _texts(moved) == ["Group: none → Support"]
    assert paid.item == "Customer Bluebird"
    assert "Amount: ¥7,500" in _texts(paid) and "Kind: payment" in _texts(paid)
    # The entry's own customer, its currency and empty fields say nothing new.
    assert not any(t.startswith(("Customer:", "Currency:", "Note:", "Actor")) for t in _texts(paid))
    assert updated.item == "Customer Bluebird"
    assert _texts(updated) == ["Credit limit: ¥500 → ¥800"]


def test_a_deleted_item_keeps_the_name_its_row_remembers(db):
    audit_record(
        session=db,
        actor=SYSTEM,
        action="domain.delete",
        entity="portal_domain",
        entity_id=7,
        before={"host": "portal.gone.test", "customer_limit": 500, "currencies": ["EUR"]},
    )
    db.commit()
    (view,) = _views(db)
    assert view.item == "Domain portal.gone.test"
    assert "Customer limit: €5.00 (removed)" in _texts(view)


def test_filters_by_date_person_and_action_and_the_csv(db):
    for n, who in enumerate(["ada@example.com", "=sam@example.com"]):
        row = audit_record(
            session=db,
            actor=SYSTEM,
            action=f"thing.{'create' if n == 0 else 'update'}",
            entity="thing",
            entity_id=n,
            after={"name": f"Thing {n}"},
        )
        row.actor_label = who
    old = audit_record(session=db, actor=SYSTEM, action="thing.create", entity="thing")
    old.at = utcnow() - timedelta(days=10)
    db.commit()
    people, actions = audit_filter_choices(session=db, actor=SYSTEM)
    assert people == ["=sam@example.com", "ada@example.com", "system"]
    assert actions == ["thing.create", "thing.update"]
    assert [v.who for v in _views(db, who="=sam@example.com")] == ["=sam@example.com"]
    assert len(_views(db, action="thing.create")) == 2
    since = utcnow() - timedelta(days=1)
    assert {v.who for v in _views(db, since=since)} == {"ada@example.com", "=sam@example.com"}
    assert [v.who for v in _views(db, until=since)] == ["system"]

    rows = list(csv.reader(io.StringIO(audit_csv_text(_views(db, since=since)))))
    assert rows[0] == ["when_utc", "who", "action", "item", "changes"]
    assert [r[1:] for r in rows[1:]] == [
        ["'=sam@example.com", "thing.update", "Thing", "Name: Thing 1"],  # a formula stays text
        ["ada@example.com", "thing.create", "Thing", "Name: Thing 0"],
    ]
    assert all(isinstance(e, AuditEvent) for e in audit_list(session=db, actor=SYSTEM).rows)

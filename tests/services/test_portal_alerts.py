"""The portal's Alerts section on a real database (SQLite and PostgreSQL): a contact
changes its own customer's low-balance alerts only when the domain allows it, within the
domain's thresholds and count, emailing its own contacts only; every change is audited;
"Send test" queues the email through the outbox and is rate-limited."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.models import (
    AuditEvent,
    Contact,
    Customer,
    CustomerAlert,
    OutboxMessage,
    PortalDomain,
)
from portal_app.services import portal_alerts as pa
from portal_app.services.alert_limits import alert_limits_clean
from portal_app.services.crypto import decrypt_secret
from portal_app.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.ledger import ledger_add


def _seed(db, *, editable=True, low=5, high=500, count=2):
    domain = PortalDomain(
        host="alerts.example.test",
        brand_name="Acme",
        status="verified",
        alert_editable=editable,
        alert_min=low,
        alert_max=high,
        alert_max_count=count,
    )
    db.add(domain)
    db.flush()
    mine = Customer(name="Mine Ltd", currency="USD", domain_id=domain.id, credit_limit=1_000)
    other = Customer(name="Other Ltd", currency="USD", domain_id=domain.id)
    db.add_all([mine, other])
    db.flush()
    contacts = [
        Contact(customer_id=mine.id, name="Ann", email="ann@mine.example"),
        Contact(customer_id=mine.id, name="Bob", email="bob@mine.example"),
        Contact(customer_id=other.id, name="Oz", email="oz@other.example"),
    ]
    db.add_all(contacts)
    db.commit()
    ann = Actor(kind="contact", id=contacts[0].id, label="ann@mine.example", customer_id=mine.id)
    oz = Actor(kind="contact", id=contacts[2].id, label="oz@other.example", customer_id=other.id)
    return domain, mine, other, ann, oz


def _fields(fn, **kw) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        fn(**kw)
    return info.value.fields


def test_a_contact_adds_and_changes_alerts_within_the_limits(db):
    _domain, mine, _other, ann, _oz = _seed(db)
    alert = pa.own_alert_save(
        session=db, actor=ann, alert_id=None, threshold="25.00", recipients="ann@mine.example"
    )
    db.commit()
    assert (alert.threshold, alert.recipients) == (2_500, "ann@mine.example")
    pa.own_alert_save(
        session=db,
        actor=ann,
        alert_id=alert.id,
        threshold="40",
        recipients="ann@mine.example, BOB@mine.example",
    )
    db.commit()
    db.refresh(alert)
    assert (alert.threshold, alert.recipients) == (4_000, "ann@mine.example, bob@mine.example")
    audits = db.exec(
        select(AuditEvent).where(AuditEvent.entity_id == str(mine.id)).order_by(AuditEvent.id)
    ).all()
    assert [a.action for a in audits] == ["customer.alert_add", "customer.alert_update"]
    assert audits[1].before == {"threshold": 2_500, "recipients": "ann@mine.example"}
    assert audits[1].actor_label == "ann@mine.example"
    own = pa.own_alerts(session=db, actor=ann)
    assert [a.id for a in own.alerts] == [alert.id]
    assert own.contacts == ["ann@mine.example", "bob@mine.example"]
    assert (own.limits.min_minor, own.limits.max_minor, own.limits.max_count) == (500, 50_000, 2)


@pytest.mark.parametrize(
    ("threshold", "recipients", "field", "words"),
    [
        ("4.99", "ann@mine.example", "alert_threshold", "from $5.00 to $500.00"),
        ("500.01", "ann@mine.example", "alert_threshold", "from $5.00 to $500.00"),
        ("ten", "ann@mine.example", "alert_threshold", ""),
        ("10", "oz@other.example", "alert_recipients", "your company's contacts"),
        ("10", "anyone@evil.example", "alert_recipients", "your company's contacts"),
        ("10", "", "alert_recipients", "your company's contacts"),
    ],
)
def test_out_of_range_or_foreign_values_are_refused_and_nothing_changes(
    db, threshold, recipients, field, words
):
    _domain, mine, _other, ann, _oz = _seed(db)
    errors = _fields(
        pa.own_alert_save,
        session=db,
        actor=ann,
        alert_id=None,
        threshold=threshold,
        recipients=recipients,
    )
    assert field in errors and words in errors[field]
    db.rollback()
    assert db.exec(select(CustomerAlert)).all() == []
    assert db.exec(select(AuditEvent)).all() == []


def test_the_count_the_lock_and_other_customers_alerts(db):
    domain, mine, other, ann, oz = _seed(db, count=1)
    first = pa.own_alert_save(
        session=db, actor=ann, alert_id=None, threshold="10", recipients="ann@mine.example"
    )
    db.commit()
    with pytest.raises(Conflict, match="at most 1 alerts"):
        pa.own_alert_save(
            session=db, actor=ann, alert_id=None, threshold="20", recipients="ann@mine.example"
        )
    # Another customer's contact cannot see, change, remove or test it.
    assert pa.own_alerts(session=db, actor=oz).alerts == []
    for fn, kw in (
        (pa.own_alert_save, {"threshold": "30", "recipients": "oz@other.example"}),
        (pa.own_alert_delete, {}),
        (pa.own_alert_test, {}),
    ):
        with pytest.raises(NotFound):
            fn(session=db, actor=oz, alert_id=first.id, **kw)
    db.rollback()
    # Operators and no one else: a contact only.
    with pytest.raises(PermissionDenied):
        pa.own_alerts(session=db, actor=SYSTEM)
    # The operator turns editing off: the list stays, changes are refused.
    domain.alert_editable = False
    db.add(domain)
    db.commit()
    assert not pa.own_alerts(session=db, actor=ann).limits.editable
    with pytest.raises(PermissionDenied):
        pa.own_alert_delete(session=db, actor=ann, alert_id=first.id)
    # An operator-set address stays allowed on its own alert.
    domain.alert_editable = True
    db.add(domain)
    first.recipients = "billing@mine.example"
    db.add(first)
    db.commit()
    pa.own_alert_save(
        session=db,
        actor=ann,
        alert_id=first.id,
        threshold="15",
        recipients="billing@mine.example, ann@mine.example",
    )
    pa.own_alert_delete(session=db, actor=ann, alert_id=first.id)
    db.commit()
    assert db.get(CustomerAlert, first.id) is None
    assert mine.id != other.id


def test_send_test_queues_the_alert_email_and_is_rate_limited(db):
    _domain, mine, _other, ann, _oz = _seed(db)
    ledger_add(session=db, actor=SYSTEM, customer_id=mine.id, kind="payment", amount="42.00")
    alert = pa.own_alert_save(
        session=db,
        actor=ann,
        alert_id=None,
        threshold="50",
        recipients="ann@mine.example, bob@mine.example",
    )
    db.commit()
    for _ in range(3):  # PORTAL_LIMIT_ALERT_TEST: 3 per hour
        sent = pa.own_alert_test(session=db, actor=ann, alert_id=alert.id)
        db.commit()
    assert sent == ["ann@mine.example", "bob@mine.example"]
    with pytest.raises(Conflict, match="3 per 1 hour"):
        pa.own_alert_test(session=db, actor=ann, alert_id=alert.id)
    db.rollback()
    mails = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "low_balance")).all()
    assert len(mails) == 6 and {m.recipient for m in mails} == set(sent)
    assert mails[0].subject == "Test: Low balance: Mine Ltd"
    body = decrypt_secret(mails[0].text_enc)
    assert "test of the low-balance alert" in body and "$52.00" in body and "$50.00" in body
    tests = db.exec(select(AuditEvent).where(AuditEvent.action == "customer.alert_test")).all()
    assert len(tests) == 3 and tests[0].after["to"] == sent


def test_the_domain_editor_checks_the_limits():
    errors: dict[str, str] = {}
    clean = alert_limits_clean(
        {"alert_editable": True, "alert_min": "10", "alert_max": "5", "alert_max_count": "x"},
        errors,
    )
    assert clean["alert_editable"] is True
    assert set(errors) == {"alert_max", "alert_max_count"}
    errors = {}
    clean = alert_limits_clean(
        {"alert_min": "1", "alert_max": "99", "alert_max_count": "4"}, errors
    )
    assert errors == {} and (clean["alert_min"], clean["alert_max"]) == (1, 99)
    errors = {}
    alert_limits_clean({"alert_editable": True, "alert_max_count": "0"}, errors)
    assert "alert_max_count" in errors

"""The purge task drops what has ended and keeps what still counts."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal_app.models import AuthSession, Contact, Customer, LoginFailure, PasswordLink
from portal_app.models.base import utcnow
from portal_app.tasks import purge_expired


def test_purge_drops_ended_sessions_old_failures_and_expired_links(db):
    now = utcnow()
    customer = Customer(name="Acme")
    db.add(customer)
    db.flush()
    contact = Contact(customer_id=customer.id, name="Pat", email="pat@example.com")
    db.add(contact)
    db.flush()
    db.add_all(
        [
            AuthSession(token_hash="a" * 64, user_id=1, expires_at=now - timedelta(days=2)),
            AuthSession(token_hash="b" * 64, user_id=1, expires_at=now + timedelta(days=2)),
            LoginFailure(key="acct:x", at=now - timedelta(hours=1)),
            LoginFailure(key="acct:x", at=now),
            PasswordLink(
                token_hash="c" * 64,
                contact_id=contact.id,
                purpose="reset",
                expires_at=now - timedelta(days=2),
            ),
            PasswordLink(
                token_hash="d" * 64,
                contact_id=contact.id,
                purpose="reset",
                expires_at=now - timedelta(minutes=5),
            ),
        ]
    )
    db.commit()
    assert purge_expired() == (1, 1)
    db.expire_all()
    assert [s.token_hash[0] for s in db.exec(select(AuthSession)).all()] == ["b"]
    assert len(db.exec(select(LoginFailure)).all()) == 1
    assert [p.token_hash[0] for p in db.exec(select(PasswordLink)).all()] == ["d"]

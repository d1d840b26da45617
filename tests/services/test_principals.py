"""Resolved sessions are cached per process, and every change that could alter one takes
effect at the next check: the auth epoch (services/principals.py), on SQLite and
PostgreSQL, through the guard's path (no session: the dedicated epoch connection) and
through a caller's own session.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from portal_app.models import (
    AuthSession,
    Contact,
    Customer,
    CustomerStatus,
    DomainStatus,
    OperatorGroup,
    PortalDomain,
)
from portal_app.models.base import utcnow
from portal_app.services import principals
from portal_app.services.groups import group_update
from portal_app.services.identity import SYSTEM
from portal_app.services.portal import portal_context
from portal_app.services.principals import epoch_read, operator_for_token
from portal_app.services.sessions import session_create, session_revoke


def _epoch(engine) -> int:
    with Session(engine) as session:
        return epoch_read(session)


def _operator(db, make_user, make_group):
    group = make_group(grants={"customer": "allow"})
    user = make_user(group=group)
    token = session_create(session=db, user_id=user.id)
    db.commit()
    return user, group, token


def test_a_revocation_committed_elsewhere_ends_a_cached_session_at_once(
    db, engine, make_user, make_group
):
    user, _, token = _operator(db, make_user, make_group)
    assert operator_for_token(db, token).id == user.id
    assert principals._cache.get(("operator", principals.token_hash(token), ""), _epoch(engine))
    with Session(engine) as other:  # another worker, or the CLI
        session_revoke(session=other, token=token)
        other.commit()
    assert operator_for_token(db, token) is None


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # the app's own database
def test_the_guards_path_sees_a_revocation_at_once(engine, db, make_user, make_group):
    """No session given: the hit is one read on the epoch connection, still exact."""
    user, _, token = _operator(db, make_user, make_group)
    assert operator_for_token(None, token).id == user.id
    assert operator_for_token(None, token).id == user.id  # a cache hit
    # The check noted the session as seen; the lifespan task writes it in a batch.
    assert principals.seen_flush() == 1 and principals.seen_flush() == 0
    db.expire_all()
    row = db.exec(sa.select(AuthSession).where(AuthSession.user_id == user.id)).scalar_one()
    assert row.last_seen_at is not None
    with Session(engine) as other:
        session_revoke(session=other, token=token)
        other.commit()
    assert operator_for_token(None, token) is None


def test_a_group_change_is_seen_by_the_next_check(db, engine, make_user, make_group):
    _, group, token = _operator(db, make_user, make_group)
    assert operator_for_token(db, token).can("customer")
    group_update(
        session=db, actor=SYSTEM, group_id=group.id, data={"name": group.name, "grants": {}}
    )
    db.commit()
    assert not operator_for_token(db, token).can("customer")


def test_a_bulk_update_raises_the_epoch_and_bookkeeping_does_not(db, engine):
    domain = PortalDomain(host="acme.example.test", brand_name="Acme")
    domain.status = DomainStatus.VERIFIED.value
    db.add(domain)
    db.commit()
    before = _epoch(engine)
    domain.last_checked_at, domain.check_failures = utcnow(), 3  # the DNS re-check's columns
    db.add(domain)
    db.commit()
    assert _epoch(engine) == before
    db.execute(sa.update(Customer).values(status=CustomerStatus.SUSPENDED.value))
    db.commit()
    assert _epoch(engine) == before + 1


def test_a_rolled_back_change_leaves_no_stale_cache(db, engine, make_user, make_group):
    user, group, token = _operator(db, make_user, make_group)
    group.grants = {}
    db.add(group)
    db.flush()  # raises the epoch inside this transaction
    assert not operator_for_token(db, token).can("customer")  # what this transaction sees
    db.rollback()
    assert operator_for_token(db, token).can("customer")
    assert db.get(OperatorGroup, group.id).grants["customer"] == "allow"


def test_a_contacts_cached_portal_follows_its_customer(db, engine):
    domain = PortalDomain(host="acme.example.test", brand_name="Acme", access=["balance"])
    domain.status = DomainStatus.VERIFIED.value
    db.add(domain)
    db.flush()
    customer = Customer(name="Bluebird", domain_id=domain.id)
    db.add(customer)
    db.flush()
    contact = Contact(customer_id=customer.id, name="Bea", email="bea@example.com")
    db.add(contact)
    db.flush()
    token = session_create(session=db, user_id=contact.id, principal="contact")
    db.commit()
    assert portal_context(session=db, token=token, host="acme.example.test").sections == (
        "balance",
    )
    assert portal_context(session=db, token=token, host="other.example.test") is None
    customer.status = CustomerStatus.SUSPENDED.value
    db.add(customer)
    db.commit()
    assert portal_context(session=db, token=token, host="acme.example.test") is None


# Only the engine module and the models: what a script, a CLI command or an import child
# imports before it writes. Its ORM change must raise the epoch all the same.
_WRITER = """
import sys
from sqlmodel import Session
from portal_app.models import Customer
from portal_app.services.db import make_engine

with Session(make_engine(sys.argv[1])) as session:
    customer = session.get(Customer, int(sys.argv[2]))
    customer.portal_access = {"packages": "show"}
    session.add(customer)
    session.commit()
"""


def test_a_process_that_only_opened_the_engine_raises_the_epoch(db, engine):
    customer = Customer(name="Bluebird")
    db.add(customer)
    db.commit()
    before = _epoch(engine)
    url = engine.url.render_as_string(hide_password=False)
    subprocess.run([sys.executable, "-c", _WRITER, url, str(customer.id)], check=True, timeout=60)
    db.expire_all()
    assert db.get(Customer, customer.id).portal_access == {"packages": "show"}
    assert _epoch(engine) == before + 1

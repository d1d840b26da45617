"""My Account on SQLite and PostgreSQL: Personal Information's mobile number (E.164
through phonenumbers, shown formatted) and the account's security Settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal_app.models import AccountConfig, AuditEvent, AuthSession, Customer, OperatorUser, Role
from portal_app.models.base import utcnow
from portal_app.services.contacts import contact_create
from portal_app.services.crypto import token_hash
from portal_app.services.errors import PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM
from portal_app.services.policy import TOTP_FIRST, Need, Rule, authorize, decide
from portal_app.services.principals import cache_clear, operator_for_token
from portal_app.services.profile import profile_update
from portal_app.services.security_settings import (
    SessionLimits,
    security_settings_update,
    session_limits,
)
from portal_app.services.sessions import session_create
from portal_app.services.users import actor_for
from portal_app.services.validation import check_password, format_phone
from portal_app.settings import get_settings


def test_a_mobile_number_is_stored_in_e164_and_shown_formatted(db, make_user):
    user = make_user(name="Mo Bile")
    me = actor_for(user, db)
    profile_update(session=db, actor=me, data={"name": "Mo Bile", "mobile": "+44 7911 123 456"})
    db.commit()
    db.expire_all()
    assert db.get(OperatorUser, user.id).mobile == "+447911123456"
    assert format_phone("+447911123456") == "+44 7911 123456"
    (audit,) = db.exec(select(AuditEvent).where(AuditEvent.action == "user.profile_update")).all()
    assert audit.after == {"name": "Mo Bile", "mobile": "+447911123456"}
    profile_update(session=db, actor=me, data={"name": "Mo Bile", "mobile": ""})  # cleared
    db.commit()
    db.expire_all()
    assert db.get(OperatorUser, user.id).mobile == ""


@pytest.mark.parametrize("mobile", ["07700 900123", "+44 12", "+1 555 0100 x12", "call me"])
def test_a_bad_mobile_number_gets_a_message_and_changes_nothing(db, make_user, mobile):
    user = make_user(name="Mo Bile")
    with pytest.raises(ValidationError) as err:
        profile_update(
            session=db, actor=actor_for(user, db), data={"name": "New Name", "mobile": mobile}
        )
    assert "mobile number" in err.value.fields["mobile"]
    db.rollback()
    db.expire_all()
    row = db.get(OperatorUser, user.id)
    assert (row.name, row.mobile) == ("Mo Bile", "")


# Settings (security) -----------------------------------------------------------------


def _settings(db, actor, **data):
    form = {"session_idle_minutes": "", "session_days": "", "min_password_length": "10"}
    row = security_settings_update(session=db, actor=actor, data=form | data)
    db.commit()
    return row


def test_only_an_administrator_changes_security_settings_and_each_change_is_audited(db, make_user):
    user = make_user(role=Role.USER.value)
    with pytest.raises(PermissionDenied):
        _settings(db, actor_for(user, db), require_totp="on")
    _settings(db, SYSTEM, require_totp="on", min_password_length="14")
    (audit,) = db.exec(select(AuditEvent).where(AuditEvent.action == "config.security")).all()
    assert audit.after["require_totp"] is True and audit.after["min_password_length"] == 14


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"session_idle_minutes": "0"}, "session_idle_minutes"),
        ({"session_days": "366"}, "session_days"),
        ({"session_days": "two"}, "session_days"),
        ({"min_password_length": "9"}, "min_password_length"),
        ({"min_password_length": ""}, "min_password_length"),
        ({"session_idle_minutes": "3000", "session_days": "1"}, "session_idle_minutes"),
    ],
)
def test_bad_security_settings_get_a_message_next_to_the_field_and_change_nothing(db, data, field):
    with pytest.raises(ValidationError) as err:
        _settings(db, SYSTEM, **data)
    assert list(err.value.fields) == [field]
    db.rollback()
    assert db.get(AccountConfig, 1) is None


def test_the_accounts_session_lifetimes_override_the_environments(db, make_user):
    env = get_settings()
    assert session_limits(session=db) == SessionLimits(env.session_idle_minutes, env.session_days)
    user = make_user()
    old = session_create(session=db, user_id=user.id)
    db.commit()
    _settings(db, SYSTEM, session_idle_minutes="5", session_days="2")
    assert session_limits(session=db) == SessionLimits(5, 2)
    token = session_create(session=db, user_id=user.id)
    db.commit()
    row = db.exec(select(AuthSession).where(AuthSession.token_hash == token_hash(token))).one()
    assert timedelta(days=2) - (row.expires_at - row.created_at) < timedelta(seconds=5)
    assert operator_for_token(db, token) is not None
    # An older session past the new idle timeout ends; so does one past the lifetime.
    for t, field, ago in ((old, "last_seen_at", timedelta(minutes=6)),
                          (token, "created_at", timedelta(days=3))):  # fmt: skip
        cache_clear()
        r = db.exec(select(AuthSession).where(AuthSession.token_hash == token_hash(t))).one()
        setattr(r, field, utcnow() - ago)
        if field == "created_at":
            r.last_seen_at = utcnow()
        db.add(r)
        db.commit()
        assert operator_for_token(db, t) is None


def test_the_minimum_password_length_applies_to_operators_and_contacts(db, make_user):
    _settings(db, SYSTEM, min_password_length="16")
    with pytest.raises(ValidationError) as err:
        make_user(password="fifteen-chars-x")
    assert err.value.fields["password"] == "Use at least 16 characters."
    db.rollback()
    assert check_password("ten-chars!", 4) is None  # never below the built-in 10
    assert check_password("nine-char", 4) == "Use at least 10 characters."
    customer = Customer(name="Minimum Co")
    db.add(customer)
    db.commit()
    with pytest.raises(ValidationError) as err:
        contact_create(
            session=db, actor=SYSTEM, customer_id=customer.id,
            data={"name": "Pat", "email": "pat@min.example", "password": "fifteen-chars-x"},
        )  # fmt: skip
    assert "16" in err.value.fields["password"]
    db.rollback()
    make_user(password="sixteen-chars-ok")  # long enough passes


def test_required_two_factor_leaves_an_operator_without_it_only_the_setup(db, make_user):
    user = make_user(role=Role.ADMIN.value)
    token = session_create(session=db, user_id=user.id)
    db.commit()
    assert not operator_for_token(db, token).totp_required
    _settings(db, SYSTEM, require_totp="on")
    who = operator_for_token(db, token)
    assert who.totp_required
    assert decide(Rule(Need.ADMIN), who) == TOTP_FIRST
    assert decide(Rule(Need.OPERATOR, before_totp=True), who) is None
    decision = authorize(Rule(Need.OPERATOR), token=token, host="localhost", session=db)
    assert not decision.allowed and decision.totp_setup
    user = db.get(OperatorUser, user.id)
    user.totp_enabled = True
    db.add(user)
    db.commit()
    assert not operator_for_token(db, token).totp_required

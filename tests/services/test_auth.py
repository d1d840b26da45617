"""Operator login (services/auth.py), sessions, throttling and two-factor authentication.

Real argon2 hashes, real HMAC token hashes, real TOTP codes computed with pyotp from
the secret the enrolment returns. Failures are counted in the database, so several
tests read them back through a second session to prove they were committed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from portal_app.models import AuditEvent, AuthSession, OperatorUser, OutboxMessage, RecoveryCode
from portal_app.models.base import utcnow
from portal_app.services.auth import (
    BAD_CODE,
    BAD_LOGIN,
    login_password,
    login_second_factor,
)
from portal_app.services.credentials import password_change, totp_begin, totp_confirm, totp_disable
from portal_app.services.crypto import decrypt_secret, verify_password
from portal_app.services.devices import device_token_issue, device_trusted
from portal_app.services.errors import AuthFailed, Conflict, Throttled, ValidationError
from portal_app.services.identity import SYSTEM
from portal_app.services.limiter import limit_count, limit_hit, rate
from portal_app.services.sessions import session_create, session_revoke, session_user
from portal_app.services.totp import recovery_codes_regenerate
from portal_app.services.users import user_update
from portal_app.settings import get_settings

from .conftest import PASSWORD
from .race import together

CLIENT = "198.51.100.7"


def _failures(engine, key: str) -> int:
    """Failures for a throttle key, as committed (read through another session)."""
    name, _, value = key.partition(":")
    with Session(engine) as other:
        return limit_count(session=other, name=name, key=value)


def _fail_login(db: Session, email: str, client: str = CLIENT) -> None:
    with pytest.raises(AuthFailed):
        login_password(session=db, email=email, password="wrong-password", client=client)


# Password step -----------------------------------------------------------------------


def test_right_password_gives_a_working_session(db, make_user):
    ann = make_user(email="ann@example.com")
    result = login_password(
        session=db, email="  ANN@example.com ", password=PASSWORD, client=CLIENT, user_agent="UA"
    )
    db.commit()
    assert (result.user_id, result.needs_totp) == (ann.id, False)
    assert session_user(session=db, token=result.token).id == ann.id
    row = db.exec(select(AuthSession)).one()
    assert (row.client_ip, row.user_agent) == (CLIENT, "UA")
    assert db.get(OperatorUser, ann.id).last_login_at is not None


def test_wrong_password_unknown_email_and_disabled_user_get_the_same_answer(db, make_user):
    make_user(email="ann@example.com")
    make_user(email="off@example.com", enabled=False)
    attempts = [
        ("ann@example.com", "wrong-password"),
        ("nobody@example.com", PASSWORD),
        ("off@example.com", PASSWORD),  # the right password of a disabled account
    ]
    messages = []
    for email, password in attempts:
        with pytest.raises(AuthFailed) as exc:
            login_password(session=db, email=email, password=password, client=CLIENT)
        messages.append(exc.value.message)
    assert messages == [BAD_LOGIN] * 3
    assert db.exec(select(AuthSession)).all() == []


def test_disabled_user_cannot_log_in(db, make_user):
    ann = make_user(email="ann@example.com")
    assert login_password(session=db, email="ann@example.com", password=PASSWORD).token
    user_update(
        session=db,
        actor=SYSTEM,
        user_id=ann.id,
        data={"name": ann.name, "email": ann.email, "role": ann.role, "enabled": False},
    )
    db.commit()
    with pytest.raises(AuthFailed, match=re.escape(BAD_LOGIN)):
        login_password(session=db, email="ann@example.com", password=PASSWORD)


# Throttling --------------------------------------------------------------------------


def _key(email: str, client: str = CLIENT) -> str:
    """The ``login`` limit's key: one account from one client."""
    return f"login:operator|{email}|{client}"


def test_five_failures_refuse_that_client_but_not_the_owner_elsewhere(db, engine, make_user):
    make_user(email="ann@example.com")
    for _ in range(5):
        _fail_login(db, "ann@example.com")
    db.rollback()  # whatever the caller does after AuthFailed, the failures stay
    assert _failures(engine, _key("ann@example.com")) == 5
    assert _failures(engine, f"login_client:{CLIENT}") == 5
    with pytest.raises(Throttled, match="Too many failed attempts. Wait 15 minutes"):
        login_password(session=db, email="ann@example.com", password=PASSWORD, client=CLIENT)
    assert db.exec(select(AuthSession)).all() == []
    # The limit is per account and client: five failures from one address do not lock
    # the owner out from theirs.
    result = login_password(
        session=db, email="ANN@example.com", password=PASSWORD, client="10.0.0.9"
    )
    assert result.token


def test_four_failures_do_not_lock_the_account(db, make_user):
    make_user(email="ann@example.com")
    for _ in range(4):
        _fail_login(db, "ann@example.com")
    assert login_password(session=db, email="ann@example.com", password=PASSWORD).token


def test_failures_older_than_the_window_do_not_count(db, make_user):
    make_user(email="ann@example.com")
    old = utcnow() - timedelta(minutes=16)
    for _ in range(20):
        limit_hit(session=db, name="login", key=_key("ann@example.com")[6:], now=old)
        limit_hit(session=db, name="login_client", key=CLIENT, now=old)
    result = login_password(session=db, email="ann@example.com", password=PASSWORD, client=CLIENT)
    assert result.token


def test_twenty_failures_from_one_client_lock_it_across_accounts(db, engine, make_user):
    make_user(email="ann@example.com")
    for n in range(20):  # one failure each: no single account reaches its limit
        _fail_login(db, f"guess{n}@example.com")
    assert _failures(engine, f"login_client:{CLIENT}") == 20
    assert _failures(engine, _key("ann@example.com")) == 0
    with pytest.raises(Throttled):
        login_password(session=db, email="ann@example.com", password=PASSWORD, client=CLIENT)
    # The same account from another client is fine: the lock was on the client.
    result = login_password(
        session=db, email="ann@example.com", password=PASSWORD, client="203.0.113.5"
    )
    assert result.token


def test_successful_login_clears_the_accounts_failures(db, engine, make_user):
    make_user(email="ann@example.com")
    for _ in range(4):
        _fail_login(db, "ann@example.com")
    login = login_password(session=db, email="ann@example.com", password=PASSWORD, client=CLIENT)
    assert login.token
    db.commit()
    assert _failures(engine, _key("ann@example.com")) == 0
    # Four more would make eight without the reset, and lock the account.
    for _ in range(4):
        _fail_login(db, "ann@example.com")
    assert login_password(session=db, email="ann@example.com", password=PASSWORD).token


def test_a_browser_that_logged_in_before_is_slowed_down_not_refused(db, make_user):
    ann = make_user(email="ann@example.com")
    bob = make_user(email="bob@example.com")
    for _ in range(5):
        _fail_login(db, "ann@example.com")
    device = device_token_issue(principal="operator", user_id=ann.id)
    pauses: list[float] = []
    result = login_password(
        session=db,
        email="ann@example.com",
        password=PASSWORD,
        client=CLIENT,
        device=device,
        pause=pauses.append,
    )
    assert result.token and pauses == [get_settings().login_slow_seconds]
    # Bob's device cookie, a forged one or none: refused as before.
    for _ in range(5):
        _fail_login(db, "ann@example.com")
    forged = device[:-1] + ("1" if device.endswith("0") else "0")
    bobs = device_token_issue(principal="operator", user_id=bob.id)
    for other in ("", bobs, forged, device.replace("operator", "contact", 1)):
        with pytest.raises(Throttled):
            login_password(
                session=db,
                email="ann@example.com",
                password=PASSWORD,
                client=CLIENT,
                device=other,
                pause=pauses.append,
            )
    assert pauses == [get_settings().login_slow_seconds]


def test_device_cookies_name_one_account_and_expire(make_user):
    now = time.time()
    token = device_token_issue(principal="operator", user_id=7, now=now)
    assert device_trusted(token=token, principal="operator", user_id=7, now=now + 60)
    assert not device_trusted(token=token, principal="operator", user_id=8, now=now)
    assert not device_trusted(token=token, principal="contact", user_id=7, now=now)
    days = get_settings().device_days
    assert not device_trusted(
        token=token, principal="operator", user_id=7, now=now + days * 86400 + 1
    )
    assert not device_trusted(token="x" * 500, principal="operator", user_id=7, now=now)


def test_repeated_failures_from_anywhere_email_the_owner_once(db, make_user):
    make_user(email="ann@example.com", name="Ann Owner")
    amount = rate("login_alert").amount
    for n in range(amount + 2):  # from many addresses: no client reaches its own limit
        _fail_login(db, "ann@example.com", client=f"10.9.0.{n}")
        _fail_login(db, "nobody@example.com", client=f"10.9.1.{n}")
    (alert,) = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "login_failures")).all()
    text = decrypt_secret(alert.text_enc)
    assert alert.recipient == "ann@example.com"
    assert f"{amount} failed attempts" in text and "Ann Owner" in text
    # Nobody was locked out by it.
    assert login_password(session=db, email="ann@example.com", password=PASSWORD).token


# Sessions ----------------------------------------------------------------------------


def test_session_token_is_random_url_safe_and_stored_only_as_hmac(db, make_user):
    ann = make_user()
    tokens = [session_create(session=db, user_id=ann.id) for _ in range(3)]
    db.commit()
    assert len(set(tokens)) == 3
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    key = get_settings().secret_key.get_secret_value().encode()
    expected = {hmac.new(key, t.encode(), hashlib.sha256).hexdigest() for t in tokens}
    assert {row.token_hash for row in db.exec(select(AuthSession))} == expected
    raw_rows = db.connection().execute(sa.text("SELECT * FROM auth_session")).all()
    dumped = repr(raw_rows)
    assert len(raw_rows) == 3
    assert not any(token in dumped for token in tokens)


def test_expired_revoked_unknown_or_oversized_tokens_resolve_to_none(db, make_user):
    ann = make_user()
    live, expired, revoked = (session_create(session=db, user_id=ann.id) for _ in range(3))
    db.commit()
    mine = select(AuthSession).where(AuthSession.user_id == ann.id).order_by(AuthSession.id)
    row = db.exec(mine).all()[1]  # the second created: ``expired``
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    session_revoke(session=db, token=revoked)
    db.commit()
    assert session_user(session=db, token=live).id == ann.id
    assert session_user(session=db, token=expired) is None
    assert session_user(session=db, token=revoked) is None
    assert session_user(session=db, token="not-a-token") is None
    assert session_user(session=db, token="") is None
    assert session_user(session=db, token=live + "x" * 100) is None


def test_a_session_of_another_principal_is_not_an_operator_session(db, make_user):
    ann = make_user()
    token = session_create(session=db, user_id=ann.id, principal="contact")
    db.commit()
    assert session_user(session=db, token=token) is None


# Two-factor authentication -----------------------------------------------------------


def _enrol(db: Session, user: OperatorUser, as_actor) -> tuple[pyotp.TOTP, list[str]]:
    """Turn 2FA on with the code of the previous time-step, so the current code is
    still unused (a code is accepted once) when the test logs in."""
    if 30 - time.time() % 30 < 2:  # too close to a step boundary: wait for the next
        time.sleep(30 - time.time() % 30 + 0.1)
    actor = as_actor(user)
    enrolment = totp_begin(session=db, actor=actor)
    db.commit()
    totp = pyotp.TOTP(enrolment.secret)
    codes = totp_confirm(session=db, actor=actor, code=totp.at(time.time() - 30))
    db.commit()
    return totp, codes


def _wrong_code(totp: pyotp.TOTP) -> str:
    now = time.time()
    near = {totp.at(now + d) for d in (-60, -30, 0, 30, 60)}
    return next(
        c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in near
    )


def test_enrolment_stores_the_secret_encrypted(db, make_user, as_actor):
    ann = make_user()
    enrolment = totp_begin(session=db, actor=as_actor(ann))
    db.commit()
    assert re.fullmatch(r"[A-Z2-7]{32}", enrolment.secret)
    assert enrolment.uri.startswith("otpauth://totp/Carrier%20Portal:")
    assert enrolment.qr_svg_data_uri.startswith("data:image/svg+xml")
    query = sa.text("SELECT totp_secret_enc FROM operator_user WHERE id = :id")
    (stored,) = db.connection().execute(query, {"id": ann.id}).one()
    assert stored and enrolment.secret not in stored
    assert decrypt_secret(stored) == enrolment.secret
    assert db.get(OperatorUser, ann.id).totp_enabled is False  # off until confirmed


def test_totp_confirm_with_wrong_code_is_refused(db, make_user, as_actor):
    ann = make_user()
    actor = as_actor(ann)
    totp = pyotp.TOTP(totp_begin(session=db, actor=actor).secret)
    db.commit()
    for bad in (_wrong_code(totp), "12345", "abcdef"):
        with pytest.raises(ValidationError) as exc:
            totp_confirm(session=db, actor=actor, code=bad)
        assert set(exc.value.fields) == {"totp_code"}
    db.commit()
    assert db.get(OperatorUser, ann.id).totp_enabled is False
    assert db.exec(select(RecoveryCode)).all() == []


def test_totp_confirm_enables_2fa_with_ten_recovery_codes(db, make_user, as_actor):
    ann = make_user()
    _, codes = _enrol(db, ann, as_actor)
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", c) for c in codes)
    stored = db.exec(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
    assert db.get(OperatorUser, ann.id).totp_enabled
    (row,) = db.exec(select(AuditEvent).where(AuditEvent.action == "user.totp_enable")).all()
    assert row.actor_id == ann.id
    with pytest.raises(Conflict):
        totp_begin(session=db, actor=as_actor(ann))


def test_login_with_totp_needs_the_code_and_refuses_replay(db, make_user, as_actor):
    ann = make_user(email="ann@example.com")
    totp, _ = _enrol(db, ann, as_actor)
    result = login_password(session=db, email="ann@example.com", password=PASSWORD)
    assert (result.user_id, result.needs_totp, result.token) == (ann.id, True, None)
    assert db.exec(select(AuthSession)).all() == []

    code = totp.now()
    token = login_second_factor(session=db, user_id=ann.id, code=code, client=CLIENT)
    db.commit()
    assert session_user(session=db, token=token).id == ann.id

    with pytest.raises(AuthFailed) as exc:
        login_second_factor(session=db, user_id=ann.id, code=code, client=CLIENT)
    assert exc.value.message == BAD_CODE
    with pytest.raises(AuthFailed, match=re.escape(BAD_CODE)):
        login_second_factor(session=db, user_id=ann.id, code=_wrong_code(totp), client=CLIENT)
    assert len(db.exec(select(AuthSession)).all()) == 1


def test_recovery_code_works_once(db, make_user, as_actor):
    ann = make_user(email="ann@example.com")
    _, codes = _enrol(db, ann, as_actor)
    token = login_second_factor(session=db, user_id=ann.id, code=codes[0])
    db.commit()
    assert session_user(session=db, token=token).id == ann.id
    with pytest.raises(AuthFailed, match=re.escape(BAD_CODE)):
        login_second_factor(session=db, user_id=ann.id, code=codes[0])
    # Typed loosely (lower case, no dash, spaces): still accepted, once.
    loose = " ".join(codes[1].replace("-", "").lower())
    assert login_second_factor(session=db, user_id=ann.id, code=loose)
    db.commit()
    used = db.exec(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))).all()
    assert len(used) == 2


def _second_factor_twice_at_once(engine, user_id: int, code: str) -> list:
    """The same code submitted by two requests at the same moment."""
    return together(
        engine,
        [
            lambda s: login_second_factor(session=s, user_id=user_id, code=code, client=CLIENT)
            for _ in range(2)
        ],
    )


def test_a_totp_code_submitted_twice_at_once_logs_in_once(db, engine, make_user, as_actor):
    ann = make_user(email="ann@example.com")
    totp, _ = _enrol(db, ann, as_actor)
    results = _second_factor_twice_at_once(engine, ann.id, totp.now())
    tokens = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, AuthFailed)]
    assert len(tokens) == 1 and len(refused) == 1, results
    db.expire_all()
    assert len(db.exec(select(AuthSession)).all()) == 1


def test_a_recovery_code_submitted_twice_at_once_logs_in_once(db, engine, make_user, as_actor):
    ann = make_user(email="ann@example.com")
    _, codes = _enrol(db, ann, as_actor)
    results = _second_factor_twice_at_once(engine, ann.id, codes[0])
    tokens = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, AuthFailed)]
    assert len(tokens) == 1 and len(refused) == 1, results
    db.expire_all()
    assert len(db.exec(select(AuthSession)).all()) == 1
    used = db.exec(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))).all()
    assert len(used) == 1


def test_second_factor_failures_throttle_the_account(db, make_user, as_actor):
    ann = make_user(email="ann@example.com")
    totp, codes = _enrol(db, ann, as_actor)
    for _ in range(5):
        with pytest.raises(AuthFailed):
            login_second_factor(session=db, user_id=ann.id, code=_wrong_code(totp))
    with pytest.raises(Throttled):
        login_second_factor(session=db, user_id=ann.id, code=codes[0])


def test_second_factor_is_refused_for_a_user_without_2fa(db, make_user):
    ann = make_user()
    with pytest.raises(AuthFailed, match=re.escape(BAD_LOGIN)):
        login_second_factor(session=db, user_id=ann.id, code="123456")
    with pytest.raises(AuthFailed, match=re.escape(BAD_LOGIN)):
        login_second_factor(session=db, user_id=ann.id + 1000, code="123456")


def test_totp_disable_needs_the_right_password(db, make_user, as_actor):
    ann = make_user(email="ann@example.com")
    _enrol(db, ann, as_actor)
    with pytest.raises(ValidationError) as exc:
        totp_disable(session=db, actor=as_actor(ann), password="wrong-password")
    assert exc.value.fields == {"totp_password": "Your password is not correct."}
    db.rollback()
    assert db.get(OperatorUser, ann.id).totp_enabled

    totp_disable(session=db, actor=as_actor(ann), password=PASSWORD)
    db.commit()
    user = db.get(OperatorUser, ann.id)
    assert (user.totp_enabled, user.totp_secret_enc, user.totp_last_step) == (False, None, 0)
    assert db.exec(select(RecoveryCode)).all() == []
    result = login_password(session=db, email="ann@example.com", password=PASSWORD)
    assert not result.needs_totp and result.token


def test_recovery_codes_regenerate_needs_password_and_replaces_the_old_codes(
    db, make_user, as_actor
):
    ann = make_user()
    _, old_codes = _enrol(db, ann, as_actor)
    with pytest.raises(ValidationError) as exc:
        recovery_codes_regenerate(session=db, actor=as_actor(ann), password="wrong-password")
    assert exc.value.fields == {"totp_password": "Your password is not correct."}
    new_codes = recovery_codes_regenerate(session=db, actor=as_actor(ann), password=PASSWORD)
    db.commit()
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    with pytest.raises(AuthFailed):
        login_second_factor(session=db, user_id=ann.id, code=old_codes[0])
    assert login_second_factor(session=db, user_id=ann.id, code=new_codes[0])


# Password change ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field"),
    [
        ("wrong-password", "a-new-password", "a-new-password", "current_password"),
        (PASSWORD, "short", "short", "new_password"),
        (PASSWORD, "a-new-password", "a-new-passw0rd", "confirm_password"),
    ],
    ids=["wrong-current", "too-short", "mismatch"],
)
def test_password_change_validates(db, make_user, as_actor, current, new, confirm, field):
    ann = make_user()
    token = session_create(session=db, user_id=ann.id)
    db.commit()
    with pytest.raises(ValidationError) as exc:
        password_change(session=db, actor=as_actor(ann), current=current, new=new, confirm=confirm)
    assert set(exc.value.fields) == {field}
    db.rollback()
    assert verify_password(PASSWORD, db.get(OperatorUser, ann.id).password_hash)
    assert session_user(session=db, token=token).id == ann.id


def test_password_change_gives_a_new_session_and_ends_the_others(db, make_user, as_actor):
    ann = make_user(email="ann@example.com")
    old_tokens = [session_create(session=db, user_id=ann.id) for _ in range(2)]
    db.commit()
    new_token = password_change(
        session=db,
        actor=as_actor(ann),
        current=PASSWORD,
        new="a-new-password",
        confirm="a-new-password",
        client=CLIENT,
    )
    db.commit()
    assert new_token not in old_tokens
    assert session_user(session=db, token=new_token).id == ann.id
    assert [session_user(session=db, token=t) for t in old_tokens] == [None, None]
    (row,) = db.exec(select(AuditEvent).where(AuditEvent.action == "user.password_change")).all()
    assert (row.actor_id, row.after) == (ann.id, {"password": "changed"})
    with pytest.raises(AuthFailed):
        login_password(session=db, email="ann@example.com", password=PASSWORD)
    assert login_password(session=db, email="ann@example.com", password="a-new-password").token

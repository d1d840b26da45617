"""The SMS gateway (SMTP Details' From Mobile number and Test Mobile) against a real
local HTTP server that checks requests as a provider does (tests/smsserver.py), on
SQLite and PostgreSQL; the secret is stored encrypted and never shown."""

from __future__ import annotations

import base64

import pytest
from sqlmodel import select

from portal_app.models import AccountConfig, AuditEvent, Role
from portal_app.services.crypto import decrypt_secret
from portal_app.services.errors import PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM
from portal_app.services.profile import profile_update
from portal_app.services.sms import (
    SmsConfig,
    SmsError,
    account_sms_update,
    account_sms_view,
    send_sms,
    sms_test,
    url_problem,
)
from portal_app.services.smtp_guard import SmtpRules
from portal_app.services.users import actor_for
from tests.smsserver import SECRET, USERNAME, sms_gateway

FROM = "+447911123456"
TO = "+12024561111"


def _save(db, url: str, secret: str = SECRET, **extra) -> dict:
    data = {"from_mobile": "+44 7911 123456", "url": url, "username": USERNAME, "secret": secret}
    view = account_sms_update(session=db, actor=SYSTEM, data=data | extra)
    db.commit()
    return view


def test_the_test_sms_reaches_the_gateway_as_a_provider_expects(db):
    with sms_gateway() as gateway:
        view = _save(db, gateway.url)
        assert view == {
            "from_mobile": "+44 7911 123456",
            "url": gateway.url,
            "username": USERNAME,
            "has_secret": True,
        }  # fmt: skip (shown grouped, stored in E.164)
        row = db.get(AccountConfig, 1)
        assert row.smtp_from_mobile == FROM

        assert SECRET not in row.sms_secret_enc and decrypt_secret(row.sms_secret_enc) == SECRET
        answer = sms_test(session=db, actor=SYSTEM, to="+1 202-456-1111")
        (got,) = gateway.received
    assert answer.startswith("HTTP 200") and "SM1" in answer
    assert got.fields == {"to": TO, "from": FROM, "text": "This is a test SMS from Carrier Portal."}
    user, secret = base64.b64decode(got.headers["authorization"].split()[1]).decode().split(":")
    assert (user, secret) == (USERNAME, SECRET)
    assert got.headers["content-type"] == "application/x-www-form-urlencoded"


def test_an_empty_secret_keeps_the_saved_one_and_a_wrong_one_is_refused_by_the_gateway(db):
    with sms_gateway() as gateway:
        _save(db, gateway.url)
        _save(db, gateway.url, secret="")  # "unchanged"
        assert sms_test(session=db, actor=SYSTEM, to=TO).startswith("HTTP 200")
        _save(db, gateway.url, secret="not-the-key")
        with pytest.raises(SmsError) as err:
            sms_test(session=db, actor=SYSTEM, to=TO)
        assert [r.status for r in gateway.received] == [200, 401]
    assert "refused the username or secret" in err.value.message and "401" in err.value.message
    (first, *_rest) = db.exec(
        select(AuditEvent).where(AuditEvent.action == "config.sms_update").order_by(AuditEvent.id)
    ).all()
    assert first.after["secret"] == "changed" and SECRET not in str(first.after)


def test_a_number_the_gateway_refuses_gets_its_answer(db):
    # A sender saved before the E.164 rule: the gateway, not us, says no.
    with sms_gateway() as gateway:
        _save(db, gateway.url)
        row = db.get(AccountConfig, 1)
        row.smtp_from_mobile = "0044 7911"
        db.add(row)
        db.commit()
        with pytest.raises(SmsError) as err:
            sms_test(session=db, actor=SYSTEM, to=TO)
        assert [r.status for r in gateway.received] == [400]
    assert "invalid phone number" in err.value.message


def test_the_test_goes_to_ones_own_mobile_by_default(db, make_user):
    admin = make_user(role=Role.ADMIN.value)
    me = actor_for(admin, db)
    with sms_gateway() as gateway:
        _save(db, gateway.url)
        with pytest.raises(ValidationError) as err:
            sms_test(session=db, actor=me)
        assert "sms_to" in err.value.fields and gateway.received == []
        profile_update(session=db, actor=me, data={"name": admin.name, "mobile": TO})
        db.commit()
        sms_test(session=db, actor=me)
        assert [r.fields["to"] for r in gateway.received] == [TO]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"from_mobile": "07911 123456"}, "from_mobile"),
        ({"url": "ftp://sms.example.com"}, "url"),
        ({"url": "https://user:pw@sms.example.com/send"}, "url"),
        ({"username": "two\nlines"}, "username"),
        ({"secret": "new", "clear_secret": True}, "secret"),
    ],
)
def test_bad_gateway_settings_get_a_message_and_change_nothing(db, data, field):
    form = {"from_mobile": FROM, "url": "https://sms.example.com/send", "username": "u"}
    with pytest.raises(ValidationError) as err:
        account_sms_update(session=db, actor=SYSTEM, data=form | data)
    assert list(err.value.fields) == [field]
    db.rollback()
    assert db.get(AccountConfig, 1) is None


def test_production_wants_https_and_a_public_gateway():
    production = SmtpRules(production=True)
    assert url_problem("http://sms.example.com/send", production) == "Use an https:// address."
    assert url_problem("http://sms.example.com/send", SmtpRules()) is None  # control
    config = SmsConfig("https://127.0.0.1:9/send", "u", "s", FROM)
    with pytest.raises(SmsError) as err:
        send_sms(config, to=TO, text="x", rules=production)
    assert "this machine" in err.value.message
    internal = SmtpRules(production=True, internal_hosts=("127.0.0.1",))
    with pytest.raises(SmsError) as err:  # allowed through: nothing listens on port 9
        send_sms(config, to=TO, text="x", rules=internal)
    assert "could not be reached" in err.value.message


def test_only_setup_operators_see_or_change_the_gateway(db, make_user):
    clerk = actor_for(make_user(role=Role.USER.value), db)
    with pytest.raises(PermissionDenied):
        account_sms_view(session=db, actor=clerk)
    with pytest.raises(PermissionDenied):
        sms_test(session=db, actor=clerk, to=TO)

"""Mail through a real SMTP server on loopback, and the account's SMTP Details.

The server (tests/smtpserver.py) accepts one username and password; failures are real
too: a wrong password (535), a closed port, a server that never answers.
"""

from __future__ import annotations

import json
import socket

import pytest
from sqlmodel import select

from portal_app.devserver import free_port
from portal_app.models import AccountConfig, AuditEvent, Grant, PortalDomain
from portal_app.services.account import account_config_update
from portal_app.services.crypto import decrypt_secret, encrypt_secret
from portal_app.services.errors import NotFound, PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM
from portal_app.services.mail import (
    MailError,
    SmtpConfig,
    _is_loopback,
    parse_server,
    send_mail,
    smtp_for_domain,
)
from portal_app.services.smtp_details import (
    TEST_SUBJECT,
    account_smtp_update,
    account_smtp_view,
    smtp_test,
)
from tests.smtpserver import PASSWORD, QUIET, USERNAME, smtp_server

pytestmark = [pytest.mark.filterwarnings(w) for w in QUIET]
FROM = "noc@carrier.example"


@pytest.fixture()
def smtp():
    with smtp_server() as server:
        yield server


def _config(running, **changes) -> SmtpConfig:
    values = {
        "server": running.address,
        "username": USERNAME,
        "password": PASSWORD,
        "from_address": FROM,
    }
    return SmtpConfig.create(**(values | changes))


def _closed_port() -> str:
    return f"127.0.0.1:{free_port()}"


# send_mail ---------------------------------------------------------------------------


def test_send_mail_delivers_and_returns_the_servers_answer(smtp):
    answer = send_mail(
        _config(smtp), to="ops@customer.example", subject="Größe ✓", body="Hello\nThere ünï"
    )
    assert answer == "250 OK queued as test-1"
    [got] = smtp.messages
    assert (got.mail_from, got.rcpt_tos, got.login) == (FROM, ["ops@customer.example"], USERNAME)
    msg = got.message
    assert (msg["From"], msg["To"], msg["Subject"]) == (FROM, "ops@customer.example", "Größe ✓")
    assert msg["Date"] and msg["Message-ID"].endswith("@carrier.example>")
    assert msg.get_content() == "Hello\r\nThere ünï\r\n"  # text in canonical CRLF form


def test_the_config_never_shows_its_password():
    config = SmtpConfig.create(server="smtp.example.com", username="u", password="hunter2-secret")
    assert "hunter2" not in repr(config) and "hunter2" not in str(vars(config))
    assert decrypt_secret(config.password_enc) == "hunter2-secret"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"password": "wrong password"},
            "The server refused the username or password: 535 5.7.8 Authentication "
            "credentials invalid",
        ),
        (
            {"username": "", "password": ""},
            f"The server refused the sender {FROM}: 530 5.7.0 Authentication required",
        ),
        ({"from_address": ""}, "No From Email Address is set for this SMTP server."),
        (
            {"server": "smtp example com"},
            "The SMTP server 'smtp example com' is not host or host:port.",
        ),
    ],
    ids=["wrong-password", "no-login", "no-from", "bad-server"],
)
def test_refusals_come_back_in_plain_words(smtp, changes, message):
    with pytest.raises(MailError) as exc:
        send_mail(_config(smtp, **changes), to="a@example.com", subject="s", body="b")
    assert exc.value.message == message
    assert smtp.messages == []


def test_a_line_break_in_a_header_is_refused_before_connecting():
    config = SmtpConfig(server=_closed_port(), from_address=FROM)
    with pytest.raises(MailError, match="could not be built"):
        send_mail(config, to="a@example.com\r\nBcc: all@example.com", subject="s", body="b")
    with pytest.raises(MailError, match="could not be built"):
        send_mail(config, to="a@example.com", subject="Hi\r\nBcc: all@example.com", body="b")


def test_a_password_saved_under_another_secret_key_is_reported(smtp):
    config = SmtpConfig(
        server=smtp.address, username=USERNAME, from_address=FROM, password_enc="not-fernet"
    )
    with pytest.raises(MailError, match="Enter the password again"):
        send_mail(config, to="a@example.com", subject="s", body="b")


def test_a_closed_port_is_connection_refused():
    where = _closed_port()
    with pytest.raises(MailError) as exc:
        send_mail(
            SmtpConfig(server=where, from_address=FROM), to="a@example.com", subject="s", body="b"
        )
    assert exc.value.message == f"Could not connect to {where}: the connection was refused."


def test_a_silent_server_times_out():
    with socket.socket() as listener:  # accepts connections (backlog) but never speaks
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        where = f"127.0.0.1:{listener.getsockname()[1]}"
        with pytest.raises(MailError) as exc:
            send_mail(
                SmtpConfig(server=where, from_address=FROM),
                to="a@example.com",
                subject="s",
                body="b",
                timeout=0.5,
            )
    assert exc.value.message == f"The server {where} did not answer within 0.5 seconds."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("smtp.example.com", ("smtp.example.com", 587)),
        ("smtp.example.com:465", ("smtp.example.com", 465)),
        (" mail.example.com.:25 ", ("mail.example.com", 25)),
        ("10.0.0.5:2525", ("10.0.0.5", 2525)),
        ("[2001:db8::1]:587", ("2001:db8::1", 587)),
        ("[::1]", ("::1", 587)),
        ("localhost", ("localhost", 587)),
    ],
)
def test_parse_server(value, expected):
    assert parse_server(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "smtp.example.com:0",
        "smtp.example.com:70000",
        "smtp.example.com:abc",
        "a b.com",
        "2001:db8::1",
        "[2001:db8::1",
        "[nothex]:25",
        "-bad.example.com",
        "smtp.example.com:25:1",
        "smtp_example.com",
        "user@smtp.example.com",
    ],
)
def test_parse_server_refuses(value):
    with pytest.raises(ValueError):
        parse_server(value)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("10.0.0.1", False),
        ("smtp.example.com", False),
        ("localhost.evil.test", False),
    ],
)
def test_a_password_goes_unencrypted_only_to_this_machine(host, loopback):
    assert _is_loopback(host) is loopback


# Account SMTP Details ----------------------------------------------------------------

GOOD = {
    "email": "  NOC@Carrier.example ",
    "username": USERNAME,
    "password": PASSWORD,
    "server": "smtp.carrier.example:587",
    "from": "billing@carrier.example",
}


def _audit_text(db) -> str:
    db.expire_all()
    rows = db.exec(select(AuditEvent)).all()
    return json.dumps([[r.action, r.before, r.after] for r in rows])


def test_smtp_details_are_saved_with_the_password_encrypted(db):
    view = account_smtp_update(session=db, actor=SYSTEM, data=GOOD)
    db.commit()
    assert view == {
        "email": "noc@carrier.example",
        "username": USERNAME,
        "server": "smtp.carrier.example:587",
        "from": "billing@carrier.example",
        "has_password": True,
    }
    assert account_smtp_view(session=db, actor=SYSTEM) == view
    row = db.get(AccountConfig, 1)
    assert row.smtp_password_enc and PASSWORD not in row.smtp_password_enc
    assert decrypt_secret(row.smtp_password_enc) == PASSWORD
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "config.smtp_update")).one()
    assert audit.after["password"] == "changed" and audit.before is None
    text = _audit_text(db)
    assert PASSWORD not in text and row.smtp_password_enc not in text


def test_an_empty_password_keeps_it_and_clear_password_removes_it(db):
    account_smtp_update(session=db, actor=SYSTEM, data=GOOD)
    db.commit()
    stored = db.get(AccountConfig, 1).smtp_password_enc
    view = account_smtp_update(
        session=db, actor=SYSTEM, data=GOOD | {"password": "", "username": "x"}
    )
    db.commit()
    assert view["has_password"] and db.get(AccountConfig, 1).smtp_password_enc == stored

    with pytest.raises(ValidationError) as exc:
        account_smtp_update(
            session=db, actor=SYSTEM, data=GOOD | {"password": "new one", "clear_password": True}
        )
    assert exc.value.fields == {
        "password": "Type a new password or remove the saved one, not both."
    }
    view = account_smtp_update(
        session=db, actor=SYSTEM, data=GOOD | {"password": "", "clear_password": True}
    )
    db.commit()
    assert not view["has_password"] and db.get(AccountConfig, 1).smtp_password_enc is None
    changes = [
        a.after["password"]
        for a in db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        if a.action == "config.smtp_update"
    ]
    assert changes == ["changed", "unchanged", "removed"]
    assert PASSWORD not in _audit_text(db) and stored not in _audit_text(db)


def test_smtp_details_keep_the_rest_of_the_configuration(db):
    account_config_update(session=db, actor=SYSTEM, data={"company_name": "Acme Voice"})
    account_smtp_update(session=db, actor=SYSTEM, data=GOOD)
    db.commit()
    row = db.get(AccountConfig, 1)
    assert row.company_name == "Acme Voice" and row.smtp_server == GOOD["server"]


def test_a_later_configuration_change_does_not_copy_the_encrypted_password(db):
    account_smtp_update(session=db, actor=SYSTEM, data=GOOD)
    account_config_update(session=db, actor=SYSTEM, data={"company_name": "Acme Voice"})
    db.commit()
    assert db.get(AccountConfig, 1).smtp_password_enc not in _audit_text(db)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"server": "smtp.example.com:99999"},
            {"server": "Enter a host name with an optional port, like smtp.example.com:587."},
        ),
        (
            {"server": "http://smtp.example.com"},
            {"server": "Enter a host name with an optional port, like smtp.example.com:587."},
        ),
        (
            {"email": "not-an-email"},
            {"email": "Enter a valid email address, like name@example.com."},
        ),
        ({"from": "billing@"}, {"from": "Enter a valid email address, like name@example.com."}),
        ({"username": "a\r\nb"}, {"username": "Use at most 255 characters, on one line."}),
        ({"password": "x" * 257}, {"password": "Use at most 256 characters."}),
    ],
)
def test_bad_smtp_details_are_refused_field_by_field(db, changes, errors):
    with pytest.raises(ValidationError) as exc:
        account_smtp_update(session=db, actor=SYSTEM, data=GOOD | changes)
    assert exc.value.fields == errors
    assert db.get(AccountConfig, 1) is None


def test_empty_smtp_details_are_allowed(db):
    view = account_smtp_update(session=db, actor=SYSTEM, data={})
    assert view == {"email": "", "username": "", "server": "", "from": "", "has_password": False}
    assert smtp_for_domain(session=db) is None


def test_smtp_details_need_the_setup_area(db, make_user, make_group, as_actor):
    clerk = as_actor(make_user(group=make_group({"setup": Grant.DENY.value, "portal": "allow"})))
    with pytest.raises(PermissionDenied):
        account_smtp_update(session=db, actor=clerk, data=GOOD)
    with pytest.raises(PermissionDenied):
        account_smtp_view(session=db, actor=clerk)
    with pytest.raises(PermissionDenied):
        smtp_test(session=db, actor=clerk, to="a@example.com")
    assert db.get(AccountConfig, 1) is None


# Which SMTP a brand uses, and the test email -------------------------------------------


def _domain(db, **smtp) -> PortalDomain:
    row = PortalDomain(host="portal.acme.test", brand_name="Acme", **smtp)
    db.add(row)
    db.commit()
    return row


def test_a_brand_uses_its_own_smtp_and_otherwise_the_accounts(db, smtp):
    account_smtp_update(session=db, actor=SYSTEM, data=GOOD | {"server": _closed_port()})
    own = _domain(
        db,
        smtp_server=smtp.address,
        smtp_username=USERNAME,
        smtp_password_enc=encrypt_secret(PASSWORD),
        smtp_from="hello@acme.test",
    )
    config = smtp_for_domain(session=db, domain=own)
    assert (config.server, config.from_address) == (smtp.address, "hello@acme.test")

    answer = smtp_test(session=db, actor=SYSTEM, to="Me@Example.com", domain_id=own.id)
    assert answer == "250 OK queued as test-1"
    [got] = smtp.messages
    assert (got.mail_from, got.rcpt_tos) == ("hello@acme.test", ["me@example.com"])
    assert got.message["Subject"] == TEST_SUBJECT == "Carrier Portal test email"
    assert smtp.address in got.message.get_content()

    own.smtp_server = ""  # no SMTP of its own: the account's (here, a closed port)
    db.commit()
    fallback = smtp_for_domain(session=db, domain=own)
    assert fallback.from_address == "billing@carrier.example"
    with pytest.raises(MailError, match="connection was refused"):
        smtp_test(session=db, actor=SYSTEM, to="me@example.com", domain_id=own.id)


def test_the_account_test_email_goes_through_the_account_smtp(db, smtp):
    account_smtp_update(session=db, actor=SYSTEM, data=GOOD | {"server": smtp.address, "from": ""})
    db.commit()
    answer = smtp_test(session=db, actor=SYSTEM, to="me@example.com")
    assert answer.startswith("250 OK queued as")
    [got] = smtp.messages
    assert (got.mail_from, got.login) == ("noc@carrier.example", USERNAME)  # Email as From

    account_smtp_update(
        session=db, actor=SYSTEM, data=GOOD | {"server": smtp.address, "password": "not it"}
    )
    db.commit()
    with pytest.raises(MailError, match="535"):
        smtp_test(session=db, actor=SYSTEM, to="me@example.com")


def test_the_test_email_needs_an_smtp_server_and_an_address(db):
    with pytest.raises(MailError) as exc:
        smtp_test(session=db, actor=SYSTEM, to="me@example.com")
    assert exc.value.message == "No SMTP server is set up yet: fill in SMTP Details and save them."
    with pytest.raises(ValidationError):
        smtp_test(session=db, actor=SYSTEM, to="me")
    with pytest.raises(NotFound):
        smtp_test(session=db, actor=SYSTEM, to="me@example.com", domain_id=999)


def test_a_brand_test_email_needs_the_portal_area(db, make_user, make_group, as_actor):
    own = _domain(db, smtp_server="127.0.0.1:25", smtp_from="hello@acme.test")
    setup_only = as_actor(make_user(group=make_group({"setup": "allow", "portal": "deny"})))
    with pytest.raises(PermissionDenied):
        smtp_test(session=db, actor=setup_only, to="me@example.com", domain_id=own.id)

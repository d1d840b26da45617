"""The SMTP Server fields and the Test Email are no port scanner (services/smtp_guard.py).

In production only SMTP ports, and only public addresses (unless listed in
PORTAL_SMTP_INTERNAL_HOSTS), both when the details are saved and, after resolving the
name, when mail is sent; the tests' SMTP stand-in on 127.0.0.1 proves the refusal with
production rules and keeps working with development ones. A listener that is not an
SMTP server never gets its banner shown. Real sockets on loopback throughout.
"""

from __future__ import annotations

import socket

import pytest
from sqlmodel import select

from portal_app.models import AccountConfig, PortalDomain
from portal_app.services import domains
from portal_app.services.errors import ValidationError
from portal_app.services.identity import SYSTEM
from portal_app.services.mail import SmtpConfig, send_mail
from portal_app.services.smtp_details import account_smtp_update
from portal_app.services.smtp_guard import (
    MAX_REPLY,
    MailError,
    SmtpRules,
    address_problem,
    resolve_checked,
    smtp_reply,
    smtp_server_problem,
)
from portal_app.settings import SMTP_PORTS, Settings, SettingsError, get_settings
from tests.smtpserver import PASSWORD, QUIET, USERNAME, foreign_server, smtp_server

pytestmark = [pytest.mark.filterwarnings(w) for w in QUIET]
PROD = SmtpRules(production=True, ports=SMTP_PORTS)
DEV = SmtpRules()
SECRET = {"PORTAL_SECRET_KEY": "k" * 40}
FROM = "noc@carrier.example"


@pytest.fixture()
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture()
def production(monkeypatch):
    """The app as configured with PORTAL_ENV=production."""
    monkeypatch.setenv("PORTAL_ENV", "production")
    get_settings.cache_clear()
    assert get_settings().is_production
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _send(server: str, rules: SmtpRules, **config) -> str:
    config = {"server": server, "from_address": FROM} | config
    return send_mail(
        SmtpConfig.create(**config), to="a@example.com", subject="s", body="b", rules=rules
    )


# Saving: the port and the address, judged without DNS ---------------------------------


@pytest.mark.parametrize(
    ("server", "words"),
    [
        ("smtp.example.com:22", "Port 22 is not an SMTP port: use 25, 465, 587 or 2525."),
        ("smtp.example.com:6379", "Port 6379 is not an SMTP port"),
        ("127.0.0.1:587", "leads to this machine"),
        ("127.8.9.10:25", "leads to this machine"),
        ("localhost:25", "leads to this machine"),
        ("mail.localhost", "leads to this machine"),
        ("[::1]:587", "leads to this machine"),
        ("[::ffff:127.0.0.1]:587", "leads to this machine"),
        ("0.0.0.0:25", "an unspecified address"),
        ("10.0.0.5:587", "a private network"),
        ("172.16.0.1:465", "a private network"),
        ("192.168.1.10:2525", "a private network"),
        ("[fd00::25]:587", "a private network"),
        ("169.254.169.254:587", "a link-local address"),  # a cloud's metadata service
        ("[fe80::1]:587", "a link-local address"),
        ("224.0.0.1:25", "a multicast address"),
        ("100.64.0.1:25", "a reserved address"),
    ],
)
def test_production_refuses_other_ports_and_internal_addresses(server, words):
    assert words in smtp_server_problem(server, PROD)
    assert smtp_server_problem(server.replace(":22", "").replace(":6379", ""), DEV) is None


@pytest.mark.parametrize(
    "server",
    ["smtp.example.com", "smtp.example.com:465", "8.8.8.8:25", "[2001:4860:4860::8888]:2525"],
)
def test_production_accepts_public_smtp_servers(server):
    assert smtp_server_problem(server, PROD) is None


def test_listed_internal_hosts_may_be_used_on_smtp_ports_only():
    rules = SmtpRules(production=True, ports=SMTP_PORTS, internal_hosts=("localhost", "10.0.0.5"))
    assert smtp_server_problem("localhost:25", rules) is None
    assert smtp_server_problem("10.0.0.5:587", rules) is None
    assert "not an SMTP port" in smtp_server_problem("10.0.0.5:22", rules)
    assert "a private network" in smtp_server_problem("10.0.0.6:587", rules)


def test_a_malformed_server_gets_the_hint():
    assert smtp_server_problem("smtp example com", PROD).startswith("Enter a host name")


def test_the_rules_come_from_the_settings():
    prod = SmtpRules.from_settings(Settings.from_env(SECRET | {"PORTAL_ENV": "production"}))
    assert prod == SmtpRules(production=True, ports=(25, 465, 587, 2525))
    assert SmtpRules.from_settings(Settings.from_env(SECRET)) == DEV
    custom = Settings.from_env(
        SECRET
        | {
            "PORTAL_ENV": "production",
            "PORTAL_SMTP_PORTS": " 587, 2525 ",
            "PORTAL_SMTP_INTERNAL_HOSTS": "Localhost, [::1], relay.Bücher.example",
        }
    )
    assert custom.smtp_ports == (587, 2525)
    assert custom.smtp_internal_hosts == ("localhost", "::1", "relay.xn--bcher-kva.example")
    for variable, value in (("PORTAL_SMTP_PORTS", "smtp"), ("PORTAL_SMTP_PORTS", "70000")):
        with pytest.raises(SettingsError, match=variable):
            Settings.from_env(SECRET | {variable: value})
    with pytest.raises(SettingsError, match="PORTAL_SMTP_INTERNAL_HOSTS"):
        Settings.from_env(SECRET | {"PORTAL_SMTP_INTERNAL_HOSTS": "bad_host"})


# Sending: the resolved addresses are checked and used ---------------------------------


def test_the_stand_in_works_in_development_and_is_refused_in_production(smtp):
    config = {"username": USERNAME, "password": PASSWORD}
    assert _send(smtp.address, DEV, **config) == "250 OK queued as test-1"
    own_port = SmtpRules(production=True, ports=(smtp.port,))
    with pytest.raises(MailError) as info:
        _send(smtp.address, own_port, **config)
    assert "127.0.0.1 leads to this machine" in info.value.message
    with pytest.raises(MailError, match="not an SMTP port"):
        _send(smtp.address, PROD, **config)
    listed = SmtpRules(production=True, ports=(smtp.port,), internal_hosts=("127.0.0.1",))
    assert _send(smtp.address, listed, **config) == "250 OK queued as test-2"
    assert len(smtp.messages) == 2


def test_a_name_is_checked_after_it_is_resolved():
    name = socket.gethostname()  # /etc/hosts names it on a loopback or private address
    try:
        found = {info[4][0] for info in socket.getaddrinfo(name, 25)}
    except socket.gaierror:
        pytest.skip(f"{name} does not resolve here")
    if any(address_problem(a.split("%")[0]) is None for a in found):
        pytest.skip(f"{name} resolves to a public address here")
    assert smtp_server_problem(f"{name}:25", PROD) is None  # not knowable without DNS
    with pytest.raises(MailError, match="leads to"):
        resolve_checked(name, 25, PROD)
    assert set(resolve_checked(name, 25, DEV)) == found


def test_an_unknown_name_is_reported_plainly():
    with pytest.raises(MailError) as info:
        resolve_checked("no-such-host.invalid", 587, DEV)
    assert info.value.message == "The server name no-such-host.invalid could not be found."


# What a server said: shown only when it is an SMTP reply ------------------------------


@pytest.mark.parametrize(
    "greeting",
    [
        b"SSH-2.0-OpenSSH_9.2p1 secret-build-42\r\n",
        b"HTTP/1.1 400 Bad Request\r\nServer: nginx/1.25 secret-build-42\r\n\r\n",
        b"-ERR unknown command 'secret-build-42'\r\n",
        b"\x00\x01\x02secret-build-42\xff\r\n",
    ],
    ids=["ssh", "http", "redis", "binary"],
)
def test_a_foreign_banner_is_never_shown(greeting):
    with foreign_server(greeting) as where, pytest.raises(MailError) as info:
        _send(where, DEV)
    assert info.value.message == f"The server {where} did not answer like an SMTP server."
    assert "secret" not in info.value.message


def test_a_foreign_reply_after_a_greeting_is_not_shown_either():
    with (
        foreign_server(b"220 looks like smtp\r\n", b"+OK dovecot secret-build-42\r\n") as where,
        pytest.raises(MailError) as info,
    ):
        _send(where, DEV)
    assert "did not answer like an SMTP server" in info.value.message
    assert "secret" not in info.value.message and "looks like" not in info.value.message


@pytest.mark.parametrize(
    ("code", "text", "shown"),
    [
        (250, b"OK queued", "250 OK queued"),
        (550, "5.7.1 Relaying\r\n denied", "550 5.7.1 Relaying denied"),
        (421, b"bye\x1b[31m\x07", "421 bye[31m"),  # no terminal escapes reach the page
        (250, b"x" * 1000, "250 " + "x" * MAX_REPLY),
        (-1, b"SSH-2.0-OpenSSH", None),
        (199, b"almost", None),
        (600, b"too high", None),
    ],
)
def test_smtp_reply(code, text, shown):
    assert smtp_reply(code, text) == shown


# Refused next to the field, nothing saved ----------------------------------------------


def test_account_smtp_details_refuse_an_internal_server_in_production(db, production):
    data = {"server": "10.0.0.5:587", "from": FROM}
    with pytest.raises(ValidationError) as info:
        account_smtp_update(session=db, actor=SYSTEM, data=data)
    assert set(info.value.fields) == {"server"}
    assert "a private network" in info.value.fields["server"]
    with pytest.raises(ValidationError) as info:
        account_smtp_update(session=db, actor=SYSTEM, data=data | {"server": "smtp.example.com:22"})
    assert info.value.fields == {"server": "Port 22 is not an SMTP port: use 25, 465, 587 or 2525."}
    db.rollback()
    assert db.exec(select(AccountConfig)).first() is None


def test_a_brand_smtp_server_is_refused_next_to_its_field(db):
    settings = Settings(secret_key="k" * 40, env="production")
    data = {
        "host": "portal.acme.com",
        "brand_name": "Acme",
        "currencies": ["USD"],
        "customer_limit": "5.00",
        "smtp_server": "169.254.169.254:80",
    }
    with pytest.raises(ValidationError) as info:
        domains.domain_create(session=db, actor=SYSTEM, data=data, settings=settings)
    assert set(info.value.fields) == {"smtp_server"}
    assert "Port 80 is not an SMTP port" in info.value.fields["smtp_server"]
    data["smtp_server"] = "169.254.169.254:587"
    with pytest.raises(ValidationError) as info:
        domains.domain_create(session=db, actor=SYSTEM, data=data, settings=settings)
    assert "a link-local address" in info.value.fields["smtp_server"]
    db.rollback()
    assert db.exec(select(PortalDomain)).first() is None

"""Account configuration, the audit log, host names, settings and secret encryption.

The first two run against the real migrated database; hosts, settings and crypto are
pure functions and are tested table-driven.
"""

from __future__ import annotations

import pytest
from cryptography.fernet import InvalidToken
from sqlmodel import Session, select

from portal_app.models import AccountConfig, AuditEvent
from portal_app.services.account import account_config_get, account_config_update
from portal_app.services.audit import audit_list
from portal_app.services.crypto import _fernet, decrypt_secret, encrypt_secret
from portal_app.services.errors import PermissionDenied, ValidationError
from portal_app.services.groups import group_create
from portal_app.services.hosts import is_control_host, normalize_host
from portal_app.services.identity import SYSTEM
from portal_app.settings import Settings, SettingsError

# Account configuration ---------------------------------------------------------------


GOOD_CONFIG = {
    "company_name": "  Acme Voice Ltd ",
    "country": "gb",
    "currency": "gbp",
    "date_format": "DD/MM/YYYY",
    "phone": "+44 (20) 7946-0958",
    "mobile": "",
    "login_alerts": True,
}

BAD_PHONE = "enter a valid phone number in international format, like +44 20 7946 0000."


def test_account_config_update_saves_cleaned_values(db, engine):
    account_config_update(session=db, actor=SYSTEM, data=GOOD_CONFIG)
    db.commit()
    with Session(engine) as other:
        row = other.get(AccountConfig, 1)
    assert row.company_name == "Acme Voice Ltd"
    assert (row.country, row.currency, row.date_format) == ("GB", "GBP", "DD/MM/YYYY")
    assert (row.phone, row.mobile, row.login_alerts) == ("+442079460958", "", True)  # E.164


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"country": "GBR"}, "country", "Choose a country from the list."),
        ({"country": "G1"}, "country", "Choose a country from the list."),
        ({"country": "Europe"}, "country", "Choose a country from the list."),  # not a country
        ({"country": "EU"}, "country", "Choose a country from the list."),
        ({"currency": "XYZ"}, "currency", "Choose a currency from the list."),
        ({"currency": ""}, "currency", "Choose a currency from the list."),
        ({"date_format": "YYYY/MM/DD"}, "date_format", "Choose a date format from the list."),
        ({"phone": "call me"}, "phone", f"Phone: {BAD_PHONE}"),
        ({"phone": "123"}, "phone", f"Phone: {BAD_PHONE}"),
        ({"phone": "+44 20 7946"}, "phone", f"Phone: {BAD_PHONE}"),
        ({"mobile": "+44 7700 900123 ext"}, "mobile", f"Mobile: {BAD_PHONE}"),
        ({"company_name": "x" * 121}, "company_name", "Name must be at most 120 characters."),
        ({"post_code": "1" * 21}, "post_code", "Post Code / ZIP must be at most 20 characters."),
    ],
)
def test_account_config_update_rejects_bad_field(db, changes, field, message):
    account_config_update(session=db, actor=SYSTEM, data=GOOD_CONFIG)
    db.commit()
    with pytest.raises(ValidationError) as exc:
        account_config_update(session=db, actor=SYSTEM, data=GOOD_CONFIG | changes)
    assert exc.value.fields == {field: message}
    db.rollback()
    row = db.get(AccountConfig, 1)
    assert (row.country, row.currency, row.phone) == ("GB", "GBP", "+442079460958")
    assert len(db.exec(select(AuditEvent)).all()) == 1


def test_account_config_update_writes_audit_rows_with_before_and_after(db, make_user, as_actor):
    admin = as_actor(make_user(role="admin", email="boss@example.com"))
    account_config_update(session=db, actor=admin, data=GOOD_CONFIG)
    db.commit()
    account_config_update(session=db, actor=admin, data={"currency": "EUR"})
    db.commit()
    first, second = db.exec(
        select(AuditEvent).where(AuditEvent.action == "config.update").order_by(AuditEvent.id)
    ).all()
    for row in (first, second):
        assert (row.actor_kind, row.actor_id, row.actor_label) == (
            "operator",
            admin.id,
            "boss@example.com",
        )
        assert (row.entity, row.entity_id) == ("account_config", "1")
    assert first.before is None
    assert first.after["currency"] == "GBP"
    assert (second.before["currency"], second.after["currency"]) == ("GBP", "EUR")
    # Fields left out of the form keep their saved values.
    assert second.after["country"] == "GB"
    assert account_config_get(session=db, actor=admin).currency == "EUR"


def test_account_config_update_needs_the_setup_area(db, make_user, make_group, as_actor):
    clerk = as_actor(make_user(group=make_group(grants={"setup": "deny", "log": "allow"})))
    with pytest.raises(PermissionDenied):
        account_config_update(session=db, actor=clerk, data=GOOD_CONFIG)
    setup = as_actor(make_user(group=make_group(grants={"setup": "allow"})))
    assert account_config_update(session=db, actor=setup, data=GOOD_CONFIG).currency == "GBP"


# Audit log ---------------------------------------------------------------------------


def _make_history(db: Session, actor, names: list[str]) -> None:
    for name in names:
        group_create(session=db, actor=actor, data={"name": name})
    db.commit()


def test_audit_list_pages_newest_first(db):
    _make_history(db, SYSTEM, [f"Group {n}" for n in range(7)])
    first = audit_list(session=db, actor=SYSTEM, limit=3)
    assert first.total == 7
    assert [r.after["name"] for r in first.rows] == ["Group 6", "Group 5", "Group 4"]
    last = audit_list(session=db, actor=SYSTEM, offset=6, limit=3)
    assert (last.total, [r.after["name"] for r in last.rows]) == (7, ["Group 0"])
    beyond = audit_list(session=db, actor=SYSTEM, offset=50, limit=3)
    assert (beyond.total, beyond.rows) == (7, [])
    clamped = audit_list(session=db, actor=SYSTEM, offset=-5, limit=2)
    assert [r.id for r in clamped.rows] == [r.id for r in first.rows[:2]]


def test_audit_list_search_matches_action_entity_and_who(db, make_user, as_actor):
    boss = as_actor(make_user(role="admin", email="boss@example.com"))  # a user.create row
    _make_history(db, boss, ["Billing", "Support"])  # two group.create rows by boss
    account_config_update(session=db, actor=SYSTEM, data=GOOD_CONFIG)
    db.commit()

    def actions(search: str) -> list[str]:
        page = audit_list(session=db, actor=SYSTEM, search=search)
        assert page.total == len(page.rows)
        return [r.action for r in page.rows]

    assert actions("GROUP.CREATE") == ["group.create", "group.create"]  # action, any case
    assert actions("account_conf") == ["config.update"]  # entity
    assert actions("Boss@") == ["group.create", "group.create"]  # who
    assert actions(" system ") == ["config.update", "user.create"]  # trimmed
    assert actions("nothing-like-this") == []
    assert len(actions("")) == 4


def test_audit_list_search_is_literal(db):
    _make_history(db, SYSTEM, ["Billing", "Support"])
    assert audit_list(session=db, actor=SYSTEM, search="group.create").total == 2
    # No row contains a literal '%' or the text 'group_create'.
    assert audit_list(session=db, actor=SYSTEM, search="%").total == 0
    assert audit_list(session=db, actor=SYSTEM, search="group_create").total == 0


@pytest.mark.parametrize("grants", [{}, {"log": "select"}, {"log": "deny", "user": "allow"}])
def test_audit_list_needs_the_log_area(db, make_user, make_group, as_actor, grants):
    clerk = as_actor(make_user(group=make_group(grants=grants)))
    with pytest.raises(PermissionDenied):
        audit_list(session=db, actor=clerk)
    reader = as_actor(make_user(group=make_group(grants={"log": "allow"})))
    assert audit_list(session=db, actor=reader).total == len(db.exec(select(AuditEvent)).all())


# Host names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("portal.example.com", "portal.example.com"),
        ("Portal.EXAMPLE.com", "portal.example.com"),
        ("portal.example.com:3000", "portal.example.com"),
        ("portal.example.com.", "portal.example.com"),
        ("PORTAL.example.com.:443", "portal.example.com"),
        ("  portal.example.com  ", "portal.example.com"),
        ("https://portal.example.com:8443/login?x=1", "portal.example.com"),
        ("www.portal.example.com", "www.portal.example.com"),
        ("localhost.evil.test", "localhost.evil.test"),
        ("portal.acme.com.evil.test", "portal.acme.com.evil.test"),
        ("127.0.0.1:3000", "127.0.0.1"),
        ("[::1]", "::1"),
        ("[::1]:3000", "::1"),
        ("[2001:DB8::1]:443", "2001:db8::1"),
        ("[::1", ""),
        ("", ""),
        ("   ", ""),
        (".", ""),
        (":3000", ""),
        ("local host", ""),
        (None, ""),
    ],
)
def test_normalize_host(raw, expected):
    assert normalize_host(raw) == expected


CONTROL = ("localhost", "127.0.0.1", "panel.carrier.test", "::1")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("localhost", True),
        ("LOCALHOST:3000", True),
        ("localhost.", True),
        ("127.0.0.1:3000", True),
        ("Panel.Carrier.Test:443", True),
        ("[::1]:3000", True),
        ("localhost.evil.test", False),
        ("evil-localhost", False),
        ("panel.carrier.test.evil.test", False),
        ("www.panel.carrier.test", False),
        ("127.0.0.2", False),
        ("", False),
        (":3000", False),
    ],
)
def test_is_control_host(raw, expected):
    assert is_control_host(raw, CONTROL) is expected


def test_is_control_host_with_no_control_hosts_is_always_false():
    assert not is_control_host("localhost", ())


# Settings ----------------------------------------------------------------------------

STRONG_SECRET = "k" * 32


@pytest.mark.parametrize(
    "secret",
    [None, "", "changeme", "CHANGE-ME", "secret", "dev", "s" * 31, "   " + "s" * 20 + "   "],
)
def test_production_refuses_missing_placeholder_or_short_secret(secret):
    environ = {"PORTAL_ENV": "production"}
    if secret is not None:
        environ["PORTAL_SECRET_KEY"] = secret
    with pytest.raises(SettingsError, match="PORTAL_SECRET_KEY"):
        Settings.from_env(environ)


def test_production_accepts_a_long_secret():
    settings = Settings.from_env({"PORTAL_ENV": " Production ", "PORTAL_SECRET_KEY": STRONG_SECRET})
    assert settings.is_production
    assert settings.secret_key.get_secret_value() == STRONG_SECRET
    assert STRONG_SECRET not in repr(settings)


def _dev(**env: str) -> Settings:
    # A secret is always given: without one, development mode writes .secret_key.
    return Settings.from_env({"PORTAL_SECRET_KEY": "dev-secret-for-tests"} | env)


def test_development_defaults():
    settings = _dev()
    assert not settings.is_production
    assert settings.control_hosts == ("localhost", "127.0.0.1")
    assert settings.dns_nameservers == ()
    assert settings.port == 3000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("127.0.0.1:5399", (("127.0.0.1", 5399),)),
        ("127.0.0.1", (("127.0.0.1", 53),)),
        (" 127.0.0.1:5399 , 192.0.2.53 ,", (("127.0.0.1", 5399), ("192.0.2.53", 53))),
        ("::1", (("::1", 53),)),
        ("2001:db8::53", (("2001:db8::53", 53),)),
        ("", ()),
    ],
)
def test_nameserver_parsing(value, expected):
    assert _dev(PORTAL_DNS_NAMESERVERS=value).dns_nameservers == expected


def test_bad_nameserver_port_is_refused():
    with pytest.raises(SettingsError, match="PORTAL_DNS_NAMESERVERS"):
        _dev(PORTAL_DNS_NAMESERVERS="127.0.0.1:dns")


def test_bracketed_ipv6_nameserver_with_port_is_parsed_or_refused():
    servers = _dev(PORTAL_DNS_NAMESERVERS="[::1]:5399, [2001:db8::53]").dns_nameservers
    assert servers == (("::1", 5399), ("2001:db8::53", 53))
    with pytest.raises(SettingsError):
        _dev(PORTAL_DNS_NAMESERVERS="not-an-ip:53")


def test_control_hosts_are_split_trimmed_and_lower_cased():
    settings = _dev(PORTAL_CONTROL_HOSTS=" Panel.Carrier.TEST , LOCALHOST,, ")
    assert settings.control_hosts == ("panel.carrier.test", "localhost")
    assert is_control_host("panel.carrier.test:443", settings.control_hosts)


def test_bad_port_is_refused():
    with pytest.raises(SettingsError, match="PORTAL_PORT"):
        _dev(PORTAL_PORT="eighty")


# Encryption of secrets at rest -------------------------------------------------------


@pytest.mark.parametrize("plain", ["JBSWY3DPEHPK3PXP", "", "ünïcödé ✓"])
def test_encrypt_decrypt_round_trip(plain):
    cipher = encrypt_secret(plain)
    assert decrypt_secret(cipher) == plain
    if plain:
        assert plain not in cipher
    assert encrypt_secret(plain) != cipher  # random IV: equal secrets look different


def test_another_key_cannot_decrypt():
    first, second = _fernet("first-key-" + "a" * 32), _fernet("second-key-" + "b" * 32)
    cipher = first.encrypt(b"JBSWY3DPEHPK3PXP")
    assert first.decrypt(cipher) == b"JBSWY3DPEHPK3PXP"
    with pytest.raises(InvalidToken):
        second.decrypt(cipher)


def test_decrypt_secret_reports_a_wrong_key_or_tampering_as_value_error():
    foreign = _fernet("some-other-deployment-" + "c" * 32).encrypt(b"secret").decode()
    with pytest.raises(ValueError, match="PORTAL_SECRET_KEY"):
        decrypt_secret(foreign)
    cipher = encrypt_secret("secret")
    tampered = cipher[:-6] + ("A" if cipher[-6] != "A" else "B") + cipher[-5:]
    with pytest.raises(ValueError, match="PORTAL_SECRET_KEY"):
        decrypt_secret(tampered)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        (12, 12),
        (2**63 - 1, 2**63 - 1),
        (str(2**63 - 1), 2**63 - 1),
        (2**63, None),
        (str(2**63), None),
        ("9" * 40, None),
        ("0", None),
        ("-1", None),
        ("1.5", None),
        ("abc", None),
        (True, None),
        (None, None),
        ("", None),
        ("١٢", None),  # digits of another script: str.isdigit() says yes, int() too
    ],
)
def test_parse_id(value, expected):
    from portal_app.services.validation import parse_id

    assert parse_id(value) == expected

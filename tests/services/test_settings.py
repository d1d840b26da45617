"""Settings through pydantic-settings: every PORTAL_* variable is a typed field documented
in README.md, secrets are SecretStr, a wrong value stops the app naming its variable, and
production refuses placeholder secrets. (Nameservers, ports and the control hosts' forms
are tested in test_misc.py.)"""

from __future__ import annotations

import re

import pytest
from pydantic import SecretStr
from pydantic import ValidationError as PydanticValidationError

from portal_app.settings import PROJECT_ROOT, Settings, SettingsError

SECRET = "k" * 32
DEV = {"PORTAL_SECRET_KEY": "dev-secret-for-tests"}


def _readme_table() -> dict[str, str]:
    """Variable -> default column of the Settings table in README.md."""
    text = (PROJECT_ROOT / "README.md").read_text()
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `(PORTAL_[A-Z_]+)` \| ([^|]+) \|", section, re.M))


# Documented variables read outside Settings, and why.
READ_ELSEWHERE = {"PORTAL_IO_THREADS"}  # services/offloop.py sizes its pool at import


def test_every_setting_is_a_documented_portal_variable():
    variables = {f"PORTAL_{name.upper()}" for name in Settings.model_fields}
    assert variables | READ_ELSEWHERE == set(_readme_table())


@pytest.mark.parametrize(
    ("variable", "field", "value"),
    [
        ("PORTAL_ENV", "env", "development"),
        ("PORTAL_CONTROL_HOSTS", "control_hosts", ("localhost", "127.0.0.1")),
        ("PORTAL_CNAME_TARGET", "cname_target", "portal.localhost"),
        ("PORTAL_PORT", "port", 3000),
        ("PORTAL_PUBLIC_SCHEME", "public_scheme", "http"),
        ("PORTAL_PUBLIC_PORT", "public_port", 3000),
        ("PORTAL_SESSION_DAYS", "session_days", 7),
        ("PORTAL_SESSION_IDLE_MINUTES", "session_idle_minutes", 120),
        ("PORTAL_REDIS_URL", "redis_url", None),
        ("PORTAL_DNS_NAMESERVERS", "dns_nameservers", ()),
    ],
)
def test_defaults_are_the_documented_ones(variable, field, value):
    assert getattr(Settings.from_env(DEV), field) == value
    shown = _readme_table()[variable]
    if isinstance(value, int) and not isinstance(value, bool):
        assert str(value) in shown or "PORTAL_PORT" in shown, shown
    elif isinstance(value, str):
        assert value in shown, shown


def test_development_defaults_follow_the_port_production_ones_the_proxy():
    dev = Settings.from_env(DEV | {"PORTAL_PORT": "3100"})
    assert (dev.public_scheme, dev.public_port) == ("http", 3100)
    prod = Settings.from_env({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": SECRET})
    assert (prod.public_scheme, prod.public_port) == ("https", None)
    assert Settings.from_env(DEV | {"PORTAL_PUBLIC_PORT": "443"}).public_port is None
    assert Settings.from_env(DEV | {"PORTAL_PUBLIC_PORT": "8443"}).public_port == 8443


def test_secrets_are_secret_str_and_never_shown():
    settings = Settings.from_env(
        {
            "PORTAL_SECRET_KEY": SECRET,
            "PORTAL_DATABASE_URL": "postgresql+psycopg://portal:db-pw-123@db/portal",
            "PORTAL_REDIS_URL": "redis://:redis-pw-456@cache:6379/0",
        }
    )
    for name in ("secret_key", "database_url", "redis_url"):
        assert isinstance(getattr(settings, name), SecretStr)
    assert settings.database_url.get_secret_value().endswith("db-pw-123@db/portal")
    shown = repr(settings) + str(settings) + str(settings.model_dump())
    for secret in (SECRET, "db-pw-123", "redis-pw-456"):
        assert secret not in shown


def test_an_empty_variable_means_not_set():
    settings = Settings.from_env(DEV | {"PORTAL_REDIS_URL": "", "PORTAL_PORT": ""})
    assert settings.redis_url is None and settings.port == 3000


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORTAL_PORT", "eighty"),
        ("PORTAL_PUBLIC_PORT", "https"),
        ("PORTAL_PUBLIC_SCHEME", "ftp"),
        ("PORTAL_SESSION_DAYS", "0"),
        ("PORTAL_SESSION_DAYS", "366"),
        ("PORTAL_SESSION_IDLE_MINUTES", "ten"),
        ("PORTAL_CONTROL_HOSTS", "panel.carrier.test,bad_host"),
        ("PORTAL_CONTROL_HOSTS", "https://panel.carrier.test"),
        ("PORTAL_CNAME_TARGET", "10.0.0.1"),
        ("PORTAL_CNAME_TARGET", "portal..carrier.test"),
        ("PORTAL_DNS_NAMESERVERS", "127.0.0.1:dns"),
    ],
)
def test_a_wrong_value_stops_the_app_naming_its_variable(variable, value):
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(DEV | {variable: value})


def test_idn_hosts_are_stored_as_a_labels():
    settings = Settings.from_env(
        DEV
        | {
            "PORTAL_CONTROL_HOSTS": "Panel.Bücher.example,[::1]",
            "PORTAL_CNAME_TARGET": "Portal.Bücher.example.",
        }
    )
    assert settings.control_hosts == ("panel.xn--bcher-kva.example", "::1")
    assert settings.cname_target == "portal.xn--bcher-kva.example"


@pytest.mark.parametrize("secret", ["", "changeme", "Change-Me", " secret ", "dev", "s" * 31])
def test_production_refuses_a_placeholder_or_short_secret(secret):
    with pytest.raises(SettingsError, match="PORTAL_SECRET_KEY"):
        Settings.from_env({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": secret})


def test_settings_are_read_only():
    settings = Settings.from_env(DEV)
    with pytest.raises(PydanticValidationError, match="frozen"):
        settings.port = 1  # type: ignore[misc]
    assert settings.port == 3000


def test_the_process_environment_is_read_when_no_mapping_is_given(monkeypatch):
    monkeypatch.setenv("PORTAL_PORT", "3210")
    monkeypatch.setenv("PORTAL_SECRET_KEY", SECRET)
    assert Settings.from_env().port == 3210
    assert Settings.from_env(DEV).port == 3000  # a mapping alone, nothing else

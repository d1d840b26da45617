"""Application settings, read from the environment once into one typed object.

Every setting is a ``PORTAL_<FIELD>`` variable documented in README.md; pydantic-settings
reads and types them, and a refusal names the variable. Outside development the secret
key must be given explicitly: a generated or placeholder key would silently invalidate
encrypted secrets when the app moves to another machine.

A new setting is one typed field with its default (and, when its text needs parsing, a
``mode="before"`` validator calling a parser in settings_values.py); nothing else needs
to change.
"""

from __future__ import annotations

import contextvars
import functools
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from portal_app.settings_values import (
    SettingsError,
    api_base,
    host_list,
    http_url,
    link_port,
    nameservers,
    one_host,
    port_list,
    rate_limit,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = PROJECT_ROOT / ".secret_key"
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev"}
# The ports an SMTP Server field may name in production (services/smtp_guard.py): relay
# (25), SMTP over TLS (465), message submission (587) and the common alternative (2525).
SMTP_PORTS = (25, 465, 587, 2525)
_ENVIRON: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar(
    "portal_environ", default=None
)


def _local_secret_key() -> str:
    """Return the git-ignored development key, creating it on first use."""
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text().strip()
    key = secrets.token_urlsafe(48)
    SECRET_KEY_FILE.write_text(key + "\n")
    SECRET_KEY_FILE.chmod(0o600)
    return key


def _plain(value: Any) -> str:
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return str(text if text is not None else "").strip()


class _EnvSource(EnvSettingsSource):
    """The process environment, or the mapping given to ``Settings.from_env``."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        given = _ENVIRON.get()
        if given is None:
            return super()._load_env_vars()
        return {k.lower(): v for k, v in given.items() if not (self.env_ignore_empty and v == "")}


# Rate limits (services/limiter.py), "N per W" as the `limits` library writes them.
LIMIT_DEFAULTS = {
    "login": "5 per 15 minutes",  # failed logins of one account from one client
    "login_client": "20 per 15 minutes",  # failed logins from one client, any account
    "login_alert": "10 per 1 hour",  # failures on one account from anywhere: owner emailed
    "forgot_client": "20 per 15 minutes",  # "forgot password" requests from one client
    "forgot_login": "3 per 1 hour",  # reset links for one login
    "signup_client": "5 per 1 hour",  # unconfirmed sign-ups from one client
    "signup_domain": "50 per 1 hour",  # confirmed sign-ups on one brand
    "verify_now": "1 per 10 seconds",  # manual DNS checks of one domain
    "alert_test": "3 per 1 hour",  # portal "Send test" of a customer's low-balance alerts
}


class Settings(BaseSettings):
    """The app's configuration. Build it with :func:`get_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="PORTAL_",
        env_ignore_empty=True,  # PORTAL_REDIS_URL= means "not set"
        enable_decoding=False,  # lists are comma-separated text, not JSON
        frozen=True,
        extra="ignore",
    )

    env: str = "development"
    # URLs may hold a password: SecretStr keeps them out of reprs, logs and tracebacks.
    database_url: SecretStr = SecretStr(f"sqlite:///{PROJECT_ROOT / 'portal.db'}")
    redis_url: SecretStr | None = None
    secret_key: SecretStr = SecretStr("")
    control_hosts: tuple[str, ...] = ("localhost", "127.0.0.1")
    cname_target: str = "portal.localhost"
    dns_nameservers: tuple[tuple[str, int], ...] = ()
    port: int = 3000
    session_days: int = Field(7, ge=1, le=365)  # absolute lifetime of a login
    session_idle_minutes: int = Field(120, ge=1, le=60 * 24 * 365)  # unused this long ends
    # How links in emails reach a brand host: behind Caddy that is https on 443; in
    # development the app's own port over http. Defaults depend on env (see _defaults).
    public_scheme: str = "http"
    public_port: int | None = 3000
    # None: PayPal's own hosts, chosen by each gateway's mode (services/paypal_client.py).
    paypal_api_base: str | None = None
    # Payment providers' addresses: the real ones, or stand-ins in tests (localstripe).
    stripe_api_base: str = "https://api.stripe.com"
    stripe_js_url: str = "https://js.stripe.com/v3/"
    limit_login: str = LIMIT_DEFAULTS["login"]
    limit_login_client: str = LIMIT_DEFAULTS["login_client"]
    limit_login_alert: str = LIMIT_DEFAULTS["login_alert"]
    limit_forgot_client: str = LIMIT_DEFAULTS["forgot_client"]
    limit_forgot_login: str = LIMIT_DEFAULTS["forgot_login"]
    limit_signup_client: str = LIMIT_DEFAULTS["signup_client"]
    limit_signup_domain: str = LIMIT_DEFAULTS["signup_domain"]
    limit_verify_now: str = LIMIT_DEFAULTS["verify_now"]
    limit_alert_test: str = LIMIT_DEFAULTS["alert_test"]
    # A browser that logged in to an account before stays trusted this long, and past
    # the login limits it is slowed by this many seconds instead of locked out.
    device_days: int = Field(90, ge=1, le=3650)
    login_slow_seconds: int = Field(3, ge=1, le=60)
    # The ports an SMTP Server may use; empty: any (development, where the tests' SMTP
    # stand-in listens on a random port). Production defaults to SMTP_PORTS.
    smtp_ports: tuple[int, ...] = ()
    # SMTP servers on this machine or a private network that production may still use
    # (e.g. "localhost" for a local Postfix); every other private address is refused.
    smtp_internal_hosts: tuple[str, ...] = ()
    # My Servers: how often every server not in maintenance gets a SIP OPTIONS probe.
    server_probe_seconds: int = Field(60, ge=5, le=24 * 3600)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``environ`` alone (default: the process environment)."""
        token = _ENVIRON.set(None if environ is None else dict(environ))
        try:
            return cls()
        finally:
            _ENVIRON.reset(token)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, _EnvSource(settings_cls)

    @model_validator(mode="wrap")
    @classmethod
    def _plain_errors(cls, data: Any, handler: Any) -> Settings:
        """A wrongly typed value stops the app with the variable's name."""
        try:
            return handler(data)
        except ValidationError as exc:
            problems = [
                f"PORTAL_{str(e['loc'][0]).upper() if e['loc'] else ''}: {e['msg']}"
                for e in exc.errors()
            ]
            raise SettingsError("; ".join(problems)) from None

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        """Defaults that depend on PORTAL_ENV, and the refusal of a weak secret key."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        mode = str(data.get("env") or "development").strip().lower()
        production = mode == "production"
        secret = _plain(data.get("secret_key"))
        if production and (secret.lower() in PLACEHOLDER_SECRETS or len(secret) < 32):
            raise SettingsError(
                "PORTAL_SECRET_KEY must be set to a random value of at least "
                "32 characters when PORTAL_ENV=production"
            )
        data["secret_key"] = secret or _local_secret_key()
        data.setdefault("public_scheme", "https" if production else "http")
        raw = data.get("public_port")
        if "public_port" not in data or (isinstance(raw, str) and not raw.strip()):
            port = str(data.get("port", 3000)).strip()
            data["public_port"] = None if production or not port.isdigit() else int(port)
        data.setdefault("smtp_ports", SMTP_PORTS if production else ())
        return data

    @field_validator("env", "public_scheme", mode="before")
    @classmethod
    def _word(cls, value: Any) -> str:
        return str(value).strip().lower()

    @field_validator("public_scheme")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if value not in ("http", "https"):
            raise SettingsError("PORTAL_PUBLIC_SCHEME must be http or https")
        return value

    @field_validator("port", mode="before")
    @classmethod
    def _port(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip().isdigit():
            raise SettingsError("PORTAL_PORT must be a number")
        return value

    @field_validator("public_port", mode="before")
    @classmethod
    def _public_port(cls, value: Any) -> int | None:
        return link_port(value)

    @field_validator("paypal_api_base", mode="before")
    @classmethod
    def _api_base(cls, value: Any) -> str | None:
        return api_base(value)

    @field_validator("stripe_api_base", "stripe_js_url", mode="before")
    @classmethod
    def _url(cls, value: Any, info: ValidationInfo) -> str:
        return http_url(value, f"PORTAL_{info.field_name.upper()}")

    @field_validator("control_hosts", mode="before")
    @classmethod
    def _control_hosts(cls, value: Any) -> tuple[str, ...]:
        return host_list(value, "PORTAL_CONTROL_HOSTS", ip=True)

    @field_validator("smtp_internal_hosts", mode="before")
    @classmethod
    def _internal_hosts(cls, value: Any) -> tuple[str, ...]:
        return host_list(value, "PORTAL_SMTP_INTERNAL_HOSTS", ip=True)

    @field_validator("cname_target", mode="before")
    @classmethod
    def _cname_target(cls, value: Any) -> str:
        return one_host(value, "PORTAL_CNAME_TARGET")

    @field_validator("dns_nameservers", mode="before")
    @classmethod
    def _nameservers(cls, value: Any) -> tuple[tuple[str, int], ...]:
        return nameservers(value)

    @field_validator("smtp_ports", mode="before")
    @classmethod
    def _smtp_ports(cls, value: Any) -> tuple[int, ...]:
        return port_list(value, "PORTAL_SMTP_PORTS")

    @field_validator(*(f"limit_{name}" for name in LIMIT_DEFAULTS), mode="before")
    @classmethod
    def _rate(cls, value: Any, info: ValidationInfo) -> str:
        name = info.field_name
        return rate_limit(value, f"PORTAL_{name.upper()}", LIMIT_DEFAULTS[name[len("limit_") :]])


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings.from_env()

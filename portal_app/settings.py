"""Application settings, read from the environment once into one typed object.

Every setting is documented in README.md. Outside development the secret key must be
given explicitly: a generated or placeholder key would silently invalidate encrypted
secrets when the app moves to another machine.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = PROJECT_ROOT / ".secret_key"
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev"}


class SettingsError(RuntimeError):
    """The environment does not describe a usable configuration."""


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


def _parse_nameservers(value: str) -> tuple[tuple[str, int], ...]:
    servers = []
    for part in _split(value):
        if part.startswith("["):  # [IPv6]:port or [IPv6]
            host, _, rest = part[1:].partition("]")
            port = rest[1:] if rest.startswith(":") else rest
        elif part.count(":") == 1:  # IPv4:port
            host, _, port = part.partition(":")
        else:  # bare IPv4 or IPv6
            host, port = part, ""
        try:
            ipaddress.ip_address(host)
            servers.append((host, int(port) if port else 53))
        except ValueError as exc:
            raise SettingsError(f"PORTAL_DNS_NAMESERVERS: bad entry {part!r}") from exc
    return tuple(servers)


def _local_secret_key() -> str:
    """Return the git-ignored development key, creating it on first use."""
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text().strip()
    key = secrets.token_urlsafe(48)
    SECRET_KEY_FILE.write_text(key + "\n")
    SECRET_KEY_FILE.chmod(0o600)
    return key


def _public_port(value: str | None, mode: str, port: int) -> int | None:
    """The port in emailed links: none (the scheme's default) behind a proxy in
    production, the app's own port in development; ``PORTAL_PUBLIC_PORT`` overrides."""
    if value is None or not value.strip():
        return None if mode == "production" else port
    if not value.strip().isdigit():
        raise SettingsError("PORTAL_PUBLIC_PORT must be a number")
    number = int(value)
    return None if number in (80, 443) else number


def _positive(env: dict[str, str], name: str, default: int, most: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise SettingsError(f"{name} must be a whole number from 1 to {most}")
    return int(value)


def _api_base(env: dict[str, str], name: str) -> str | None:
    """An optional provider API base URL (a test server's), without a trailing slash."""
    value = env.get(name, "").strip().rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise SettingsError(f"{name} must be an http(s) URL, like https://api-m.paypal.com")
    return value or None


def _url(env: dict[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    if not value.startswith(("https://", "http://")):
        raise SettingsError(f"{name} must be an http(s) URL")
    return value


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
}


def _rate(env: dict[str, str], name: str) -> str:
    import limits

    variable = f"PORTAL_LIMIT_{name.upper()}"
    value = env.get(variable, "").strip() or LIMIT_DEFAULTS[name]
    try:
        item = limits.parse(value)
    except ValueError as exc:
        raise SettingsError(f"{variable}: write it like '5 per 15 minutes'") from exc
    if item.amount < 1:
        raise SettingsError(f"{variable} must allow at least one")
    return value


@dataclass(frozen=True)
class Settings:
    """The app's configuration. Build it with :func:`get_settings`."""

    env: str = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'portal.db'}"
    redis_url: str | None = None
    secret_key: str = field(default="", repr=False)
    control_hosts: tuple[str, ...] = ("localhost", "127.0.0.1")
    cname_target: str = "portal.localhost"
    dns_nameservers: tuple[tuple[str, int], ...] = ()
    port: int = 3000
    session_days: int = 7  # absolute lifetime of a login
    session_idle_minutes: int = 120  # a login unused this long ends
    # How links in emails reach a brand host: behind Caddy that is https on 443; in
    # development the app's own port over http.
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
    # A browser that logged in to an account before stays trusted this long, and past
    # the login limits it is slowed by this many seconds instead of locked out.
    device_days: int = 90
    login_slow_seconds: int = 3

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        mode = env.get("PORTAL_ENV", "development").strip().lower()
        secret = env.get("PORTAL_SECRET_KEY", "").strip()
        if mode == "production":
            if secret.lower() in PLACEHOLDER_SECRETS or len(secret) < 32:
                raise SettingsError(
                    "PORTAL_SECRET_KEY must be set to a random value of at least "
                    "32 characters when PORTAL_ENV=production"
                )
        elif not secret:
            secret = _local_secret_key()
        try:
            port = int(env.get("PORTAL_PORT", "3000"))
        except ValueError as exc:
            raise SettingsError("PORTAL_PORT must be a number") from exc
        days = _positive(env, "PORTAL_SESSION_DAYS", 7, 365)
        idle = _positive(env, "PORTAL_SESSION_IDLE_MINUTES", 120, 60 * 24 * 365)
        return cls(
            env=mode,
            database_url=env.get("PORTAL_DATABASE_URL") or cls.database_url,
            redis_url=env.get("PORTAL_REDIS_URL") or None,
            secret_key=secret,
            control_hosts=tuple(
                h.rstrip(".").strip("[]")
                for h in _split(env.get("PORTAL_CONTROL_HOSTS", "localhost,127.0.0.1"))
            ),
            cname_target=env.get("PORTAL_CNAME_TARGET", "portal.localhost")
            .strip()
            .rstrip(".")
            .lower(),
            dns_nameservers=_parse_nameservers(env.get("PORTAL_DNS_NAMESERVERS", "")),
            port=port,
            public_scheme=env.get(
                "PORTAL_PUBLIC_SCHEME", "https" if mode == "production" else "http"
            )
            .strip()
            .lower(),
            public_port=_public_port(env.get("PORTAL_PUBLIC_PORT"), mode, port),
            session_days=days,
            session_idle_minutes=idle,
            paypal_api_base=_api_base(env, "PORTAL_PAYPAL_API_BASE"),
            stripe_api_base=_url(env, "PORTAL_STRIPE_API_BASE", cls.stripe_api_base),
            stripe_js_url=_url(env, "PORTAL_STRIPE_JS_URL", cls.stripe_js_url),
            device_days=_positive(env, "PORTAL_DEVICE_DAYS", 90, 3650),
            login_slow_seconds=_positive(env, "PORTAL_LOGIN_SLOW_SECONDS", 3, 60),
            **{f"limit_{name}": _rate(env, name) for name in LIMIT_DEFAULTS},
        )


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings.from_env()

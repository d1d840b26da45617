"""How the text of a ``PORTAL_*`` variable becomes a setting's value (settings.py).

Each parser takes the variable's raw value (text from the environment, or an already
typed value given to ``Settings``) and returns the typed value, or raises SettingsError
naming the variable, so a wrong value stops the app with a message that says which one.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from portal_app.services.hosts import HostError, host_name


class SettingsError(RuntimeError):
    """The environment does not describe a usable configuration."""


def split_list(value: Any) -> tuple[str, ...]:
    """Comma-separated text (or a sequence) as its non-empty, stripped items."""
    parts = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    return tuple(part.strip() for part in parts if part.strip())


def host_list(value: Any, variable: str, *, ip: bool) -> tuple[str, ...]:
    try:
        return tuple(host_name(part, ip=ip) for part in split_list(value))
    except HostError as exc:
        raise SettingsError(f"{variable}: {exc.message}") from None


def one_host(value: Any, variable: str) -> str:
    try:
        return host_name(value)
    except HostError as exc:
        raise SettingsError(f"{variable}: {exc.message}") from None


def nameservers(value: Any) -> tuple[tuple[str, int], ...]:
    """``ip[:port]`` entries (``[v6]:port`` for IPv6); the port defaults to 53."""
    if not isinstance(value, str):
        return tuple((str(host), int(port)) for host, port in value)
    servers = []
    for part in split_list(value.lower()):
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


def port_list(value: Any, variable: str) -> tuple[int, ...]:
    parts = split_list(value)
    if not all(p.isdigit() and 0 < int(p) < 65536 for p in parts):
        raise SettingsError(f"{variable}: port numbers separated by commas")
    return tuple(int(p) for p in parts)


def link_port(value: Any) -> int | None:
    """The port in emailed links; 80 and 443 are the schemes' own (left out)."""
    if value is None:
        return None
    if not str(value).strip().isdigit():
        raise SettingsError("PORTAL_PUBLIC_PORT must be a number")
    number = int(value)
    return None if number in (80, 443) else number


def http_url(value: Any, variable: str) -> str:
    text = str(value).strip()
    if not text.startswith(("https://", "http://")):
        raise SettingsError(f"{variable} must be an http(s) URL")
    return text


def api_base(value: Any) -> str | None:
    """An optional provider API base URL (a test server's), without a trailing slash."""
    text = str(value or "").strip().rstrip("/")
    if text and not text.startswith(("https://", "http://")):
        raise SettingsError(
            "PORTAL_PAYPAL_API_BASE must be an http(s) URL, like https://api-m.paypal.com"
        )
    return text or None


def rate_limit(value: Any, variable: str, default: str) -> str:
    """A rate limit written as the `limits` library does ("5 per 15 minutes")."""
    import limits

    text = str(value or "").strip() or default
    try:
        item = limits.parse(text)
    except ValueError as exc:
        raise SettingsError(f"{variable}: write it like '5 per 15 minutes'") from exc
    if item.amount < 1:
        raise SettingsError(f"{variable} must allow at least one")
    return text

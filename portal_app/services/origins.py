"""Which web origins are the app's own. Pure functions.

A browser names the page that opened a request in its ``Origin`` header. The app's own
pages are on the control-panel hosts (PORTAL_CONTROL_HOSTS) and on verified brand
domains; anything else is a foreign site, which must not open the websocket (that
would be cross-site websocket hijacking) nor read responses with the user's cookies.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from portal_app.settings import Settings

from .hosts import normalize_host
from .tls_allow import normalize as dns_name

WEB_SCHEMES = ("http", "https")


def origin_host(origin: str | None) -> str | None:
    """The host of an ``Origin`` value (``scheme://host[:port]``), or None when it is not
    an http(s) origin: ``null``, other schemes, a path or credentials, malformed ports."""
    if not origin or not isinstance(origin, str) or not origin.isascii():
        return None
    try:
        parts = urlsplit(origin.strip())
        parts.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError:
        return None
    if parts.scheme not in WEB_SCHEMES or not parts.hostname:
        return None
    if parts.username or parts.password or parts.path or parts.query or parts.fragment:
        return None
    if ":" in parts.hostname:  # an IPv6 literal, kept without brackets as hosts are
        return parts.hostname
    return normalize_host(parts.hostname) or None


def own_origin(
    origin: str | None, *, control_hosts: tuple[str, ...], is_brand: Callable[[str], bool]
) -> bool:
    """True when ``origin`` is a page of this app: a control host or a verified brand
    host (``is_brand``, answered from memory). Ports are not compared: every port of
    those hosts is the operator's."""
    host = origin_host(origin)
    if host is None:
        return False
    return host in control_hosts or is_brand(host)


def control_origins(settings: Settings) -> tuple[str, ...]:
    """The control panel's origins as browsers write them (``https://panel.example.com``,
    ``http://localhost:3000``): what CORS answers. The scheme and port are the public
    ones (PORTAL_PUBLIC_SCHEME, PORTAL_PUBLIC_PORT)."""
    port = f":{settings.public_port}" if settings.public_port else ""
    found = []
    for host in settings.control_hosts:
        name = f"[{host}]" if ":" in host else host
        found.append(f"{settings.public_scheme}://{name}{port}")
    return tuple(found)


def script_origin(url: str | None) -> str | None:
    """The origin (``https://cdn.example.com``) of an https script URL, else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or parts.username or parts.password:
        return None
    # A plain DNS name only: no wildcard, quote or space can reach the policy text.
    host = dns_name(parts.hostname)
    if host is None:
        return None
    return f"https://{host}" + (f":{port}" if port and port != 443 else "")

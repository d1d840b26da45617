"""Host names: the one validator for names typed by people, and which requests are for
the control panel. Pure functions.

``host_name`` is the single rule for every host an operator or the environment names (a
portal domain, an SMTP server, the CNAME target, the control hosts): IDNA 2008 with the
UTS 46 mapping (the ``idna`` library), so "Portal.Bücher.example" is stored as its
A-label "portal.xn--bcher-kva.example" and shown as the U-label with ``host_display``.

The host of a request comes from the client. It may choose what to show (control panel
or a brand), never who may do what: access is decided by the server-side session.
"""

from __future__ import annotations

import ipaddress

import idna

EMPTY, IP_ADDRESS, INVALID = "empty", "ip", "invalid"
MAX_HOST = 253  # DNS: at most 255 octets on the wire, 253 characters as text


class HostError(ValueError):
    """Not a usable host name. ``kind`` is EMPTY, IP_ADDRESS or INVALID; ``message``
    says why in plain words (callers may word it for their field)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind, self.message = kind, message


def _ip_literal(text: str) -> str | None:
    """The compressed address when ``text`` is an IP literal (IPv6 with or without
    brackets), else None."""
    inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        return str(ipaddress.ip_address(inner))
    except ValueError:
        return None


def host_name(value: object, *, ip: bool = False, min_labels: int = 1) -> str:
    """The A-label form (lower-case ASCII, no trailing dot) of a host name; raises
    ``HostError`` when it is not one.

    ``ip`` allows an IP address literal (returned compressed, without brackets) where an
    address will do; otherwise one is refused, and so is anything that only looks like
    one ("127.1": an all-numeric last label). ``min_labels`` is 2 where a name must sit
    under a domain (a portal domain). Refused: empty labels, labels over 63 characters,
    names over 253, underscores, leading or trailing hyphens, spaces, ports, paths and
    any other character IDNA 2008 does not allow in a host name.
    """
    text = str(value or "").strip()
    if not text:
        raise HostError(EMPTY, "Enter a host name.")
    address = _ip_literal(text)
    if address is not None:
        if ip:
            return address
        raise HostError(IP_ADDRESS, "Use a host name, not an IP address.")
    name = text[:-1] if text.endswith(".") else text
    bad = HostError(INVALID, f"{text} is not a valid host name.")
    try:
        alabel = idna.encode(name, uts46=True, std3_rules=True, transitional=False).decode()
    except (idna.IDNAError, UnicodeError):
        raise bad from None
    labels = alabel.split(".")
    if len(alabel) > MAX_HOST or len(labels) < min_labels or not all(labels):
        raise bad
    if labels[-1].isdigit():  # a top-level domain is never all digits (RFC 3696)
        if ip:
            raise bad  # "10.0.0.300", "127.1": no address, and no name either
        raise HostError(IP_ADDRESS, "Use a host name, not an IP address.")
    return alabel


def host_display(host: str) -> str:
    """The U-label form of a stored host, for people ("portal.bücher.example");
    the host itself when it has no IDNA labels or cannot be decoded."""
    if "xn--" not in host:
        return host
    try:
        return idna.decode(host)
    except (idna.IDNAError, UnicodeError):
        return host


def normalize_host(value: str) -> str:
    """Lower-case host of a request (Host header, Origin) without port or trailing dot;
    '' when malformed. A raw Unicode name becomes its A-label, as stored."""
    host = (value or "").strip().lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].split("@")[-1]
    if host.startswith("["):  # IPv6 literal, compared without brackets
        return host[1:].split("]", 1)[0] if "]" in host else ""
    host = host.split(":", 1)[0].rstrip(".")
    if not host or any(c.isspace() for c in host):
        return ""
    if not host.isascii():
        try:
            return host_name(host)
        except HostError:
            return ""
    return host


def is_control_host(value: str, control_hosts: tuple[str, ...]) -> bool:
    """True when the host is one of PORTAL_CONTROL_HOSTS (exact match only)."""
    host = normalize_host(value)
    return bool(host) and host in control_hosts

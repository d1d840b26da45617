"""Host names: which requests are for the control panel. Pure functions.

The host comes from the client. It may choose what to show (control panel or a
brand), never who may do what: access is decided by the server-side session.
"""

from __future__ import annotations


def normalize_host(value: str) -> str:
    """Lower-case host without port or trailing dot; '' when malformed."""
    host = (value or "").strip().lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].split("@")[-1]
    if host.startswith("["):  # IPv6 literal, compared without brackets
        return host[1:].split("]", 1)[0] if "]" in host else ""
    host = host.split(":", 1)[0].rstrip(".")
    if not host or any(c.isspace() for c in host):
        return ""
    return host


def is_control_host(value: str, control_hosts: tuple[str, ...]) -> bool:
    """True when the host is one of PORTAL_CONTROL_HOSTS (exact match only)."""
    host = normalize_host(value)
    return bool(host) and host in control_hosts

"""Where outgoing mail may connect, and what of a server's answer may be shown.

The SMTP Server fields are typed by operators, and the Test Email shows what the server
said: unchecked, that is a port scanner of the portal's own network that echoes every
listener's banner. So, in production (``SmtpRules.production``):

- the port must be an SMTP port (PORTAL_SMTP_PORTS, by default 25, 465, 587, 2525);
- the name is resolved once and every address it has must be public: loopback, private,
  link-local, multicast, reserved and unspecified addresses are refused, unless the host is
  one of PORTAL_SMTP_INTERNAL_HOSTS (e.g. a Postfix on this machine);
- the connection goes to the addresses that were checked, not to a second lookup that
  DNS could answer differently, while TLS still checks the certificate against the name.

Outside production any port and address will do (the tests' SMTP server listens on
loopback, on a random port). Everywhere, a server's reply text is shown only when it is
an SMTP reply (three digits from 200 to 599): a non-SMTP listener's banner (SSH, HTTP,
a database) never reaches the operator. The outbox sends through the same rules.
"""

from __future__ import annotations

import ipaddress
import smtplib
import socket
from dataclasses import dataclass
from typing import Any

from portal_app.settings import Settings, get_settings

from .errors import ServiceError
from .hosts import HostError, host_name

DEFAULT_PORT = 587  # message submission; 465 means TLS from the first byte
MAX_REPLY = 300  # characters of a server's reply worth showing
SERVER_HINT = "Enter a host name with an optional port, like smtp.example.com:587."


class MailError(ServiceError):
    """Mail could not be sent; ``message`` says why in plain words."""


@dataclass(frozen=True)
class SmtpRules:
    """Which servers mail may go through (see the module docstring)."""

    production: bool = False
    ports: tuple[int, ...] = ()  # empty: any port
    internal_hosts: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpRules:
        return cls(
            production=settings.is_production,
            ports=settings.smtp_ports,
            internal_hosts=settings.smtp_internal_hosts,
        )


def smtp_rules() -> SmtpRules:
    """The rules of this deployment (PORTAL_ENV, PORTAL_SMTP_PORTS, …)."""
    return SmtpRules.from_settings(get_settings())


def parse_server(value: str) -> tuple[str, int]:
    """``host[:port]`` (``[v6]:port`` for IPv6) -> (host, port), the host as its
    A-label; ValueError when malformed."""
    text = str(value or "").strip()
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(text)
        ipaddress.IPv6Address(host)
        port_text = rest[1:]
    else:
        host, _, port_text = text.partition(":")
        if ":" in port_text:
            raise ValueError(text)
        try:
            host = host_name(host, ip=True)
        except HostError as exc:
            raise ValueError(text) from exc
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        raise ValueError(text)
    return host, int(port_text) if port_text else DEFAULT_PORT


def _ports_text(ports: tuple[int, ...]) -> str:
    names = [str(p) for p in sorted(ports)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def address_problem(address: str) -> str | None:
    """Why mail may not go to this IP address in production, or None when it is public."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.ipv4_mapped or ip.sixtofour or ip
    for flag, words in (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "this machine"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private network"),
        (ip.is_reserved or not ip.is_global, "a reserved address"),
    ):
        if flag:
            return words
    return None


def _refused(host: str, words: str) -> str:
    return (
        f"{host} leads to {words}: the portal sends mail only through public SMTP "
        "servers (ask the administrator to list an internal relay in "
        "PORTAL_SMTP_INTERNAL_HOSTS)."
    )


def server_problem(host: str, port: int, rules: SmtpRules) -> str | None:
    """Why ``host:port`` may not be used, judged without DNS (the port, an IP literal);
    None when it may. Names are checked again, resolved, when mail is sent."""
    if rules.ports and port not in rules.ports:
        return f"Port {port} is not an SMTP port: use {_ports_text(rules.ports)}."
    if not rules.production or host in rules.internal_hosts:
        return None
    try:
        words = address_problem(host)
    except ValueError:
        words = "this machine" if host == "localhost" or host.endswith(".localhost") else None
    return _refused(host, words) if words else None


def smtp_server_problem(value: str, rules: SmtpRules | None = None) -> str | None:
    """The message for an SMTP Server form field, or None when it may be saved."""
    try:
        host, port = parse_server(value)
    except ValueError:
        return SERVER_HINT
    return server_problem(host, port, rules or smtp_rules())


def resolve_checked(host: str, port: int, rules: SmtpRules) -> list[str]:
    """The addresses to connect to, every one checked; MailError when any is refused.
    Blocks on DNS: call it in a thread."""
    if msg := server_problem(host, port, rules):
        raise MailError(msg)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise MailError(f"The server name {host} could not be found.") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if rules.production and host not in rules.internal_hosts:
        for address in addresses:
            if words := address_problem(address.split("%", 1)[0]):
                raise MailError(_refused(host, words))
    return addresses


def smtp_reply(code: int, text: bytes | str) -> str | None:
    """``"250 OK"`` when the server gave an SMTP reply, else None: then what it sent
    (a banner of another protocol) must not be shown."""
    if not 200 <= code <= 599:  # smtplib gives -1 for a line that is not an SMTP reply
        return None
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    shown = " ".join("".join(c for c in text if c.isprintable()).split())
    return f"{code} {shown[:MAX_REPLY]}".strip()


class _Pinned:
    """Connects to checked addresses, in order; TLS still verifies the server's name."""

    addresses: list[str]

    def _get_socket(self, host: str, port: int, timeout: float) -> Any:
        error: OSError = OSError(f"no address for {host}")
        for address in self.addresses:
            try:
                return super()._get_socket(address, port, timeout)  # type: ignore[misc]
            except OSError as exc:  # like socket.create_connection: try the next one
                error = exc
        raise error


class PinnedSMTP(_Pinned, smtplib.SMTP):
    def __init__(self, addresses: list[str], timeout: float):
        self.addresses = addresses
        super().__init__(timeout=timeout)


class PinnedSMTPSSL(_Pinned, smtplib.SMTP_SSL):
    def __init__(self, addresses: list[str], timeout: float, context: Any):
        self.addresses = addresses
        super().__init__(timeout=timeout, context=context)

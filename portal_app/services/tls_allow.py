"""Which hosts may get a TLS certificate: the verified brand domains, held in memory.

Caddy asks ``/api/tls/ask?domain=...`` during a TLS handshake for a host it has no
certificate for. Anyone can make it ask (just send that SNI), so the answer must be
cheap and must never touch the database per request: it comes from a frozenset that a
lifespan task refreshes from the database every few seconds.

Fail closed: a malformed host, or any error while answering, is a no. When the
database cannot be read the previous set is kept, which can only ever allow hosts that
were verified a moment ago; it never allows one that never was.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

from portal_app.models import DomainStatus, PortalDomain

from .hosts import HostError, host_name

log = logging.getLogger("portal.tls_allow")


def normalize(host: object) -> str | None:
    """Lower-case host without one trailing dot; None unless it is a plain DNS host name.

    Refused: non-strings, empty or over-long names, single labels, IP addresses,
    ports, spaces, underscores, empty labels and non-ASCII (SNI is always ASCII).
    """
    if not isinstance(host, str) or not host.isascii() or host != host.strip():
        return None
    try:  # the one host-name rule (services/hosts.py)
        return host_name(host.lower(), min_labels=2)
    except HostError:
        return None


def _stored(host: str) -> str | None:
    """A host as stored in the database, in the ASCII form Caddy will ask about."""
    try:
        return host_name(host, min_labels=2)
    except HostError:
        return None


class TlsAllowList:
    """The set of hosts allowed a certificate. Swapped whole, so readers need no lock."""

    def __init__(self, hosts: Iterable[str] = ()):
        self._hosts: frozenset[str] = frozenset()
        self.replace(hosts)

    @property
    def hosts(self) -> frozenset[str]:
        return self._hosts

    def allows(self, host: object) -> bool:
        """True only for a well-formed host that is in the set."""
        try:
            name = normalize(host)
            return name is not None and name in self._hosts
        except Exception:  # fail closed, whatever went wrong
            log.exception("TLS allow-list check failed for %r", host)
            return False

    def replace(self, hosts: Iterable[str]) -> None:
        """Use exactly these hosts from now on (malformed ones are dropped)."""
        self._hosts = frozenset(h for h in map(_stored, hosts) if h is not None)

    def refresh_from_db(self, engine: sa.Engine) -> bool:
        """Load the verified domains; on any error keep the current set and return False."""
        try:
            with Session(engine) as session:
                hosts = session.exec(
                    select(PortalDomain.host).where(
                        PortalDomain.status == DomainStatus.VERIFIED.value
                    )
                ).all()
        except Exception:
            log.warning("could not refresh the TLS allow-list; keeping the old one", exc_info=True)
            return False
        self.replace(hosts)
        return True


allow_list = TlsAllowList()

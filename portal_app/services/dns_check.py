"""Is a brand domain a CNAME to PORTAL_CNAME_TARGET? One DNS check, explained for people.

Brand domains must be CNAMEs, not A/AAAA records: the CNAME lets the carrier move the
portal to new addresses without asking every brand to edit DNS, and it is what the
operator was told to create. The chain is followed one query per step (type CNAME), so
the check sees exactly which name each step points to, stops at the target, and is
bounded and loop-safe whatever the DNS data says.

DNS trouble (timeouts, SERVFAIL, REFUSED, no nameserver) never raises: it is the outcome
``unknown``, which callers retry. No Reflex here; the call blocks, so run it in a thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from .hosts import HostError, host_name
from .offloop import check_off_loop

VERIFIED, MISCONFIGURED, UNKNOWN = "verified", "misconfigured", "unknown"
MAX_CHAIN = 8  # CNAME steps followed before giving up; real set-ups use one or two
_RETRY_NOTE = "The check is repeated automatically."


@dataclass(frozen=True)
class CheckResult:
    """What DNS said about a host, compared with the CNAME target.

    ``outcome``: verified, misconfigured or unknown. ``reason``: ok, a_record,
    wrong_target, nxdomain, no_answer, timeout or servfail. ``found``: the CNAME chain
    after the host, or the A/AAAA addresses found instead of a CNAME.
    """

    host: str
    outcome: str
    reason: str
    expected: str
    found: tuple[str, ...]
    explanation: str

    @property
    def ok(self) -> bool:
        return self.outcome == VERIFIED


class _DnsTrouble(Exception):
    """DNS did not give a usable answer; carries the reason code and a short note."""

    def __init__(self, reason: str, note: str = ""):
        super().__init__(reason)
        self.reason, self.note = reason, note


def _plain(name: str | dns.name.Name) -> str:
    """Lower case, no trailing dot: how names are compared and shown."""
    return str(name).strip().rstrip(".").lower()


def _resolver(nameservers: Sequence[tuple[str, int]]) -> dns.resolver.Resolver:
    if nameservers:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in nameservers]
    else:
        resolver = dns.resolver.Resolver()  # /etc/resolv.conf
    resolver.cache = None  # a re-check must see today's DNS, not our memory of it
    return resolver


class _Lookup:
    """Queries against one resolver with one deadline shared by every query of a check."""

    def __init__(self, resolver: dns.resolver.Resolver, timeout: float):
        self.resolver = resolver
        self.deadline = time.monotonic() + timeout

    def records(self, name: dns.name.Name, rdtype: str) -> list[str] | None:
        """The records of that type (maybe none), or None when the name does not exist."""
        check_off_loop("a DNS query")
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _DnsTrouble("timeout")
        try:
            answer = self.resolver.resolve(
                name, rdtype, raise_on_no_answer=False, lifetime=remaining, search=False
            )
        except dns.resolver.NXDOMAIN:
            return None
        except dns.exception.Timeout as exc:
            raise _DnsTrouble("timeout") from exc
        except dns.resolver.NoNameservers as exc:
            raise _DnsTrouble("servfail", _rcodes(exc)) from exc
        except dns.exception.DNSException as exc:  # YXDOMAIN, malformed replies, ...
            raise _DnsTrouble("servfail", type(exc).__name__) from exc
        if answer.rrset is None:
            return []
        return [rdata.to_text() for rdata in answer.rrset]


def _rcodes(exc: dns.resolver.NoNameservers) -> str:
    """The answers the servers gave (SERVFAIL, REFUSED) or the error, for the operator."""
    seen = []
    for error in exc.kwargs.get("errors") or []:
        text = error[3] if isinstance(error[3], str) else type(error[3]).__name__
        if text not in seen:
            seen.append(text)
    return ", ".join(seen)


def _chain_text(host: str, chain: Sequence[str]) -> str:
    return " → ".join([host, *chain])


def _addresses_text(a: list[str], aaaa: list[str]) -> str:
    if a and aaaa:
        kind = "A and AAAA records"
    elif a:
        kind = "an A record" if len(a) == 1 else "A records"
    else:
        kind = "an AAAA record" if len(aaaa) == 1 else "AAAA records"
    return f"{kind} ({', '.join(a + aaaa)})"


def dns_check(
    host: str,
    *,
    target: str,
    nameservers: Sequence[tuple[str, int]] = (),
    timeout: float = 3.0,
) -> CheckResult:
    """Follow ``host``'s CNAME chain and say whether it reaches ``target``.

    ``nameservers`` are (ip, port) pairs (PORTAL_DNS_NAMESERVERS); empty means the
    system resolver. ``timeout`` bounds the whole check, all queries together.
    """
    shown, expected = _plain(host), _plain(target)

    def result(outcome: str, reason: str, found: Sequence[str], text: str) -> CheckResult:
        return CheckResult(shown, outcome, reason, expected, tuple(found), text)

    if shown.endswith(".localhost") and expected.endswith(".localhost"):
        # Local development: every .localhost name reaches this machine (RFC 6761), just
        # as the .localhost CNAME target does, and no DNS server knows them.
        return result(
            VERIFIED,
            "ok",
            [expected],
            f"{shown} is a .localhost name: it always "
            "reaches this machine (RFC 6761), so it is verified for development.",
        )
    if shown == "localhost" or shown.endswith(".localhost"):
        # RFC 6761: .localhost names resolve on this machine only and are never sent to
        # DNS, which cannot know them. Like a DNS outage, this proves nothing either way,
        # so a domain verified for development stays verified.
        return result(
            UNKNOWN,
            "local",
            (),
            f"{shown} is a .localhost name (RFC 6761): it resolves on this machine only, "
            f"so it is not looked up in DNS and cannot be checked against {expected}.",
        )

    try:
        name = dns.name.from_text(host_name(shown, min_labels=2))
    except (HostError, dns.exception.DNSException):
        return result(MISCONFIGURED, "nxdomain", (), f'"{host}" is not a valid host name.')

    chain: list[str] = []
    try:
        lookup = _Lookup(_resolver(nameservers), timeout)
        current = name
        while True:
            cnames = lookup.records(current, "CNAME")
            if cnames:
                step = _plain(cnames[0])
                looped = step == shown or step in chain
                chain.append(step)
                if step == expected:
                    return _verified(shown, expected, chain, result)
                if looped:
                    return result(
                        MISCONFIGURED,
                        "wrong_target",
                        chain,
                        f"{shown}'s CNAME chain ({_chain_text(shown, chain)}) loops without "
                        f"reaching {expected}. Replace it with one CNAME to {expected}.",
                    )
                if len(chain) >= MAX_CHAIN:
                    return result(
                        MISCONFIGURED,
                        "wrong_target",
                        chain,
                        f"{shown}'s CNAME chain is longer than {MAX_CHAIN} steps "
                        f"({_chain_text(shown, chain)}) without reaching {expected}. "
                        f"Replace it with one CNAME to {expected}.",
                    )
                current = dns.name.from_text(step)
                continue
            if chain:  # the chain ends (at a name with no CNAME, or none at all) elsewhere
                return _wrong_target(shown, expected, chain, result)
            if cnames is None:
                return result(
                    MISCONFIGURED,
                    "nxdomain",
                    (),
                    f"{shown} does not exist in DNS. Add a CNAME record for {shown} "
                    f"pointing to {expected}.",
                )
            a = lookup.records(current, "A") or []
            aaaa = lookup.records(current, "AAAA") or []
            if a or aaaa:
                return result(
                    MISCONFIGURED,
                    "a_record",
                    a + aaaa,
                    f"{shown} has {_addresses_text(a, aaaa)} instead of a CNAME. "
                    f"Replace it with a CNAME to {expected}.",
                )
            return result(
                MISCONFIGURED,
                "no_answer",
                (),
                f"{shown} exists in DNS but has no CNAME, A or AAAA record. "
                f"Add a CNAME to {expected}.",
            )
    except _DnsTrouble as trouble:
        return _unknown(shown, trouble, chain, result)
    except dns.resolver.NoResolverConfiguration:
        return result(
            UNKNOWN,
            "servfail",
            chain,
            f"No DNS server is configured here, so {shown} could not be checked. "
            "Set PORTAL_DNS_NAMESERVERS.",
        )


_Make = Callable[[str, str, Sequence[str], str], CheckResult]


def _verified(shown: str, expected: str, chain: list[str], result: _Make) -> CheckResult:
    if len(chain) == 1:
        text = f"{shown} is a CNAME to {expected}, as required."
    else:
        text = (
            f"{shown} reaches {expected} through the CNAME chain "
            f"{_chain_text(shown, chain)}, as required."
        )
    return result(VERIFIED, "ok", chain, text)


def _wrong_target(shown: str, expected: str, chain: list[str], result: _Make) -> CheckResult:
    if len(chain) == 1:
        text = f"{shown} is a CNAME to {chain[0]} instead of {expected}."
    else:
        text = (
            f"{shown}'s CNAME chain ({_chain_text(shown, chain)}) ends at {chain[-1]} "
            f"instead of {expected}."
        )
    return result(MISCONFIGURED, "wrong_target", chain, f"{text} Point the CNAME at {expected}.")


def _unknown(shown: str, trouble: _DnsTrouble, chain: list[str], result: _Make) -> CheckResult:
    if trouble.reason == "timeout":
        text = f"DNS did not answer in time for {shown}, so it could not be checked."
    else:
        note = f" ({trouble.note})" if trouble.note else ""
        text = f"The DNS servers could not answer for {shown}{note}, so it could not be checked."
    return result(UNKNOWN, trouble.reason, chain, f"{text} {_RETRY_NOTE}")

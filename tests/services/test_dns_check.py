"""The CNAME check against a real DNS server (dnsmasq on loopback), one row per outcome."""

from __future__ import annotations

import time

import pytest

from portal_app.services.dns_check import MAX_CHAIN, CheckResult, dns_check
from tests import dnsserver
from tests.dnsserver import LONG_CHAIN, TARGET

T = TARGET


@pytest.fixture(scope="module")
def dns():
    with dnsserver.running() as server:
        yield server


CASES = [
    # host, outcome, reason, found, explanation
    (
        "good.example.test",
        "verified",
        "ok",
        (T,),
        f"good.example.test is a CNAME to {T}, as required.",
    ),
    (
        "chain.example.test",
        "verified",
        "ok",
        ("hop.example.test", T),
        f"chain.example.test reaches {T} through the CNAME chain "
        f"chain.example.test → hop.example.test → {T}, as required.",
    ),
    (
        "arecord.example.test",
        "misconfigured",
        "a_record",
        ("203.0.113.5",),
        "arecord.example.test has an A record (203.0.113.5) instead of a CNAME. "
        f"Replace it with a CNAME to {T}.",
    ),
    (
        "aaaa.example.test",
        "misconfigured",
        "a_record",
        ("2001:db8::5",),
        "aaaa.example.test has an AAAA record (2001:db8::5) instead of a CNAME. "
        f"Replace it with a CNAME to {T}.",
    ),
    (
        "dual.example.test",
        "misconfigured",
        "a_record",
        ("203.0.113.6", "2001:db8::6"),
        "dual.example.test has A and AAAA records (203.0.113.6, 2001:db8::6) instead of "
        f"a CNAME. Replace it with a CNAME to {T}.",
    ),
    (
        "other.example.test",
        "misconfigured",
        "wrong_target",
        ("elsewhere.example.test",),
        f"other.example.test is a CNAME to elsewhere.example.test instead of {T}. "
        f"Point the CNAME at {T}.",
    ),
    (
        "deadend.example.test",
        "misconfigured",
        "wrong_target",
        ("gone.example.test",),
        f"deadend.example.test is a CNAME to gone.example.test instead of {T}. "
        f"Point the CNAME at {T}.",
    ),
    (
        "loop.example.test",
        "misconfigured",
        "wrong_target",
        ("back.loop.test", "loop.example.test"),
        "loop.example.test's CNAME chain (loop.example.test → back.loop.test → "
        f"loop.example.test) loops without reaching {T}. Replace it with one CNAME to {T}.",
    ),
    (
        "missing.example.test",
        "misconfigured",
        "nxdomain",
        (),
        "missing.example.test does not exist in DNS. Add a CNAME record for "
        f"missing.example.test pointing to {T}.",
    ),
    (
        "txtonly.example.test",
        "misconfigured",
        "no_answer",
        (),
        f"txtonly.example.test exists in DNS but has no CNAME, A or AAAA record. "
        f"Add a CNAME to {T}.",
    ),
    (
        "servfail.example.test",
        "unknown",
        "servfail",
        (),
        "The DNS servers could not answer for servfail.example.test (REFUSED), so it "
        "could not be checked. The check is repeated automatically.",
    ),
    (
        "slow.example.test",
        "unknown",
        "timeout",
        (),
        "DNS did not answer in time for slow.example.test, so it could not be checked. "
        "The check is repeated automatically.",
    ),
]


@pytest.mark.parametrize(("host", "outcome", "reason", "found", "explanation"), CASES)
def test_every_outcome_is_explained(dns, host, outcome, reason, found, explanation):
    result = dns_check(host, target=TARGET, nameservers=dns.nameservers, timeout=0.5)
    assert result == CheckResult(host, outcome, reason, TARGET, found, explanation)
    assert result.ok is (outcome == "verified")


def test_names_compare_without_case_or_trailing_dot(dns):
    result = dns_check(
        "GOOD.Example.Test.", target="Portal.EXAMPLE.test.", nameservers=dns.nameservers
    )
    assert (result.outcome, result.host, result.expected) == ("verified", "good.example.test", T)


def test_a_chain_too_long_is_not_followed_to_the_end(dns):
    result = dns_check("long0.example.test", target=TARGET, nameservers=dns.nameservers)
    assert (result.outcome, result.reason) == ("misconfigured", "wrong_target")
    assert len(result.found) == MAX_CHAIN < LONG_CHAIN + 1  # it does reach T, 11 steps away
    assert result.explanation.startswith(
        f"long0.example.test's CNAME chain is longer than {MAX_CHAIN} steps "
        "(long0.example.test → long1.example.test → "
    )


def test_the_chain_must_reach_the_configured_target(dns):
    result = dns_check(
        "good.example.test", target="portal.example.net", nameservers=dns.nameservers
    )
    assert (result.outcome, result.reason, result.found) == ("misconfigured", "wrong_target", (T,))
    assert result.explanation == (
        f"good.example.test is a CNAME to {T} instead of portal.example.net. "
        "Point the CNAME at portal.example.net."
    )


def test_a_nameserver_that_does_not_answer_is_a_timeout_within_the_limit(dns):
    started = time.monotonic()
    result = dns_check(
        "good.example.test", target=TARGET, nameservers=dns.dead_nameservers, timeout=0.4
    )
    assert (result.outcome, result.reason) == ("unknown", "timeout")
    assert time.monotonic() - started < 2


def test_the_timeout_covers_the_whole_chain_not_each_query(dns):
    # every step answers at once, so even a tiny limit is enough for two steps...
    ok = dns_check("chain.example.test", target=TARGET, nameservers=dns.nameservers, timeout=0.3)
    assert ok.outcome == "verified"
    # ...and a spent limit stops the check before it asks anything
    spent = dns_check("chain.example.test", target=TARGET, nameservers=dns.nameservers, timeout=0)
    assert (spent.outcome, spent.reason, spent.found) == ("unknown", "timeout", ())


@pytest.mark.parametrize("host", ["", "a b.example.test", "x..example.test", "a/b.test"])
def test_malformed_hosts_are_refused_without_asking_dns(host):
    # no nameserver listens on port 9: asking would time out, not say "not valid"
    result = dns_check(host, target=TARGET, nameservers=(("127.0.0.1", 9),), timeout=5)
    assert (result.outcome, result.reason) == ("misconfigured", "nxdomain")
    assert result.explanation == f'"{host}" is not a valid host name.'


def test_localhost_names_verify_without_dns_when_the_target_is_local_too():
    local = dns_check(
        "acme.localhost", target="portal.localhost", nameservers=(("127.0.0.1", 9),), timeout=0.5
    )
    assert (local.outcome, local.reason) == ("verified", "ok")
    assert "RFC 6761" in local.explanation
    # With a real target a .localhost name cannot be checked, and DNS is not asked:
    # nothing listens on port 9, so asking would have ended with reason "timeout".
    for host in ("acme.localhost", "localhost"):
        remote = dns_check(
            host, target="portal.example.test", nameservers=(("127.0.0.1", 9),), timeout=0.5
        )
        assert (remote.outcome, remote.reason) == ("unknown", "local")
        assert "RFC 6761" in remote.explanation

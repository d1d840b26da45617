"""Domain status after DNS checks, the re-check schedule, the TLS allow-list and its endpoint.

Runs on SQLite and PostgreSQL (the ``db`` fixture). Checks that need DNS ask a real
dnsmasq on loopback (tests/dnsserver.py). Rows are inserted directly; ``db`` empties
the tables after each test.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session, select

from portal_app.api.routes import build_api
from portal_app.models import AuditEvent, DomainStatus, PortalDomain
from portal_app.models.base import utcnow
from portal_app.services import domain_checks, tls_allow
from portal_app.services.db import make_engine
from portal_app.services.dns_check import CheckResult
from portal_app.services.domain_checks import (
    domain_check_claim,
    domain_check_now,
    domain_check_record,
    domains_due,
    retry_delay,
    verify_allowed,
)
from portal_app.services.errors import NotFound
from portal_app.settings import Settings
from portal_app.tasks import domain_recheck_due
from tests import dnsserver
from tests.dnsserver import TARGET

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOST = "portal.acme.test"

RESULTS = {
    "verified": CheckResult(HOST, "verified", "ok", TARGET, (TARGET,), "It is a CNAME."),
    "misconfigured": CheckResult(
        HOST, "misconfigured", "a_record", TARGET, ("203.0.113.5",), "It has an A record."
    ),
    "unknown": CheckResult(HOST, "unknown", "timeout", TARGET, (), "DNS did not answer."),
}


@pytest.fixture(scope="module")
def dns():
    with dnsserver.running() as server:
        yield server


def add_domain(db: Session, host: str = HOST, **fields) -> PortalDomain:
    domain = PortalDomain(host=host, brand_name=host.split(".")[1].title(), **fields)
    db.add(domain)
    db.commit()
    return domain


def reload(engine, domain_id: int) -> PortalDomain:
    with Session(engine) as other:
        return other.get(PortalDomain, domain_id)


def audit_rows(engine, domain_id: int) -> list[AuditEvent]:
    with Session(engine) as other:
        query = select(AuditEvent).where(
            AuditEvent.entity == "portal_domain", AuditEvent.entity_id == str(domain_id)
        )
        return list(other.exec(query.order_by(AuditEvent.id)).all())


# The schedule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(0, 1), (1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 30), (7, 30), (100, 30)],
)
def test_retry_delay_doubles_per_failure_up_to_half_an_hour(failures, minutes):
    assert retry_delay(failures) == timedelta(minutes=minutes)


# Status transitions --------------------------------------------------------------------

OLD_VERIFIED_AT = NOW - timedelta(days=3)

TRANSITIONS = [
    # before: status, failures | check outcome | after: status, failures, next check in
    ("pending", 0, "verified", "verified", 0, timedelta(days=1)),
    ("pending", 0, "misconfigured", "misconfigured", 1, MIN),
    ("pending", 0, "unknown", "unknown", 1, MIN),
    ("misconfigured", 3, "misconfigured", "misconfigured", 4, 8 * MIN),
    ("misconfigured", 4, "verified", "verified", 0, timedelta(days=1)),
    ("misconfigured", 2, "unknown", "unknown", 3, 4 * MIN),
    ("unknown", 5, "unknown", "unknown", 6, 30 * MIN),
    ("unknown", 1, "misconfigured", "misconfigured", 2, 2 * MIN),
    ("verified", 0, "verified", "verified", 0, timedelta(days=1)),
    ("verified", 0, "misconfigured", "misconfigured", 1, MIN),  # DNS now says otherwise
    ("verified", 0, "unknown", "verified", 1, 5 * MIN),  # an outage is not the brand's fault
    ("verified", 6, "unknown", "verified", 7, 5 * MIN),  # no back-off for verified domains
]


@pytest.mark.parametrize(
    ("status", "failures", "outcome", "new_status", "new_failures", "delay"), TRANSITIONS
)
def test_a_check_sets_status_schedule_and_audit(
    db, engine, status, failures, outcome, new_status, new_failures, delay
):
    domain = add_domain(db, status=status, check_failures=failures, verified_at=OLD_VERIFIED_AT)

    changed = domain_check_record(session=db, domain_id=domain.id, result=RESULTS[outcome], now=NOW)
    db.commit()

    row = reload(engine, domain.id)
    assert changed is (status != new_status)
    assert (row.status, row.check_failures) == (new_status, new_failures)
    assert (row.last_checked_at, row.next_check_at) == (NOW, NOW + delay)
    assert row.verified_at == (NOW if outcome == "verified" else OLD_VERIFIED_AT)
    if status == "verified" and outcome == "unknown":
        assert row.status_detail == "Still verified; the last check failed. DNS did not answer."
    else:
        assert row.status_detail == RESULTS[outcome].explanation
    audits = audit_rows(engine, domain.id)
    assert len(audits) == (1 if changed else 0)
    if changed:
        (audit,) = audits
        assert (audit.action, audit.actor_kind, audit.actor_label) == (
            "domain.status",
            "system",
            "system",
        )
        assert audit.before == {"status": status, "status_detail": ""}
        assert audit.after == {"status": new_status, "status_detail": row.status_detail}


def test_consecutive_failures_back_off_and_are_audited_once(db, engine):
    domain = add_domain(db)
    waits = []
    now = NOW
    for _ in range(7):
        domain_check_record(session=db, domain_id=domain.id, result=RESULTS["unknown"], now=now)
        db.commit()
        row = reload(engine, domain.id)
        waits.append((row.next_check_at - now) // MIN)
        now = row.next_check_at
    assert waits == [1, 2, 4, 8, 16, 30, 30]
    assert [a.after["status"] for a in audit_rows(engine, domain.id)] == ["unknown"]

    domain_check_record(session=db, domain_id=domain.id, result=RESULTS["verified"], now=now)
    db.commit()
    row = reload(engine, domain.id)
    assert (row.status, row.check_failures, row.next_check_at) == (
        "verified",
        0,
        now + timedelta(days=1),
    )
    assert [a.after["status"] for a in audit_rows(engine, domain.id)] == ["unknown", "verified"]


def test_a_result_for_an_old_host_is_dropped(db, engine):
    """The operator changed the host while DNS was being asked about the old one."""
    domain = add_domain(db, host="new.acme.test")
    changed = domain_check_record(
        session=db, domain_id=domain.id, result=RESULTS["verified"], now=NOW
    )
    db.commit()
    row = reload(engine, domain.id)
    assert changed is False
    assert (row.status, row.last_checked_at) == ("pending", None)
    assert audit_rows(engine, domain.id) == []


def test_host_case_and_trailing_dot_do_not_matter(db, engine):
    domain = add_domain(db, host="Portal.Acme.Test.")
    assert domain_check_record(session=db, domain_id=domain.id, result=RESULTS["verified"])
    db.commit()
    assert reload(engine, domain.id).status == "verified"


def test_a_deleted_domain_is_not_found(db):
    with pytest.raises(NotFound):
        domain_check_record(session=db, domain_id=987654, result=RESULTS["verified"])


# Which domains are due -----------------------------------------------------------------


def test_domains_due_lists_never_checked_then_oldest_first(db):
    later = add_domain(db, "later.acme.test", next_check_at=NOW + timedelta(seconds=1))
    exactly = add_domain(db, "exactly.acme.test", next_check_at=NOW)
    old = add_domain(db, "old.acme.test", next_check_at=NOW - timedelta(hours=1))
    never = add_domain(db, "never.acme.test", next_check_at=None)

    assert domains_due(session=db, now=NOW, limit=10) == [never.id, old.id, exactly.id]
    assert domains_due(session=db, now=NOW, limit=2) == [never.id, old.id]
    assert later.id in domains_due(session=db, now=NOW + timedelta(seconds=1), limit=10)


def test_only_one_worker_claims_a_due_domain(db, engine):
    domain = add_domain(db, next_check_at=NOW)
    with Session(engine) as first, Session(engine) as second:
        assert domain_check_claim(session=first, domain_id=domain.id, now=NOW) == HOST
        first.commit()
        assert domain_check_claim(session=second, domain_id=domain.id, now=NOW) is None
        second.commit()
    assert reload(engine, domain.id).next_check_at == NOW + domain_checks.CLAIM_LEASE
    assert domains_due(session=db, now=NOW, limit=10) == []
    # a worker that died with the claim: after the lease the domain is due again
    after = NOW + domain_checks.CLAIM_LEASE
    assert domain_check_claim(session=db, domain_id=domain.id, now=after) == HOST


# Checks against real DNS ---------------------------------------------------------------


def settings_for(dns) -> Settings:
    return Settings(cname_target=TARGET, dns_nameservers=dns.nameservers)


def test_verify_now_checks_dns_and_records_it(db, engine, dns):
    good = add_domain(db, "good.example.test")
    bad = add_domain(db, "arecord.example.test", status="verified")

    result, changed = domain_check_now(session=db, domain_id=good.id, settings=settings_for(dns))
    assert (result.outcome, changed) == ("verified", True)
    result, changed = domain_check_now(session=db, domain_id=bad.id, settings=settings_for(dns))
    assert (result.outcome, result.reason, changed) == ("misconfigured", "a_record", True)
    db.commit()

    assert reload(engine, good.id).status == "verified"
    row = reload(engine, bad.id)
    assert row.status == "misconfigured"
    assert row.status_detail.startswith("arecord.example.test has an A record (203.0.113.5)")


def test_the_recheck_task_checks_due_domains_only(db, engine, dns):
    good = add_domain(db, "good.example.test", next_check_at=None)
    chain = add_domain(db, "chain.example.test", next_check_at=utcnow() - timedelta(days=1))
    servfail = add_domain(db, "servfail.example.test", status="verified", next_check_at=None)
    future = add_domain(db, "other.example.test", next_check_at=datetime(2999, 1, 1, tzinfo=UTC))

    run = domain_recheck_due(settings=settings_for(dns), engine=engine)
    assert asyncio.run(run) == 3
    statuses = {d.host: reload(engine, d.id).status for d in (good, chain, servfail, future)}
    assert statuses == {
        "good.example.test": "verified",
        "chain.example.test": "verified",
        "servfail.example.test": "verified",  # no answer: stays verified, retried in 5 min
        "other.example.test": "pending",  # not due
    }
    assert reload(engine, servfail.id).status_detail.startswith("Still verified")
    # nothing is due any more
    assert asyncio.run(domain_recheck_due(settings=settings_for(dns), engine=engine)) == 0


def test_verify_now_is_allowed_once_per_ten_seconds_per_domain(db):
    first, other = 10_001, 10_002

    def allowed(domain_id: int, seconds: int) -> bool:
        now = NOW + timedelta(seconds=seconds)
        return verify_allowed(session=db, domain_id=domain_id, now=now)

    assert allowed(first, 0) is True
    assert allowed(first, 9) is False
    assert allowed(other, 9) is True
    assert allowed(first, 10) is True
    assert allowed(first, 11) is False


# The TLS allow-list ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "normal"),
    [
        ("portal.acme.test", "portal.acme.test"),
        ("Portal.ACME.test.", "portal.acme.test"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("portal.acme.test..", None),
        ("portal..acme.test", None),
        ("", None),
        (".", None),
        ("localhost", None),
        ("portal.acme.test:443", None),
        (" portal.acme.test", None),
        ("portal_1.acme.test", None),
        ("-portal.acme.test", None),
        ("127.0.0.1", None),
        ("bücher.example", None),  # SNI is ASCII; stored IDNs are converted on load
        ("a" * 64 + ".test", None),
        (".".join(["a" * 63] * 4) + ".test", None),  # over 253 characters
        (None, None),
        (b"portal.acme.test", None),
    ],
)
def test_allow_list_normalizes_and_refuses_malformed_hosts(host, normal):
    assert tls_allow.normalize(host) == normal
    allow = tls_allow.TlsAllowList(["portal.acme.test", "xn--bcher-kva.example"])
    assert allow.allows(host) is (normal is not None)


def test_allow_list_replace_takes_stored_forms():
    allow = tls_allow.TlsAllowList(["old.acme.test"])
    allow.replace(["New.Acme.Test.", "bücher.example", "not a host"])
    assert allow.hosts == {"new.acme.test", "xn--bcher-kva.example"}
    assert allow.allows("new.acme.test") and allow.allows("xn--bcher-kva.example")
    assert not allow.allows("old.acme.test")


def test_allow_list_fails_closed_when_checking_raises():
    class Hostile(str):
        def lower(self):
            raise RuntimeError("boom")

    allow = tls_allow.TlsAllowList(["portal.acme.test"])
    assert allow.allows(Hostile("portal.acme.test")) is False


def test_allow_list_loads_verified_domains_only(db, engine):
    add_domain(db, "one.acme.test", status=DomainStatus.VERIFIED.value)
    add_domain(db, "two.acme.test", status=DomainStatus.VERIFIED.value)
    add_domain(db, "pending.acme.test")
    add_domain(db, "wrong.acme.test", status=DomainStatus.MISCONFIGURED.value)
    add_domain(db, "dark.acme.test", status=DomainStatus.UNKNOWN.value)
    allow = tls_allow.TlsAllowList(["stale.acme.test"])

    assert allow.refresh_from_db(engine) is True
    assert allow.hosts == {"one.acme.test", "two.acme.test"}


def test_allow_list_keeps_the_old_set_when_the_database_fails(tmp_path):
    broken = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    allow = tls_allow.TlsAllowList(["one.acme.test"])
    assert allow.refresh_from_db(broken) is False
    assert allow.hosts == {"one.acme.test"}


@pytest.fixture()
def ask():
    """GET /api/tls/ask on the real Starlette app, in process, with one allowed host."""

    async def get(query: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=build_api())
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            return await client.get("/api/tls/ask" + query)

    saved = tls_allow.allow_list.hosts
    tls_allow.allow_list.replace(["portal.acme.test"])
    yield lambda query: asyncio.run(get(query))
    tls_allow.allow_list.replace(saved)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?domain=portal.acme.test", 200),
        ("?domain=PORTAL.acme.test.", 200),
        ("?domain=other.acme.test", 403),
        ("?domain=portal.acme.test.evil.test", 403),
        ("?domain=", 403),
        ("", 403),
        ("?domain=portal.acme.test%00", 403),
    ],
)
def test_tls_ask_answers_from_the_allow_list(ask, query, status):
    response = ask(query)
    assert response.status_code == status
    assert response.text == ("ok" if status == 200 else "not allowed")

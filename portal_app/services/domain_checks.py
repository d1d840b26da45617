"""What a DNS check means for a brand domain: its status, its next check, its audit trail.

Status rules: a CNAME reaching the target verifies the domain; a wrong answer makes it
misconfigured even if it was verified (DNS now says otherwise, and a certificate must
not be issued for a host that no longer points at us); no answer (timeout, SERVFAIL)
leaves a verified domain verified, because a DNS outage is not the brand's mistake and
taking its site down for it would be, while other domains become unknown.

Schedule: domains that are not verified are checked often, so an operator who just
fixed DNS sees it within minutes: 1 minute after the first failure, doubling per
consecutive failure up to 30 minutes. Verified domains are re-checked daily, and 5
minutes after a check that got no answer.

The background loop and the "Verify now" button both end in ``domain_check_record``.
Services never commit; callers do (``session_scope``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, or_, select, update

from portal_app.models import DomainStatus, PortalDomain
from portal_app.models.base import utcnow
from portal_app.settings import Settings

from .audit import audit_record, snapshot
from .dns_check import MISCONFIGURED, VERIFIED, CheckResult, dns_check
from .errors import NotFound
from .identity import SYSTEM
from .limiter import limit_hit

VERIFIED_RECHECK = timedelta(days=1)
VERIFIED_RETRY = timedelta(minutes=5)  # a verified domain whose check got no answer
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(minutes=30)
CLAIM_LEASE = timedelta(minutes=2)  # longer than any check takes
_DETAIL_MAX = 500  # PortalDomain.status_detail


def retry_delay(failures: int) -> timedelta:
    """Wait after the n-th consecutive failed check: 1, 2, 4, 8, 16, then 30 minutes."""
    doublings = min(max(failures, 1) - 1, 10)  # 2**10 minutes is far past the cap
    return min(FIRST_RETRY * 2**doublings, MAX_RETRY)


def _domain(session: Session, domain_id: int) -> PortalDomain:
    domain = session.get(PortalDomain, domain_id)
    if domain is None:
        raise NotFound("That domain no longer exists.")
    return domain


def domain_check_record(
    *, session: Session, domain_id: int, result: CheckResult, now: datetime | None = None
) -> bool:
    """Apply one DNS check to the domain; True when its status changed.

    ``verified_at`` is the last time DNS confirmed the domain, so a verified domain
    whose checks currently fail still shows when it was last seen correct. An audit row
    (actor: the system) is written only when the status changes. ``updated_at`` is left
    alone: it belongs to the operator's edits, not to the checker. A result for another
    host (the operator changed it while DNS was being asked) is dropped: False.
    """
    now = now or utcnow()
    domain = _domain(session, domain_id)
    if result.host != domain.host.strip().rstrip(".").lower():
        return False
    before = snapshot(domain, ["status", "status_detail"])
    was_verified = domain.status == DomainStatus.VERIFIED.value
    detail = result.explanation
    if result.outcome == VERIFIED:
        status, domain.check_failures, domain.verified_at = DomainStatus.VERIFIED, 0, now
        delay = VERIFIED_RECHECK
    else:
        domain.check_failures += 1
        if result.outcome == MISCONFIGURED:
            status, delay = DomainStatus.MISCONFIGURED, retry_delay(domain.check_failures)
        elif was_verified:
            status, delay = DomainStatus.VERIFIED, VERIFIED_RETRY
            detail = f"Still verified; the last check failed. {detail}"
        else:
            status, delay = DomainStatus.UNKNOWN, retry_delay(domain.check_failures)
    domain.status, domain.status_detail = status.value, detail[:_DETAIL_MAX]
    domain.last_checked_at, domain.next_check_at = now, now + delay
    session.add(domain)
    changed = before["status"] != domain.status
    if changed:
        audit_record(
            session=session,
            actor=SYSTEM,
            action="domain.status",
            entity="portal_domain",
            entity_id=domain.id,
            before=before,
            after=snapshot(domain, ["status", "status_detail"]),
        )
    return changed


def domains_due(*, session: Session, now: datetime, limit: int) -> list[int]:
    """Ids of domains whose next check is due (never-checked ones first)."""
    due = PortalDomain.next_check_at
    query = (
        select(PortalDomain.id)
        .where(or_(due.is_(None), due <= now))
        .order_by(due.is_not(None), due, PortalDomain.id)
        .limit(limit)
    )
    return list(session.exec(query).all())


def domain_check_claim(
    *, session: Session, domain_id: int, now: datetime, lease: timedelta = CLAIM_LEASE
) -> str | None:
    """Take a due domain for checking; its host, or None when another worker has it.

    Every app worker runs the re-check loop. The conditional UPDATE moves
    ``next_check_at`` past ``now`` in one statement, so of several workers only one
    sees a row count of 1; if that worker dies, the lease runs out and the check is
    retried. The caller commits before doing the (slow) DNS check.
    """
    due = PortalDomain.next_check_at
    claimed = session.exec(
        update(PortalDomain)
        .where(PortalDomain.id == domain_id, or_(due.is_(None), due <= now))
        .values(next_check_at=now + lease)
    ).rowcount
    if claimed != 1:
        return None
    return session.exec(select(PortalDomain.host).where(PortalDomain.id == domain_id)).one()


def domain_check_now(
    *, session: Session, domain_id: int, settings: Settings
) -> tuple[CheckResult, bool]:
    """Check the domain's DNS now and record it: (result, status changed).

    Blocks on DNS for up to a few seconds: call it with ``asyncio.to_thread``.
    """
    host = _domain(session, domain_id).host
    result = dns_check(host, target=settings.cname_target, nameservers=settings.dns_nameservers)
    return result, domain_check_record(session=session, domain_id=domain_id, result=result)


def verify_allowed(*, session: Session, domain_id: int, now: datetime | None = None) -> bool:
    """At most one manual check per domain in the ``verify_now`` window (10 s by
    default), across every worker; True also counts this one."""
    return limit_hit(session=session, name="verify_now", key=str(domain_id), now=now) is not None

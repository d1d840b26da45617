"""Lifespan tasks: app-wide periodic work that runs beside the web server.

Every app worker runs every loop. Each loop catches and logs its own errors: a bad run
must not stop the next one. Blocking work (database, DNS) runs in threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import delete

from portal_app.models import AuthSession, OutboxMessage, PasswordLink, PaymentEvent
from portal_app.models.base import utcnow
from portal_app.services import principals
from portal_app.services.autotopup_run import autotopup_due, autotopup_run_one
from portal_app.services.autotopup_trigger import autotopup_on_due
from portal_app.services.db import session_scope
from portal_app.services.dns_check import dns_check
from portal_app.services.domain_checks import (
    domain_check_claim,
    domain_check_record,
    domains_due,
)
from portal_app.services.errors import NotFound
from portal_app.services.import_batches import import_recover
from portal_app.services.import_files import import_files_sweep
from portal_app.services.limiter import limits_purge
from portal_app.services.offloop import run_blocking
from portal_app.services.outbox import outbox_on_enqueue, outbox_send_due
from portal_app.services.package_billing import packages_charge
from portal_app.services.payment_reconcile import payment_reconcile_one, payments_due
from portal_app.services.server_checks import probe_round
from portal_app.services.tickets import tickets_purge
from portal_app.settings import Settings, get_settings

log = logging.getLogger("portal.tasks")
PURGE_EVERY_SECONDS = 3600
DOMAIN_RECHECK_SECONDS = 20
DOMAIN_RECHECK_BATCH = 50  # per round; checks run one at a time, each at most ~3 s
OUTBOX_TICK_SECONDS = 1.0
OUTBOX_KEEP = timedelta(days=30)  # sent and dead email stays in the Email Log this long
# Provider events (refused webhooks included: anyone can post one) are kept this long.
PAYMENT_EVENTS_KEEP = timedelta(days=90)
IMPORT_REPAIR_SECONDS = 3600  # after the run at start: imports of other hosts go stale
PAYMENT_RECONCILE_SECONDS = 60
AUTOTOPUP_TICK_SECONDS = 30  # retries and stuck runs; a charge that makes one due wakes it
PACKAGE_CHARGE_SECONDS = 60


def purge_expired() -> tuple[int, int]:
    """Drop sessions that ended over a day ago, rate-limit counts whose own window has
    ended (never a live one), password links that expired over a day ago, sent or dead
    email older than OUTBOX_KEEP and provider events older than PAYMENT_EVENTS_KEEP."""
    now = utcnow()
    with session_scope() as session:
        old = now - timedelta(days=1)
        sessions = session.exec(
            delete(AuthSession).where(
                (AuthSession.expires_at < old) | (AuthSession.revoked_at < old)
            )
        ).rowcount
        failures = limits_purge(session=session, now=now)
        session.exec(delete(PasswordLink).where(PasswordLink.expires_at < old))
        session.exec(
            delete(OutboxMessage).where(
                OutboxMessage.status.in_(["sent", "dead"]),
                OutboxMessage.created_at < now - OUTBOX_KEEP,
            )
        )
        session.exec(
            delete(PaymentEvent).where(PaymentEvent.created_at < now - PAYMENT_EVENTS_KEEP)
        )
        tickets_purge(session=session)
    return sessions, failures


SEEN_FLUSH_SECONDS = 30


async def seen_flush_loop() -> None:
    """Write sessions' "last seen" times in batches (services/principals.py says why)."""
    while True:
        await asyncio.sleep(SEEN_FLUSH_SECONDS)
        try:
            await run_blocking(principals.seen_flush)
        except Exception:
            log.exception("writing sessions' last seen times failed")


async def purge_loop() -> None:
    while True:
        try:
            await asyncio.to_thread(purge_expired)
        except Exception:  # a bad run must not stop the next one
            log.exception("purging expired sessions failed")
        await asyncio.sleep(PURGE_EVERY_SECONDS)


def domain_recheck(
    domain_id: int, *, settings: Settings | None = None, engine: sa.Engine | None = None
) -> bool | None:
    """Check one due domain: True/False = status changed or not, None = not checked.

    Two short transactions around the DNS query, so no database transaction waits on
    DNS: claim the domain (only one worker wins it), then record the result.
    """
    settings = settings or get_settings()
    with session_scope(engine) as session:
        host = domain_check_claim(session=session, domain_id=domain_id, now=utcnow())
    if host is None:
        return None
    result = dns_check(host, target=settings.cname_target, nameservers=settings.dns_nameservers)
    try:
        with session_scope(engine) as session:
            return domain_check_record(session=session, domain_id=domain_id, result=result)
    except NotFound:  # deleted while DNS was being asked
        return None


async def domain_recheck_due(
    *, settings: Settings | None = None, engine: sa.Engine | None = None
) -> int:
    """Check every due domain (up to a batch), one at a time; how many were checked.

    One at a time keeps the thread pool free for requests (argon2, database) and is
    plenty: a normal check takes milliseconds, a stuck one at most the DNS timeout.
    """

    def due() -> list[int]:
        with session_scope(engine) as session:
            return domains_due(session=session, now=utcnow(), limit=DOMAIN_RECHECK_BATCH)

    checked = 0
    for domain_id in await asyncio.to_thread(due):
        try:
            changed = await asyncio.to_thread(
                domain_recheck, domain_id, settings=settings, engine=engine
            )
        except Exception:
            log.exception("checking portal domain %s failed", domain_id)
            continue
        if changed is not None:
            checked += 1
        if changed:
            log.info("portal domain %s changed status", domain_id)
    return checked


async def domain_recheck_loop() -> None:
    """Re-check brand domains' DNS when they are due (see services/domain_checks.py)."""
    while True:
        try:
            await domain_recheck_due()
        except Exception:
            log.exception("re-checking portal domains failed")
        await asyncio.sleep(DOMAIN_RECHECK_SECONDS)


async def outbox_loop() -> None:
    """Send due email (services/outbox.py) every second, and at once when a transaction
    in this process has just queued some. Sending runs in a thread: SMTP and the
    database never block the event loop. Several workers each run this safely: a
    message is claimed by exactly one of them."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    stop = outbox_on_enqueue(lambda: loop.call_soon_threadsafe(wake.set))
    try:
        while True:
            wake.clear()
            try:
                await asyncio.to_thread(outbox_send_due)
            except Exception:
                log.exception("sending queued email failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), OUTBOX_TICK_SECONDS)
    finally:
        stop()


def imports_repair(engine: sa.Engine | None = None) -> tuple[list[tuple[int, str]], int]:
    """Finish or remove the imports a crash interrupted, and delete upload files whose
    process is gone: (batch outcomes, files removed)."""
    removed = import_files_sweep()
    with session_scope(engine) as session:
        return import_recover(session=session), removed


async def import_repair_loop() -> None:
    """At start, then hourly: no import stays half done, no upload file stays behind."""
    while True:
        try:
            outcomes, removed = await asyncio.to_thread(imports_repair)
            if outcomes or removed:
                log.info("imports repaired: %s; upload files removed: %d", outcomes, removed)
        except Exception:
            log.exception("repairing interrupted imports failed")
        await asyncio.sleep(IMPORT_REPAIR_SECONDS)


def payments_reconcile(engine: sa.Engine | None = None) -> list[str]:
    """Ask the providers about payments pending too long (a lost webhook, or a crash
    between the provider's success and our write) and settle them: the outcomes.
    Exactly once even when several workers ask at the same time (payment_settle.py)."""
    with session_scope(engine) as session:
        due, _canceled = payments_due(session=session)
    return [payment_reconcile_one(attempt_id, engine=engine).outcome for attempt_id in due]


async def payment_reconcile_loop() -> None:
    """At start (after a crash), then every minute."""
    while True:
        try:
            outcomes = await asyncio.to_thread(payments_reconcile)
            if "credited" in outcomes:
                log.info("reconciliation credited %d payments", outcomes.count("credited"))
        except Exception:
            log.exception("reconciling pending payments failed")
        await asyncio.sleep(PAYMENT_RECONCILE_SECONDS)


def autotopups_run(engine: sa.Engine | None = None) -> list[str]:
    """Pay every automatic top-up that is due (or due again after a failure): the
    outcomes. Several workers may run it at once: each row is claimed by one."""
    with session_scope(engine) as session:
        due = autotopup_due(session=session)
    return [autotopup_run_one(customer_id, engine=engine) for customer_id in due]


async def autotopup_loop() -> None:
    """Automatic top-ups (services/autotopup_run.py), at once when a charge in this
    process made one due, else every AUTOTOPUP_TICK_SECONDS. Stripe and the database
    are asked in a thread, never on the event loop."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    stop = autotopup_on_due(lambda: loop.call_soon_threadsafe(wake.set))
    try:
        while True:
            wake.clear()
            try:
                outcomes = await asyncio.to_thread(autotopups_run)
                if outcomes:
                    log.info("automatic top-ups: %s", outcomes)
            except Exception:
                log.exception("running automatic top-ups failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), AUTOTOPUP_TICK_SECONDS)
    finally:
        stop()


async def server_probe_loop() -> None:
    """My Servers: probe every server not in maintenance with a SIP OPTIONS request every
    PORTAL_SERVER_PROBE_SECONDS (services/server_checks.py), at start too."""
    while True:
        try:
            await probe_round()
        except Exception:
            log.exception("probing the servers failed")
        await asyncio.sleep(get_settings().server_probe_seconds)


async def package_charge_loop() -> None:
    """Auto Decrement Credit packages (services/package_billing.py): at start, then every
    minute, in a worker thread. Every worker runs it; the constraint charges once."""
    while True:
        try:
            run = await run_blocking(packages_charge)
            if run.charged:
                log.info("package periods charged: %d", len(run.charged))
        except Exception:
            log.exception("charging packages failed")
        await asyncio.sleep(PACKAGE_CHARGE_SECONDS)

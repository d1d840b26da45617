"""What makes an automatic top-up due: a ledger charge that leaves the customer's
available balance below the threshold (``autotopup_charge``, called by every ledger
write through ``ledger_record``), on a brand whose operator allows it.

One conditional UPDATE moves the customer's row from idle to due, so of any number of
charges at once exactly one does (models/autotopup.py); services/autotopup_run.py pays.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlmodel import Session, func, select, update

from portal_app.models import AutoTopup, Customer, LedgerEntry, PortalDomain, TopupState
from portal_app.models.base import utcnow

from .customers import effective_access

log = logging.getLogger("portal.autotopup")
_listeners: list[Callable[[], None]] = []


def domain_allows(session: Session, customer: Customer) -> bool:
    """The brand's switch is on and the customer's contacts see the Payments section."""
    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    return bool(domain and domain.auto_topup and "payments" in effective_access(customer, domain))


def autotopup_charge(*, session: Session, customer: Customer, before: int, after: int) -> bool:
    """In the ledger write's transaction: mark the top-up due when a charge leaves the
    available balance (minor units) below the threshold. True when this call did.

    The row is locked first and the balance summed again after the lock: charges that
    run at the same moment each see only their own entry (PostgreSQL, read committed),
    so without it none of them might see the balance cross."""
    if after >= before or not domain_allows(session, customer):
        return False
    mine = AutoTopup.customer_id == customer.id
    ready = (AutoTopup.enabled, AutoTopup.payment_method != "", AutoTopup.amount > 0)
    found = session.exec(select(AutoTopup.id).where(mine, *ready).with_for_update()).first()
    if found is None:
        return False
    total = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.customer_id == customer.id
        )
    ).one()
    available = int(total) + customer.credit_limit
    marked = session.exec(
        update(AutoTopup)
        .where(
            mine,
            *ready,
            AutoTopup.state == TopupState.IDLE.value,
            AutoTopup.currency == customer.currency,
            AutoTopup.threshold > available,
        )
        .values(state=TopupState.DUE.value, run=AutoTopup.run + 1, updated_at=utcnow())
    ).rowcount
    if marked == 1 and _listeners:
        sa.event.listen(session, "after_commit", _wake, once=True)
    return marked == 1


def autotopup_on_due(callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` (from any thread) after a transaction that made a top-up due
    commits, so this process's runner pays at once; returns the function that stops it."""
    _listeners.append(callback)
    return lambda: _listeners.remove(callback) if callback in _listeners else None


def _wake(_session) -> None:
    for callback in list(_listeners):
        try:
            callback()
        except Exception:  # a closed event loop must not break the caller's commit
            log.exception("waking the top-up runner failed")

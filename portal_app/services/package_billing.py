"""Charging packages whose Auto Decrement Credit is on (issue #13).

Every due period (services/package_periods.py) of an enabled, auto-decrement package
with a price becomes one CHARGE entry on the customer's ledger (``ledger_record``, so
its audit row, low-balance alerts and automatic top-up follow as for any charge) and
one ``package_charge`` row, in one transaction per period. The row is UNIQUE per
(customer, package, period start): when several workers charge at once, one
transaction inserts it and every other fails on the constraint and rolls back with
its ledger entry. Nothing here trusts a check in Python to keep a period from being
charged twice. A Template Customer is never charged (its packages are only copied to
sign-ups). A package in another currency than its customer's is never charged
(assignment refuses it, services/customer_packages.py; the customer's currency may
have changed since): it is skipped with a warning. A package taken off a customer and
given back while its charged period still runs resumes that schedule (``resume_since``)
instead of being charged again from the day it came back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, func, select

from portal_app.models import (
    Customer,
    CustomerPackage,
    Frequency,
    LedgerKind,
    Package,
    PackageCharge,
    PortalDomain,
)
from portal_app.models.base import utcnow

from .dates import formatter
from .db import session_scope
from .errors import ServiceError
from .identity import SYSTEM
from .ledger import ledger_record
from .logs import RateLimitedLog
from .money import plain_minor
from .package_periods import due_periods, next_period, period_start

log = logging.getLogger("portal.package_billing")
_warn = RateLimitedLog(log, every_seconds=3600)


@dataclass(frozen=True)
class Due:
    """One period of one customer's package to charge."""

    customer_id: int
    package_id: int
    period_start: datetime


@dataclass
class Run:
    """What one run did: periods charged, lost to another worker, skipped."""

    charged: list[Due] = field(default_factory=list)
    duplicate: int = 0
    skipped: int = 0


def _last_charged():
    """The latest charged period of each (customer, package), as a subquery."""
    return (
        select(
            PackageCharge.customer_id,
            PackageCharge.package_id,
            func.max(PackageCharge.period_start).label("last"),
        )
        .group_by(PackageCharge.customer_id, PackageCharge.package_id)
        .subquery()
    )


def _chargeable():
    """Enabled, auto-decrement packages with a price (SQL conditions)."""
    return (
        Package.enabled == True,  # noqa: E712  (SQL, not Python truth)
        Package.auto_decrement == True,  # noqa: E712
        Package.retail > 0,
    )


def _templates():
    """The customers that are a brand's Template Customer (SQL)."""
    return select(PortalDomain.template_customer_id).where(
        PortalDomain.template_customer_id.is_not(None)
    )


def _charged():
    """Assignments that are charged (SQL): a chargeable package, not given to a
    Template Customer. The currency check stays with each caller (one warns on it)."""
    return (*_chargeable(), CustomerPackage.customer_id.not_in(_templates()))


def _as_datetime(value) -> datetime | None:
    # max() of the column comes back as text on SQLite when the type is lost.
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _assignments(*columns):
    """A select of ``columns`` and the latest charged period over every assignment,
    joined to its package and customer (``last`` None when nothing was charged)."""
    last = _last_charged()
    return (
        select(*columns, last.c.last)
        .join(Package, Package.id == CustomerPackage.package_id)
        .join(Customer, Customer.id == CustomerPackage.customer_id)
        .outerjoin(
            last,
            sa.and_(
                last.c.customer_id == CustomerPackage.customer_id,
                last.c.package_id == CustomerPackage.package_id,
            ),
        )
    )


def charges_due(*, session: Session, now: datetime | None = None) -> tuple[list[Due], int]:
    """Every period due by ``now`` and not charged yet, oldest first per package, and how
    many assignments were skipped for their currency."""
    now = now or utcnow()
    rows = session.exec(
        _assignments(
            CustomerPackage.customer_id,
            CustomerPackage.package_id,
            CustomerPackage.since,
            Package.name,
            Package.frequency,
            Package.currency,
            Customer.currency,
        )
        .where(*_charged())
        .order_by(CustomerPackage.customer_id, CustomerPackage.package_id)
    ).all()
    due: list[Due] = []
    skipped = 0
    for customer_id, package_id, since, name, frequency, currency, own, latest in rows:
        starts = due_periods(since, frequency, now, after=_as_datetime(latest))
        if starts and currency != own:
            skipped += 1
            _warn.warning(
                f"currency:{customer_id}:{package_id}",
                "package %s (%s) not charged to customer %s: its currency is %s",
                name,
                currency,
                customer_id,
                own,
            )
            continue
        due += [Due(customer_id, package_id, start) for start in starts]
    return due, skipped


def package_charge(*, session: Session, due: Due) -> PackageCharge | None:
    """Charge one period in the caller's transaction: the ledger entry and its
    ``package_charge`` row (None when the package is no longer chargeable). The flush
    or the caller's commit raises IntegrityError when another transaction charged it."""
    package = session.get(Package, due.package_id)
    customer = session.get(Customer, due.customer_id)
    if (
        package is None
        or customer is None
        or package.currency != customer.currency
        or not session.exec(
            select(CustomerPackage.package_id).where(
                CustomerPackage.customer_id == customer.id,
                CustomerPackage.package_id == package.id,
                Package.id == CustomerPackage.package_id,
                *_charged(),
            )
        ).first()
    ):
        return None
    day = formatter(session=session).date(due.period_start)  # the account's format, UTC
    recorded = ledger_record(
        session=session,
        actor=SYSTEM,
        customer_id=customer.id,
        kind=LedgerKind.CHARGE.value,
        amount=plain_minor(package.retail, package.currency),
        reference=f"Package {package.name[:96]}, {day}",
        note=f"Auto Decrement Credit ({package.frequency})",
    )
    charge = PackageCharge(
        customer_id=customer.id,
        package_id=package.id,
        period_start=due.period_start,
        ledger_entry_id=recorded.entry.id,
    )
    session.add(charge)
    session.flush()  # the UNIQUE constraint speaks here (or at commit)
    return charge


def packages_charge(*, engine: sa.Engine | None = None, now: datetime | None = None) -> Run:
    """Charge every due period, each in its own transaction. Several workers may run it
    at the same time: a period lost to another is rolled back and counted, and the run
    goes on. Blocking (run it in a worker thread)."""
    run = Run()
    with session_scope(engine) as session:
        due, run.skipped = charges_due(session=session, now=now)
    for item in due:
        try:
            with session_scope(engine) as session:
                charged = package_charge(session=session, due=item)
        except sa.exc.IntegrityError:
            run.duplicate += 1
            continue
        except ServiceError as exc:
            run.skipped += 1
            _warn.exception(f"charge:{item.package_id}", "package charge %s failed", item, exc=exc)
            continue
        if charged is None:
            run.skipped += 1
        else:
            run.charged.append(item)
    return run


def next_charges(
    *, session: Session, customer_id: int, now: datetime | None = None
) -> dict[int, datetime | None]:
    """When each of the customer's packages is charged next (package id → start of the
    period), None for one that is not charged: Auto Decrement Credit off, disabled, free,
    in another currency, a Template Customer's, or a one-off package already charged."""
    now = now or utcnow()
    charged = sa.and_(*_charged(), Package.currency == Customer.currency).label("charged")
    rows = session.exec(
        _assignments(
            CustomerPackage.package_id, CustomerPackage.since, Package.frequency, charged
        ).where(CustomerPackage.customer_id == customer_id)
    ).all()
    return {
        package_id: (next_period(since, frequency, now, after=_as_datetime(latest)) if on else None)
        for package_id, since, frequency, on, latest in rows
    }


def resume_since(
    *, session: Session, customer_id: int, package: Package, now: datetime | None = None
) -> datetime | None:
    """Where the schedule of a package given back to a customer resumes: the start of
    its latest charged period while that period still runs (for a one-off package, once
    ever charged), so taking a package off and on again never charges a period twice.
    None: the package starts afresh (and is charged) from now."""
    last = _last_charged()
    latest = _as_datetime(
        session.exec(
            select(last.c.last).where(
                last.c.customer_id == customer_id, last.c.package_id == package.id
            )
        ).first()
    )
    if latest is None:
        return None
    if package.frequency == Frequency.ONE_OFF.value:
        return latest
    return latest if period_start(latest, package.frequency, 1) > (now or utcnow()) else None

"""Payments by customers (portal › Payments) and the operators' view of them.

A contact picks a gateway that accepts its customer's currency and an amount within
the gateway's limits; ``payment_start`` writes the attempt (committed before the
provider is asked), ``payment_open`` creates the provider's payment with the attempt's
idempotency key. The ledger is credited only by services/payment_settle.py. Every
function takes the customer from the contact's own session, never from the browser.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, func, select

from portal_app.models import (
    AttemptStatus,
    Customer,
    PaymentAttempt,
    PaymentGateway,
)
from portal_app.models.base import utcnow

from .dates import DateFormatter, formatter
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .money import format_minor, micros_to_minor, parse_minor, plain_minor
from .payment_gateways import credentials, surcharge_for
from .payment_providers import provider_for

MAX_PENDING_PER_CUSTOMER = 5  # unpaid attempts at once: more is someone hammering Submit


def _contact(actor: Actor) -> int:
    if not actor.is_contact or actor.customer_id is None:
        raise PermissionDenied()
    return actor.customer_id


def _offered(session: Session, customer: Customer) -> list[PaymentGateway]:
    rows = session.exec(
        select(PaymentGateway)
        .where(PaymentGateway.enabled)
        .order_by(PaymentGateway.name, PaymentGateway.id)
    )
    return [g for g in rows if customer.currency in (g.currencies or []) and g.secret_key_enc]


def _limits(gateway: PaymentGateway, code: str) -> tuple[int | None, int | None]:
    low = micros_to_minor(gateway.min_micros, code) if gateway.min_micros else None
    high = micros_to_minor(gateway.max_micros, code) if gateway.max_micros else None
    return low, high


def payment_options(*, session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The gateways this contact's customer may pay through, with limits and presets."""
    customer = session.get(Customer, _contact(actor))
    if customer is None:
        raise NotFound("That customer does not exist.")
    code, out = customer.currency, []
    for g in _offered(session, customer):
        low, high = _limits(g, code)
        fixed = micros_to_minor(g.surcharge_fixed_micros or 0, code)
        surcharge = [f"{g.surcharge_bp / 100:g} %"] if g.surcharge_bp else []
        surcharge += [format_minor(fixed, code)] if fixed else []
        out.append(
            {
                "id": g.id,
                "name": g.name,
                "provider": g.provider,
                "currency": code,
                "presets": [plain_minor(micros_to_minor(p, code), code) for p in g.presets_micros],
                "limits": " – ".join(
                    format_minor(v, code) if v is not None else "any" for v in (low, high)
                )
                if low is not None or high is not None
                else "",
                "surcharge": " + ".join(surcharge),
            }
        )
    return out


@dataclass(frozen=True)
class Quote:
    gateway_id: int
    amount: int
    surcharge: int
    currency: str

    @property
    def total(self) -> int:
        return self.amount + self.surcharge


def payment_quote(*, session: Session, actor: Actor, gateway_id: Any, amount: str) -> Quote:
    """The amount typed, checked against the gateway's limits, and its surcharge."""
    customer = session.get(Customer, _contact(actor))
    if customer is None:
        raise NotFound("That customer does not exist.")
    gateway = next((g for g in _offered(session, customer) if g.id == gateway_id), None)
    if gateway is None:
        raise ValidationError({"gateway": "Choose a payment mode."})
    code = customer.currency
    minor = parse_minor(str(amount or ""), code, allow_zero=False)
    low, high = _limits(gateway, code)
    if low is not None and minor < low:
        raise ValidationError({"amount": f"The minimum is {format_minor(low, code)}."})
    if high is not None and minor > high:
        raise ValidationError({"amount": f"The maximum is {format_minor(high, code)}."})
    return Quote(gateway.id, minor, surcharge_for(gateway, minor, code), code)


def payment_start(
    *, session: Session, actor: Actor, gateway_id: Any, amount: str
) -> PaymentAttempt:
    """Write the attempt (pending) in the caller's transaction: commit before opening."""
    quote = payment_quote(session=session, actor=actor, gateway_id=gateway_id, amount=amount)
    pending = session.exec(
        select(func.count())
        .select_from(PaymentAttempt)
        .where(
            PaymentAttempt.customer_id == actor.customer_id,
            PaymentAttempt.status == AttemptStatus.PENDING.value,
        )
    ).one()
    if pending >= MAX_PENDING_PER_CUSTOMER:
        raise Conflict("Several payments are still pending: finish or wait for them first.")
    gateway = session.get(PaymentGateway, quote.gateway_id)
    assert gateway is not None
    attempt = PaymentAttempt(
        customer_id=actor.customer_id,
        contact_id=actor.id,
        gateway_id=gateway.id,
        gateway_name=gateway.name,
        provider=gateway.provider,
        amount=quote.amount,
        surcharge=quote.surcharge,
        currency=quote.currency,
        idempotency_key=uuid.uuid4().hex,
    )
    session.add(attempt)
    session.flush()
    return attempt


@dataclass(frozen=True)
class Opened:
    attempt_id: int
    provider: str
    public_key: str
    client_secret: str  # Stripe: what the browser confirms with; never stored
    approve_url: str  # PayPal: where the payer approves the order


def _own(session: Session, actor: Actor, attempt_id: Any) -> PaymentAttempt:
    customer_id = _contact(actor)
    attempt = session.get(PaymentAttempt, attempt_id) if isinstance(attempt_id, int) else None
    if attempt is None or attempt.customer_id != customer_id:
        raise NotFound("That payment does not exist.")
    return attempt


def payment_open(
    *, session: Session, actor: Actor, attempt_id: Any, return_url: str = ""
) -> Opened:
    """Create the provider's payment for a pending attempt (idempotent: the same key
    gives the same payment) and note its reference. Blocking (the provider).

    ``return_url``: the portal page PayPal sends the payer back to (the brand's host,
    from the session's domain, never from the browser)."""
    attempt = _own(session, actor, attempt_id)
    gateway = session.get(PaymentGateway, attempt.gateway_id) if attempt.gateway_id else None
    if attempt.status != AttemptStatus.PENDING or gateway is None:
        raise Conflict("This payment can no longer be made.")
    opened = provider_for(attempt.provider).create(
        credentials(gateway),
        amount=attempt.amount + attempt.surcharge,
        currency=attempt.currency,
        attempt_id=attempt.id,
        customer_id=attempt.customer_id,
        idempotency_key=attempt.idempotency_key,
        description=f"{attempt.gateway_name} payment #{attempt.id}",
        return_url=return_url,
        cancel_url=return_url,
    )
    attempt.provider_ref, attempt.updated_at = opened.ref, utcnow()
    return Opened(
        attempt.id, attempt.provider, gateway.public_key, opened.client_secret, opened.approve_url
    )


def payment_owned(*, session: Session, actor: Actor, attempt_id: Any) -> int:
    """The attempt's id if it is the contact's customer's, else NotFound."""
    return _own(session, actor, attempt_id).id


def payment_returned(*, session: Session, actor: Actor, provider_ref: str) -> int | None:
    """The contact's pending attempt the provider sent the payer back for (PayPal's
    ``?token=<order id>``), or None: another customer's order id finds nothing."""
    found = session.exec(
        select(PaymentAttempt).where(
            PaymentAttempt.customer_id == _contact(actor),
            PaymentAttempt.provider_ref == str(provider_ref or "")[:120],
            PaymentAttempt.status == AttemptStatus.PENDING.value,
        )
    ).first()
    return found.id if found else None


def attempt_view(row: PaymentAttempt, *, internal: bool, fmt: DateFormatter) -> dict[str, Any]:
    view = {
        "id": row.id,
        "date": fmt.datetime(row.created_at, with_zone=False),  # headers say UTC
        "gateway": row.gateway_name,
        "amount": format_minor(row.amount, row.currency),
        "surcharge": format_minor(row.surcharge, row.currency) if row.surcharge else "",
        "status": row.status,
        "reference": row.provider_ref or "",
    }
    if internal:
        view.update(customer_id=row.customer_id, problem=row.problem)
    return view


def payment_history(*, session: Session, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """The contact's customer's payments, newest first."""
    customer_id = _contact(actor)
    rows = session.exec(
        select(PaymentAttempt)
        .where(PaymentAttempt.customer_id == customer_id)
        .order_by(PaymentAttempt.created_at.desc(), PaymentAttempt.id.desc())
        .limit(max(1, min(limit, 200)))
    )
    fmt = formatter(session=session)
    return [attempt_view(r, internal=False, fmt=fmt) for r in rows]


def payment_stamp(*, session: Session) -> tuple[int, int, int]:
    """Changes when an attempt is made or a pending one is settled (by the webhook, the
    return, reconciliation or another worker): for open Payments pages. Indexed reads
    (the status index and the primary key)."""
    waiting, newest_waiting = session.exec(
        select(func.count(), func.max(PaymentAttempt.id)).where(
            PaymentAttempt.status == AttemptStatus.PENDING.value
        )
    ).one()
    newest = session.exec(select(func.max(PaymentAttempt.id))).one()
    return int(waiting), int(newest_waiting or 0), int(newest or 0)

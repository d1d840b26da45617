"""Automatic top-up settings of a customer, as its contacts set them in the portal.

A contact saves a card through a Stripe SetupIntent (``autotopup_card_start`` creates
it, the browser confirms it with Stripe.js, ``autotopup_card_saved`` asks Stripe what
was saved), then sets "when my available balance falls below X, add Y". It is offered
only when the customer's domain allows it (an operator's switch on the portal domain)
and a Stripe gateway takes the customer's currency. The customer is always the
contact's own (``actor.customer_id``); nothing the browser sends names one. Every
change writes an audit row. services/autotopup_run.py does the paying.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from portal_app.models import AutoTopup, Customer, PaymentGateway, TopupState
from portal_app.models.base import utcnow

from .audit import audit_record, snapshot
from .autotopup_trigger import domain_allows
from .dates import formatter
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .money import format_minor, micros_to_minor, parse_minor, plain_minor
from .payment_gateways import credentials
from .stripe_cards import stripe_cards

AUDITED = ["gateway_id", "card_label", "threshold", "amount", "currency", "enabled", "failures"]


def _customer(session: Session, actor: Actor) -> Customer:
    if not actor.is_contact or actor.customer_id is None:
        raise PermissionDenied()
    customer = session.get(Customer, actor.customer_id)
    if customer is None:
        raise NotFound("That customer does not exist.")
    return customer


def topup_gateway(session: Session, customer: Customer) -> PaymentGateway | None:
    """The first enabled Stripe gateway with a secret key that takes the currency."""
    rows = session.exec(
        select(PaymentGateway)
        .where(PaymentGateway.enabled, PaymentGateway.provider == "stripe")
        .order_by(PaymentGateway.name, PaymentGateway.id)
    )
    return next(
        (g for g in rows if customer.currency in (g.currencies or []) and g.secret_key_enc), None
    )


def _offered(session: Session, actor: Actor) -> tuple[Customer, PaymentGateway]:
    customer = _customer(session, actor)
    gateway = topup_gateway(session, customer)
    if not domain_allows(session, customer) or gateway is None:
        raise PermissionDenied("Automatic top-up is not available for your account.")
    return customer, gateway


def _row(session: Session, customer: Customer, *, lock: bool = False) -> AutoTopup | None:
    query = select(AutoTopup).where(AutoTopup.customer_id == customer.id)
    return session.exec(query.with_for_update() if lock else query).first()


def _audit(session, actor, row: AutoTopup, action: str, before: dict | None) -> None:
    audit_record(
        session=session,
        actor=actor,
        action=action,
        entity="customer",
        entity_id=row.customer_id,
        before=before,
        after=snapshot(row, AUDITED),
    )


def autotopup_get(*, session: Session, actor: Actor) -> dict[str, Any]:
    """What the portal's "Automatic top-up" card shows; ``offered`` False hides it."""
    customer = _customer(session, actor)
    gateway = topup_gateway(session, customer)
    if not domain_allows(session, customer) or gateway is None:
        return {"offered": False}
    row, code = _row(session, customer), customer.currency
    view: dict[str, Any] = {"offered": True, "currency": code, "card": "", "enabled": False}
    view |= {"threshold": "", "amount": "", "failures": 0, "last_try": "", "last_message": ""}
    view["minimum"] = format_minor(_minimum(gateway, code), code)
    if row is None:
        return view
    return view | {
        "card": row.card_label if row.payment_method else "",
        "enabled": row.enabled,
        "threshold": plain_minor(row.threshold, code) if row.amount else "",
        "amount": plain_minor(row.amount, code) if row.amount else "",
        "failures": row.failures,
        "state": row.state,
        "last_try": formatter(session=session).datetime(row.last_try_at),
        "last_message": row.last_message,
    }


def _minimum(gateway: PaymentGateway, code: str) -> int:
    return micros_to_minor(gateway.min_micros, code) if gateway.min_micros else 1


def autotopup_card_start(*, session: Session, actor: Actor) -> tuple[str, str]:
    """Create the SetupIntent the browser confirms: (publishable key, client secret).
    The secret is for the page's Stripe.js only and is not stored. Blocking (Stripe)."""
    customer, gateway = _offered(session, actor)
    row = _row(session, customer, lock=True)
    if row is None:
        row = AutoTopup(customer_id=customer.id, currency=customer.currency)
        session.add(row)
    creds = credentials(gateway)
    if not row.stripe_customer or row.gateway_id != gateway.id:
        row.stripe_customer = stripe_cards.customer_create(
            creds, customer_id=customer.id, name=customer.name
        )
        row.payment_method, row.card_label, row.enabled = "", "", False
    row.gateway_id, row.contact_id = gateway.id, actor.id
    row.setup_ref, secret = stripe_cards.setup_create(
        creds, stripe_customer=row.stripe_customer, customer_id=customer.id
    )
    row.updated_at = utcnow()
    return gateway.public_key, secret


def autotopup_card_saved(*, session: Session, actor: Actor) -> str:
    """Ask Stripe what the browser saved on this customer's SetupIntent and keep it:
    the card's label. Another customer's SetupIntent is refused. Blocking (Stripe)."""
    customer, gateway = _offered(session, actor)
    row = _row(session, customer, lock=True)
    if row is None or not row.setup_ref or row.gateway_id != gateway.id:
        raise Conflict("Start again: no card is being saved.")
    creds = credentials(gateway)
    found = stripe_cards.setup_result(creds, row.setup_ref)
    if found.customer_id != customer.id or found.stripe_customer != row.stripe_customer:
        raise PermissionDenied()
    if found.status != "succeeded" or not found.payment_method:
        raise ValidationError({"card": "Stripe has not saved the card: try again."})
    before = snapshot(row, AUDITED)
    row.card_label = stripe_cards.card_label(
        creds, payment_method=found.payment_method, stripe_customer=row.stripe_customer
    )
    row.payment_method, row.setup_ref, row.updated_at = found.payment_method, "", utcnow()
    _audit(session, actor, row, "autotopup.card", before)
    return row.card_label


def autotopup_configure(
    *, session: Session, actor: Actor, threshold: str, amount: str, enabled: bool
) -> AutoTopup:
    """Set X (threshold) and Y (amount) in the customer's currency and turn it on or
    off. Turning it on needs a saved card and starts the failure count again."""
    customer, gateway = _offered(session, actor)
    code, errors = customer.currency, {}
    values: dict[str, int] = {}
    for name, text in (("threshold", threshold), ("amount", amount)):
        try:
            values[name] = parse_minor(
                str(text or ""), code, field=name, allow_zero=name == "threshold"
            )
        except ValidationError as exc:
            errors.update(exc.fields)
    low = _minimum(gateway, code)
    high = micros_to_minor(gateway.max_micros, code) if gateway.max_micros else None
    if "amount" in values and values["amount"] < low:
        errors["amount"] = f"The minimum is {format_minor(low, code)}."
    if "amount" in values and high is not None and values["amount"] > high:
        errors["amount"] = f"The maximum is {format_minor(high, code)}."
    row = _row(session, customer, lock=True)
    if enabled and (row is None or not row.payment_method):
        errors["card"] = "Save a card first."
    if errors:
        raise ValidationError(errors)
    if row is None:
        row = AutoTopup(customer_id=customer.id, currency=code, gateway_id=gateway.id)
        session.add(row)
        session.flush()
    before = snapshot(row, AUDITED)
    row.threshold, row.amount = values["threshold"], values["amount"]
    if enabled and not row.enabled:
        row.failures, row.next_try_at, row.state = 0, None, TopupState.IDLE.value
    row.enabled, row.updated_at = bool(enabled), utcnow()
    _audit(session, actor, row, "autotopup.configure", before)
    return row


def autotopup_forget_card(*, session: Session, actor: Actor) -> None:
    """Forget the saved card and turn the top-up off (Stripe keeps its own record)."""
    customer = _customer(session, actor)
    row = _row(session, customer, lock=True)
    if row is None or not row.payment_method:
        return
    before = snapshot(row, AUDITED)
    row.payment_method, row.card_label, row.enabled = "", "", False
    row.state, row.updated_at = TopupState.IDLE.value, utcnow()
    _audit(session, actor, row, "autotopup.forget_card", before)

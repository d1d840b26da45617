"""The portal's Alerts section: a customer's own low-balance alerts, which its contacts
change within the limits the operator set on the domain (Editable Balance Alert,
services/alert_limits.py), and a rate-limited "Send test".

The customer is always the contact's own (``actor.customer_id``, from the session).
Alerts email the customer's own contacts only: a portal user cannot make the brand's
mail go to any address it likes. An address already on an alert (one the operator set,
say billing@) may stay on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal_app.models import Contact, Customer, CustomerAlert, PortalDomain

from .alert_limits import AlertLimits, alert_limits
from .alerts import alert_emails_queue, customer_audit, recipients_parse
from .audit import audit_record
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .ledger import balance
from .limiter import limit_hit, rate
from .money import format_minor, parse_minor

MAX_RECIPIENTS = 10


@dataclass(frozen=True)
class OwnAlerts:
    alerts: list[CustomerAlert]
    limits: AlertLimits
    currency: str
    contacts: list[str]  # the addresses an alert may email


def _customer(session: Session, actor) -> Customer:
    if not actor.is_contact or actor.customer_id is None:
        raise PermissionDenied()
    customer = session.get(Customer, actor.customer_id)
    if customer is None:
        raise PermissionDenied()
    return customer


def _limits(session: Session, customer: Customer) -> AlertLimits:
    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    return alert_limits(domain, customer.currency)


def _contacts(session: Session, customer_id: int) -> list[str]:
    return list(
        session.exec(
            select(Contact.email).where(Contact.customer_id == customer_id).order_by(Contact.email)
        ).all()
    )


def _rows(session: Session, customer_id: int) -> list[CustomerAlert]:
    return list(
        session.exec(
            select(CustomerAlert)
            .where(CustomerAlert.customer_id == customer_id)
            .order_by(CustomerAlert.threshold, CustomerAlert.id)
        ).all()
    )


def own_alerts(*, session: Session, actor) -> OwnAlerts:
    customer = _customer(session, actor)
    return OwnAlerts(
        alerts=_rows(session, customer.id),
        limits=_limits(session, customer),
        currency=customer.currency,
        contacts=_contacts(session, customer.id),
    )


def _own_alert(session: Session, customer: Customer, alert_id: int) -> CustomerAlert:
    alert = session.get(CustomerAlert, alert_id)
    if alert is None or alert.customer_id != customer.id:
        raise NotFound("That alert no longer exists.")
    return alert


def _editable(session: Session, customer: Customer) -> AlertLimits:
    limits = _limits(session, customer)
    if not limits.editable:
        raise PermissionDenied("Your alerts are set by your account manager.")
    return limits


def _threshold(text: str, customer: Customer, limits: AlertLimits) -> int:
    amount = parse_minor(str(text or "").strip(), customer.currency, field="alert_threshold")
    if not limits.min_minor <= amount <= limits.max_minor:
        low = format_minor(limits.min_minor, customer.currency)
        high = format_minor(limits.max_minor, customer.currency)
        raise ValidationError({"alert_threshold": f"Enter an amount from {low} to {high}."})
    return amount


def own_alert_save(
    *, session: Session, actor, alert_id: int | None, threshold: str, recipients: str
) -> CustomerAlert:
    """Add an alert (``alert_id`` None) or change one, within the domain's limits."""
    customer = _customer(session, actor)
    limits = _editable(session, customer)
    alert = _own_alert(session, customer, alert_id) if alert_id else None
    errors: dict[str, str] = {}
    try:
        amount = _threshold(threshold, customer, limits)
    except ValidationError as exc:
        errors.update(exc.fields)
        amount = 0
    allowed = set(_contacts(session, customer.id))
    if alert is not None:
        allowed |= set(recipients_parse(alert.recipients))
    emails = recipients_parse(recipients)
    if not emails or len(emails) > MAX_RECIPIENTS or not set(emails) <= allowed:
        errors["alert_recipients"] = (
            f"Enter up to {MAX_RECIPIENTS} addresses of your company's contacts, "
            "separated by commas."
        )
    if alert is None and len(_rows(session, customer.id)) >= limits.max_count:
        raise Conflict(f"You can have at most {limits.max_count} alerts: remove one first.")
    if errors:
        raise ValidationError(errors)
    before = (
        None if alert is None else {"threshold": alert.threshold, "recipients": alert.recipients}
    )
    if alert is None:
        alert = CustomerAlert(customer_id=customer.id, threshold=amount, recipients="")
    alert.threshold, alert.recipients = amount, ", ".join(emails)
    session.add(alert)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="customer.alert_add" if before is None else "customer.alert_update",
        entity="customer",
        entity_id=customer.id,
        before=before,
        after={"alert": alert.id, "threshold": amount, "recipients": alert.recipients},
    )
    return alert


def own_alert_delete(*, session: Session, actor, alert_id: int) -> None:
    customer = _customer(session, actor)
    _editable(session, customer)
    alert = _own_alert(session, customer, alert_id)
    customer_audit(
        session,
        actor,
        "customer.alert_delete",
        customer.id,
        {"alert": alert.id, "threshold": alert.threshold},
    )
    session.delete(alert)


def own_alert_test(*, session: Session, actor, alert_id: int) -> list[str]:
    """Queue the alert's email, marked as a test, to its recipients; at most
    PORTAL_LIMIT_ALERT_TEST per customer. Returns the recipients."""
    customer = _customer(session, actor)
    alert = _own_alert(session, customer, alert_id)
    if limit_hit(session=session, name="alert_test", key=str(customer.id)) is None:
        raise Conflict(
            f"Test emails are limited to {rate('alert_test').amount} per "
            f"{rate('alert_test').wait_words}: try again later."
        )
    available = balance(session=session, actor=actor, customer_id=customer.id)
    sent = alert_emails_queue(
        session=session,
        customer=customer,
        alert=alert,
        available=available + customer.credit_limit,
        test=True,
    )
    customer_audit(
        session, actor, "customer.alert_test", customer.id, {"alert": alert.id, "to": sent}
    )
    return sent

"""A customer's low-balance alerts: added and removed on the customer's dialog (Customer
or, for carriers, Carrier permission), copied from a Template Customer, and fired by
every ledger writer when the available balance falls below a threshold."""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app.models import Customer, CustomerAlert

from .audit import audit_record
from .customers import customer_get
from .errors import NotFound, ValidationError
from .identity import Actor
from .money import format_minor, parse_minor
from .validation import check_email, normalize_email


def customer_audit(session: Session, actor: Actor, action: str, customer_id: int, after: dict):
    """An audit row on the customer for a change on its dialog's Alerts & contracts tab."""
    audit_record(
        session=session,
        actor=actor,
        action=action,
        entity="customer",
        entity_id=customer_id,
        after=after,
    )


def recipients_parse(text: str) -> list[str]:
    """The addresses of a recipients field: comma- or semicolon-separated, normalised."""
    parts = str(text or "").replace(";", ",").split(",")
    return list(dict.fromkeys(normalize_email(e) for e in parts if e.strip()))


def alert_list(*, session: Session, actor: Actor, customer_id: int) -> list[CustomerAlert]:
    customer = customer_get(session=session, actor=actor, customer_id=customer_id)
    return list(
        session.exec(
            select(CustomerAlert)
            .where(CustomerAlert.customer_id == customer.id)
            .order_by(CustomerAlert.threshold, CustomerAlert.id)
        ).all()
    )


def alert_add(
    *, session: Session, actor: Actor, customer_id: int, threshold: str, recipients: str
) -> CustomerAlert:
    """A low-balance alert: below ``threshold`` (in the customer's currency) email them."""
    customer = customer_get(session=session, actor=actor, customer_id=customer_id)
    errors: dict[str, str] = {}
    try:  # 0 is a fair threshold: warn when the available balance is used up
        amount = parse_minor(threshold, customer.currency, field="alert_threshold")
    except ValidationError as exc:
        errors.update(exc.fields)
        amount = 0
    emails = recipients_parse(recipients)
    if not emails or len(emails) > 10 or any(check_email(e) for e in emails):
        errors["alert_recipients"] = "Enter up to 10 email addresses, separated by commas."
    if errors:
        raise ValidationError(errors)
    alert = CustomerAlert(customer_id=customer.id, threshold=amount, recipients=", ".join(emails))
    session.add(alert)
    customer_audit(
        session,
        actor,
        "customer.alert_add",
        customer.id,
        {"threshold": amount, "recipients": alert.recipients},
    )
    return alert


def alert_delete(*, session: Session, actor: Actor, alert_id: int) -> None:
    alert = session.get(CustomerAlert, alert_id)
    if alert is None:
        raise NotFound("That alert no longer exists.")
    customer_get(session=session, actor=actor, customer_id=alert.customer_id)
    customer_audit(session, actor, "customer.alert_delete", alert.customer_id, {"alert": alert.id})
    session.delete(alert)


def alerts_copy(*, session: Session, template: Customer, customer: Customer) -> dict:
    """A Template Customer's alerts, only in the customer's currency (a threshold is an
    amount of the template's currency)."""
    alerts = (
        session.exec(select(CustomerAlert).where(CustomerAlert.customer_id == template.id)).all()
        if template.currency == customer.currency
        else []
    )
    for a in alerts:
        session.add(
            CustomerAlert(
                customer_id=customer.id, kind=a.kind, threshold=a.threshold, recipients=a.recipients
            )
        )
    return {"alerts": len(alerts)}


def alerts_crossed(
    *, session: Session, customer_id: int, before: int, after: int
) -> list[CustomerAlert]:
    """The low-balance alerts whose threshold the available balance just fell below
    (it was at or above it before this change)."""
    if after >= before:
        return []
    return list(
        session.exec(
            select(CustomerAlert).where(
                CustomerAlert.customer_id == customer_id,
                CustomerAlert.threshold <= before,
                CustomerAlert.threshold > after,
            )
        ).all()
    )


def alerts_fire(*, session: Session, customer: Customer, before: int, after: int) -> list[str]:
    """Queue the email of every low-balance alert this change crossed, in the caller's
    transaction (every ledger writer calls it through ``ledger_record``); returns the
    recipients. ``before`` and ``after`` are available balances in minor units."""

    crossed = alerts_crossed(session=session, customer_id=customer.id, before=before, after=after)
    sent: list[str] = []
    for alert in crossed:
        sent += alert_emails_queue(session=session, customer=customer, alert=alert, available=after)
    return sent


def alert_emails_queue(
    *, session: Session, customer: Customer, alert: CustomerAlert, available: int, test=False
) -> list[str]:
    """Queue one alert's low-balance email to each of its recipients (``test``: marked as
    a test, sent from the portal's "Send test"); returns the recipients."""
    from portal_app.models import PortalDomain

    from .emails import email_compose
    from .outbox import outbox_enqueue

    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    sent: list[str] = []
    for to in [e.strip() for e in alert.recipients.split(",") if e.strip()]:
        email = email_compose(
            session=session,
            kind="low_balance",
            to=to,
            domain=domain,
            customer=customer.name,
            available=format_minor(available, customer.currency),
            threshold=format_minor(alert.threshold, customer.currency),
            test=test,
        )
        outbox_enqueue(session=session, email=email)
        sent.append(to)
    return sent

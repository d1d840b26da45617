"""A customer's alerts, packages and contracts, and the package catalogue.

Operators with the Customer (or Carrier, for carriers) permission edit them on the
customer's dialog; every change is audited. ``extras_copy`` is what a Template
Customer passes on to an approved sign-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal_app.models import Area, Contract, Customer, CustomerAlert, CustomerPackage, Package

from .audit import audit_record
from .customers import customer_get
from .errors import NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .money import check_currency, format_minor, parse_minor
from .validation import check_email, clean_name, normalize_email


@dataclass(frozen=True)
class Extras:
    currency: str  # the customer's, for the thresholds and fees shown
    alerts: list[CustomerAlert]
    packages: list[tuple[Package, bool]]  # the catalogue in the customer's currency, chosen?
    contracts: list[Contract]


def extras_get(*, session: Session, actor: Actor, customer_id: int) -> Extras:
    customer = customer_get(session=session, actor=actor, customer_id=customer_id)
    chosen = set(
        session.exec(
            select(CustomerPackage.package_id).where(CustomerPackage.customer_id == customer.id)
        ).all()
    )
    catalogue = session.exec(select(Package).order_by(Package.name)).all()
    return Extras(
        currency=customer.currency,
        alerts=list(
            session.exec(
                select(CustomerAlert).where(CustomerAlert.customer_id == customer.id)
            ).all()
        ),
        packages=[
            (p, p.id in chosen)
            for p in catalogue
            if p.currency == customer.currency or p.id in chosen
        ],
        contracts=list(
            session.exec(
                select(Contract).where(Contract.customer_id == customer.id).order_by(Contract.id)
            ).all()
        ),
    )


def _audit(session: Session, actor: Actor, action: str, customer_id: int, after: dict) -> None:
    audit_record(
        session=session,
        actor=actor,
        action=action,
        entity="customer",
        entity_id=customer_id,
        after=after,
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
    emails = [
        normalize_email(e) for e in str(recipients or "").replace(";", ",").split(",") if e.strip()
    ]
    if not emails or len(emails) > 10 or any(check_email(e) for e in emails):
        errors["alert_recipients"] = "Enter up to 10 email addresses, separated by commas."
    if errors:
        raise ValidationError(errors)
    alert = CustomerAlert(customer_id=customer.id, threshold=amount, recipients=", ".join(emails))
    session.add(alert)
    _audit(
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
    _audit(session, actor, "customer.alert_delete", alert.customer_id, {"alert": alert.id})
    session.delete(alert)


def package_create(
    *, session: Session, actor: Actor, name: str, currency: str, fee: str, minutes: str
) -> Package:
    if not actor.can(Area.CARD):
        raise PermissionDenied()
    name, currency = clean_name(name), str(currency or "").strip().upper()
    errors: dict[str, str] = {}
    if not name or len(name) > 120:
        errors["package_name"] = "Enter a name (at most 120 characters)."
    elif session.exec(select(Package.id).where(Package.name == name)).first():
        errors["package_name"] = "A package with this name exists."
    amount = 0
    try:  # a package may be free: its minutes are the offer
        currency = check_currency(currency or "USD", field="package_currency")
        amount = parse_minor(fee, currency, field="package_fee")
    except ValidationError as exc:
        errors.update(exc.fields)
    if not str(minutes or "0").isdigit():
        errors["package_minutes"] = "Enter whole minutes."
    if errors:
        raise ValidationError(errors)
    package = Package(
        name=name,
        currency=currency,
        monthly_fee=amount,
        included_minutes=int(minutes or 0),
    )
    session.add(package)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="package.create",
        entity="package",
        entity_id=package.id,
        after={"name": name},
    )
    return package


def package_list(*, session: Session, actor: Actor) -> list[tuple[int, str, str, str]]:
    """The catalogue as (id, name, currency, "fee a month, minutes"), by name."""
    if not actor.can(Area.CARD):
        raise PermissionDenied()
    return [
        (
            p.id,
            p.name,
            p.currency,
            f"{format_minor(p.monthly_fee, p.currency)} a month, {p.included_minutes:,} min",
        )
        for p in session.exec(select(Package).order_by(Package.name)).all()
    ]


def package_set(
    *, session: Session, actor: Actor, customer_id: int, package_id: int, on: bool
) -> None:
    customer = customer_get(session=session, actor=actor, customer_id=customer_id)
    package = session.get(Package, package_id)
    if package is None:
        raise NotFound("That package no longer exists.")
    row = session.get(CustomerPackage, (customer.id, package.id))
    if on and row is None:
        if package.currency != customer.currency:
            raise ValidationError({"packages": f"{package.name} is not in {customer.currency}."})
        session.add(CustomerPackage(customer_id=customer.id, package_id=package.id))
    elif not on and row is not None:
        session.delete(row)
    _audit(session, actor, "customer.package", customer.id, {"package": package.name, "on": on})


def contract_add(
    *, session: Session, actor: Actor, customer_id: int, name: str, months: str, notes: str
) -> Contract:
    customer = customer_get(session=session, actor=actor, customer_id=customer_id)
    errors: dict[str, str] = {}
    name = clean_name(name)
    if not name or len(name) > 120:
        errors["contract_name"] = "Enter the contract's name."
    if not str(months or "").isdigit() or not 1 <= int(months) <= 120:
        errors["contract_months"] = "Enter a term of 1 to 120 months."
    if errors:
        raise ValidationError(errors)
    contract = Contract(
        customer_id=customer.id, name=name, months=int(months), notes=str(notes or "")[:1000]
    )
    session.add(contract)
    _audit(
        session, actor, "customer.contract_add", customer.id, {"name": name, "months": int(months)}
    )
    return contract


def contract_delete(*, session: Session, actor: Actor, contract_id: int) -> None:
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound("That contract no longer exists.")
    customer_get(session=session, actor=actor, customer_id=contract.customer_id)
    _audit(
        session,
        actor,
        "customer.contract_delete",
        contract.customer_id,
        {"contract": contract.name},
    )
    session.delete(contract)


def extras_copy(*, session: Session, template: Customer, customer: Customer) -> dict:
    """The template's alerts and packages (both only in the customer's currency: an
    alert's threshold is an amount of the template's) and its contracts."""
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
    packages = session.exec(
        select(Package)
        .join(CustomerPackage, CustomerPackage.package_id == Package.id)
        .where(CustomerPackage.customer_id == template.id, Package.currency == customer.currency)
    ).all()
    for p in packages:
        session.add(CustomerPackage(customer_id=customer.id, package_id=p.id))
    contracts = session.exec(select(Contract).where(Contract.customer_id == template.id)).all()
    for c in contracts:
        session.add(
            Contract(
                customer_id=customer.id,
                name=c.name,
                months=c.months,
                notice_days=c.notice_days,
                notes=c.notes,
            )
        )
    return {
        "alerts": len(alerts),
        "packages": [p.name for p in packages],
        "contracts": [c.name for c in contracts],
    }


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
    from portal_app.models import PortalDomain

    from .emails import email_compose
    from .outbox import outbox_enqueue

    crossed = alerts_crossed(session=session, customer_id=customer.id, before=before, after=after)
    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    sent: list[str] = []
    for alert in crossed:
        for to in [e.strip() for e in alert.recipients.split(",") if e.strip()]:
            email = email_compose(
                session=session,
                kind="low_balance",
                to=to,
                domain=domain,
                customer=customer.name,
                available=format_minor(after, customer.currency),
                threshold=format_minor(alert.threshold, customer.currency),
            )
            outbox_enqueue(session=session, email=email)
            sent.append(to)
    return sent

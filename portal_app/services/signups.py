"""Self sign-up, confirmation by email, and the operator's approval.

1. ``signup_start`` (brand host, anyone): checks the form, throttles per client, stores
   the request with a hashed single-use token and queues the email with the link.
   The answer never says whether an email is known, nor does the time it
   takes: a known email costs the same password hash and gets a "you already have a
   login" email instead of a link.
2. ``signup_confirm`` (the link): creates the customer or carrier with status pending
   approval, the domain, the domain's Customer Limit as credit, and the contact. The
   brand's hourly cap counts these confirmed sign-ups only, so a spammer's unconfirmed
   ones cannot lock genuine applicants out.
3. ``signup_approve`` / ``signup_reject`` (operators with the Customer or Carrier
   permission): a conditional update moves the customer out of "pending" exactly once,
   so two approvals at the same time give one customer and one template credit.
   Approval applies the domain's Template Customer in the same transaction. Either
   decision queues an email to the applicant in that transaction (``signup_decide``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from babel import Locale
from sqlmodel import Session, func, select

from portal_app.models import (
    Area,
    Contact,
    Customer,
    CustomerRateCard,
    CustomerStatus,
    CustomerType,
    LedgerEntry,
    LedgerKind,
    PortalDomain,
    Signup,
)
from portal_app.models.base import utcnow
from portal_app.routes import PORTAL_FORGOT, PORTAL_SIGNUP_CONFIRM

from .audit import audit_record
from .crypto import hash_password, new_token, token_hash
from .emails import duration_words, email_compose, portal_url
from .errors import AuthFailed, NotFound, PermissionDenied, Throttled, ValidationError
from .identity import Actor
from .limiter import limit_hit, rate
from .outbox import outbox_enqueue
from .policy import hidden_kinds
from .security_settings import password_minimum
from .validation import (
    check_email,
    check_name,
    check_password,
    check_phone,
    clean_name,
    normalize_email,
    normalize_phone,
)

LINK_TTL = timedelta(hours=24)
COUNTRIES = {
    code: name
    for code, name in Locale("en").territories.items()
    if len(code) == 2 and code.isalpha()
}
BAD_LINK = "This confirmation link has expired or was already used. Sign up again."


@dataclass(frozen=True)
class Started:
    """What to email: a confirmation link, or a note to someone who has a login."""

    email: str
    token: str | None  # None: the email already logs in here (no new account)


def _area(kind: str) -> Area:
    return Area.CARRIER if kind == CustomerType.CARRIER.value else Area.CUSTOMER


def _throttle(session: Session, client: str) -> None:
    """Unconfirmed sign-ups are limited per client only: a spammer's unconfirmed ones
    must not use up the brand's allowance (that counts confirmed sign-ups)."""
    if limit_hit(session=session, name="signup_client", key=client[:64]) is None:
        wait = rate("signup_client").wait_words
        raise Throttled(f"Too many sign-ups from here. Please try again in {wait}.")


def allowed_kinds(domain: PortalDomain) -> list[str]:
    return [
        k
        for k, on in (("customer", domain.customer_signup), ("carrier", domain.carrier_signup))
        if on
    ]


def _validate(domain: PortalDomain, data: dict, minimum: int) -> dict:
    errors: dict[str, str] = {}
    kind = str(data.get("kind") or "")
    if kind not in allowed_kinds(domain):
        raise PermissionDenied("Sign-up is not open on this portal.")
    clean = {"kind": kind}
    for key, label in (("company_name", "Company name"), ("contact_name", "Your name")):
        clean[key] = clean_name(data.get(key))
        if msg := check_name(clean[key], label):
            errors[key] = msg
    clean["email"] = normalize_email(data.get("email"))
    if msg := check_email(clean["email"]):
        errors["email"] = msg
    password = str(data.get("password") or "")
    if msg := check_password(password, minimum):
        errors["password"] = msg
    clean["password"] = password
    if msg := check_phone(data.get("phone")):
        errors["phone"] = msg
    clean["phone"] = normalize_phone(data.get("phone"))[:20]
    country = str(data.get("country") or "").upper()
    if country not in COUNTRIES:
        errors["country"] = "Choose your country."
    clean["country"] = country
    currencies = list(domain.currencies) or ["USD"]
    currency = str(data.get("currency") or "").upper()
    if currency not in currencies:
        errors["currency"] = f"Choose one of {', '.join(currencies)}."
    clean["currency"] = currency
    if data.get("terms") not in (True, "on", "true"):
        errors["terms"] = "Please accept the terms to sign up."
    if errors:
        raise ValidationError(errors)
    return clean


def signup_start(
    *, session: Session, domain: PortalDomain, data: dict, client: str = ""
) -> Started | None:
    """Check and store a sign-up. None for a bot (the honeypot field was filled): the
    caller shows the usual answer and sends nothing."""
    clean = _validate(domain, data, password_minimum(session=session))
    if str(data.get("website") or "").strip():  # hidden from people, filled by bots
        return None
    _throttle(session, client)
    password_hash = hash_password(clean["password"])  # known or not: the same cost
    if session.exec(select(Contact.id).where(Contact.email == clean["email"])).first():
        _mail(session, "signup_existing", clean["email"], domain, link=_url(domain, PORTAL_FORGOT))
        return Started(email=clean["email"], token=None)
    token = new_token()
    now = utcnow()
    session.add(
        Signup(
            token_hash=token_hash(token),
            domain_id=domain.id,
            kind=clean["kind"],
            company_name=clean["company_name"],
            contact_name=clean["contact_name"],
            email=clean["email"],
            password_hash=password_hash,
            phone=clean["phone"],
            country=clean["country"],
            currency=clean["currency"],
            client_ip=client[:64],
            created_at=now,
            expires_at=now + LINK_TTL,
        )
    )
    _mail(
        session,
        "signup_confirm",
        clean["email"],
        domain,
        name=clean["contact_name"],
        company=clean["company_name"],
        link=_url(domain, f"{PORTAL_SIGNUP_CONFIRM}?token={token}"),
        expires=duration_words(LINK_TTL),
    )
    return Started(email=clean["email"], token=token)


def _url(domain: PortalDomain, path: str) -> str:
    return portal_url(domain.host, path)


def _mail(session: Session, kind: str, to: str, domain: PortalDomain | None, **values) -> None:
    email = email_compose(session=session, kind=kind, to=to, domain=domain, **values)
    outbox_enqueue(session=session, email=email)


def signup_confirm(*, session: Session, token: str) -> Customer:
    """The email is proven: create the pending customer and its contact, once."""
    signup = (
        session.exec(
            select(Signup).where(Signup.token_hash == token_hash(str(token)[:128]))
        ).first()
        if token
        else None
    )
    if signup is None or signup.confirmed_at is not None or signup.expires_at <= utcnow():
        raise AuthFailed(BAD_LINK)
    if session.exec(select(Contact.id).where(Contact.email == signup.email)).first():
        raise AuthFailed("This email already has a login. Log in, or use Forgot your password.")
    if limit_hit(session=session, name="signup_domain", key=str(signup.domain_id)) is None:
        raise Throttled(
            "This portal has had many new sign-ups in the last hour. Your link still "
            f"works: please open it again in {rate('signup_domain').wait_words}."
        )
    domain = session.get(PortalDomain, signup.domain_id)
    # The Customer Limit is an amount of the domain's first currency (never converted).
    in_limit_currency = domain is not None and domain.currencies[:1] == [signup.currency]
    customer = Customer(
        name=signup.company_name,
        kind=signup.kind,
        status=CustomerStatus.PENDING.value,
        currency=signup.currency,
        credit_limit=domain.customer_limit if in_limit_currency else 0,
        company_name=signup.company_name,
        country=signup.country,
        phone=signup.phone,
        domain_id=signup.domain_id,
    )
    session.add(customer)
    session.flush()
    session.add(
        Contact(
            customer_id=customer.id,
            name=signup.contact_name,
            email=signup.email,
            password_hash=signup.password_hash,
        )
    )
    signup.confirmed_at, signup.customer_id = utcnow(), customer.id
    session.add(signup)
    audit_record(
        session=session,
        actor=Actor(kind="contact", id=None, label=signup.email),
        action="signup.confirm",
        entity="customer",
        entity_id=customer.id,
        after={"name": customer.name, "kind": customer.kind, "domain_id": customer.domain_id},
    )
    return customer


def pending_count(*, session: Session) -> tuple[int, int]:
    """(how many wait for approval, the newest one's id): cheap, for live badges."""
    count, newest = session.exec(
        select(func.count(), func.max(Customer.id)).where(
            Customer.status == CustomerStatus.PENDING.value
        )
    ).one()
    return int(count), int(newest or 0)


def _decide(
    session: Session, actor: Actor, customer_id: int, status: str, reason: str
) -> Customer | None:
    """Move a pending customer to ``status`` once; None when it was not pending any more."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("That sign-up no longer exists.")
    if not actor.can(_area(customer.kind)):
        raise PermissionDenied()
    result = session.execute(
        sa.update(Customer)
        .where(Customer.id == customer_id, Customer.status == CustomerStatus.PENDING.value)
        .values(status=status, decided_at=utcnow(), decided_by=actor.label, reject_reason=reason)
    )
    if result.rowcount != 1:
        return None
    session.refresh(customer)
    return customer


def _tell_applicant(session: Session, customer: Customer, kind: str, reason: str = "") -> None:
    """Queue the decision's email to the contact who signed up."""
    contact = session.exec(select(Contact).where(Contact.customer_id == customer.id)).first()
    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    if contact is None or domain is None:
        return
    values = {"name": contact.name, "company": customer.name, "reason": reason}
    _mail(session, kind, contact.email, domain, **values)


def signup_decide(
    *, session: Session, actor: Actor, customer_id: int, approve: bool, reason: str = ""
) -> Customer | None:
    """Approve or reject one pending sign-up, queueing the applicant's email in the same
    transaction; None if someone else decided first."""
    if approve:
        return signup_approve(session=session, actor=actor, customer_id=customer_id)
    return signup_reject(session=session, actor=actor, customer_id=customer_id, reason=reason)


def signup_approve(*, session: Session, actor: Actor, customer_id: int) -> Customer | None:
    """Approve and apply the domain's template; None if someone else decided first."""
    customer = _decide(session, actor, customer_id, CustomerStatus.ACTIVE.value, "")
    if customer is None:
        return None
    copied = template_apply(session=session, actor=actor, customer=customer)
    audit_record(
        session=session,
        actor=actor,
        action="signup.approve",
        entity="customer",
        entity_id=customer.id,
        before={"status": "pending"},
        after={"status": "active", "template": copied},
    )
    _tell_applicant(session, customer, "signup_approved")
    return customer


def signup_reject(
    *, session: Session, actor: Actor, customer_id: int, reason: str
) -> Customer | None:
    reason = str(reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationError(
            {"reason": "Say why (at most 500 characters); the applicant is told."}
        )
    customer = _decide(session, actor, customer_id, CustomerStatus.REJECTED.value, reason)
    if customer is None:
        return None
    audit_record(
        session=session,
        actor=actor,
        action="signup.reject",
        entity="customer",
        entity_id=customer.id,
        before={"status": "pending"},
        after={"status": "rejected", "reason": reason},
    )
    _tell_applicant(session, customer, "signup_rejected", reason)
    return customer


@dataclass(frozen=True)
class TemplatePreview:
    """What approving a sign-up copies from the domain's Template Customer."""

    template: str
    fields: dict[str, str]
    routes: list[str]
    payments: list[str]
    alerts: list[str]
    packages: list[str]
    contracts: list[str]


def template_preview(
    *, session: Session, actor: Actor, template_customer_id: int | None
) -> TemplatePreview | None:
    """What approving a sign-up would copy from this template customer (domain editor)."""
    from portal_app.models import RateCard

    from .money import format_minor

    if not actor.can(Area.PORTAL):
        raise PermissionDenied()
    template = session.get(Customer, template_customer_id) if template_customer_id else None
    if template is None or template.kind in hidden_kinds(actor):  # a carrier's: carrier data
        return None
    cards = session.exec(
        select(RateCard.name)
        .join(CustomerRateCard, CustomerRateCard.card_id == RateCard.id)
        .where(CustomerRateCard.customer_id == template.id)
    ).all()
    entries = session.exec(
        select(LedgerEntry)
        .where(
            LedgerEntry.customer_id == template.id,
            LedgerEntry.kind.in_([LedgerKind.PAYMENT.value, LedgerKind.CREDIT.value]),
        )
        .order_by(LedgerEntry.id)
    ).all()
    from portal_app.models import Contract, CustomerAlert, CustomerPackage, Package

    alerts = session.exec(
        select(CustomerAlert).where(CustomerAlert.customer_id == template.id)
    ).all()
    packages = session.exec(
        select(Package.name)
        .join(CustomerPackage, CustomerPackage.package_id == Package.id)
        .where(CustomerPackage.customer_id == template.id)
    ).all()
    contracts = session.exec(select(Contract.name).where(Contract.customer_id == template.id)).all()
    return TemplatePreview(
        alerts=[
            f"below {format_minor(a.threshold, template.currency)} → {a.recipients}" for a in alerts
        ],
        packages=list(packages),
        contracts=list(contracts),
        template=template.name,
        fields={
            "Credit limit": format_minor(template.credit_limit, template.currency),
            "Portal access": ", ".join(
                f"{k}: {v}" for k, v in (template.portal_access or {}).items()
            )
            or "the domain's",
        },
        routes=list(cards),
        payments=[
            f"{format_minor(e.amount, e.currency)} {e.kind} {e.reference}".strip() for e in entries
        ],
    )


def template_apply(*, session: Session, actor: Actor, customer: Customer) -> dict:
    """Copy the domain's Template Customer into a newly approved customer: its credit
    limit (when set), portal access overrides, routes in the customer's currency, and
    its payments and credits as new ledger entries (e.g. the $5.00 welcome credit)."""
    from .ledger import ledger_add
    from .money import plain_minor

    domain = session.get(PortalDomain, customer.domain_id) if customer.domain_id else None
    template = (
        session.get(Customer, domain.template_customer_id)
        if domain and domain.template_customer_id
        else None
    )
    if template is None or template.id == customer.id:
        return {}
    copied: dict = {}
    if template.credit_limit and template.currency == customer.currency:
        customer.credit_limit = template.credit_limit
        copied["credit_limit"] = template.credit_limit
    if template.portal_access:
        customer.portal_access = dict(template.portal_access)
        copied["portal_access"] = dict(template.portal_access)
    session.add(customer)
    from portal_app.models import RateCard

    cards = session.exec(
        select(RateCard)
        .join(CustomerRateCard, CustomerRateCard.card_id == RateCard.id)
        .where(CustomerRateCard.customer_id == template.id, RateCard.currency == customer.currency)
    ).all()
    for card in cards:
        session.add(CustomerRateCard(customer_id=customer.id, card_id=card.id))
    copied["routes"] = [c.name for c in cards]
    entries = session.exec(
        select(LedgerEntry)
        .where(
            LedgerEntry.customer_id == template.id,
            LedgerEntry.kind.in_([LedgerKind.PAYMENT.value, LedgerKind.CREDIT.value]),
            LedgerEntry.currency == customer.currency,
        )
        .order_by(LedgerEntry.id)
    ).all()
    # The template's money is the operator's standing offer, not this approver's own
    # payment: it is recorded by the system on the approver's behalf.
    system = Actor(kind="system", id=None, label=f"template, approved by {actor.label}")
    for entry in entries:
        ledger_add(
            session=session,
            actor=system,
            customer_id=customer.id,
            kind=entry.kind,
            amount=plain_minor(entry.amount, entry.currency),
            reference=entry.reference or "Welcome",
            note=f"From template {template.name}",
        )
    copied["payments"] = [e.amount for e in entries]
    from .alerts import alerts_copy
    from .contracts import contracts_copy
    from .customer_packages import packages_copy

    for copy in (alerts_copy, packages_copy, contracts_copy):
        copied |= copy(session=session, template=template, customer=customer)
    return copied

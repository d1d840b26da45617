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
3. ``signup_approve`` / ``signup_reject`` in ``signup_decisions`` (operators with the
   Customer or Carrier permission): a conditional update moves the customer out of
   "pending" exactly once, so two approvals at the same time give one customer and one
   template credit. Approval applies the domain's Template Customer
   (``signup_templates``) in the same transaction. Either decision queues an email to
   the applicant in that transaction (``signup_decide``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from portal_app.models import Contact, Customer, CustomerStatus, PortalDomain, Signup
from portal_app.models.base import utcnow
from portal_app.routes import PORTAL_FORGOT, PORTAL_SIGNUP_CONFIRM

from .audit import audit_record
from .crypto import hash_password, new_token, token_hash
from .emails import duration_words, email_compose, portal_url
from .errors import AuthFailed, PermissionDenied, Throttled, ValidationError
from .identity import Actor
from .limiter import limit_hit, rate
from .outbox import outbox_enqueue
from .security_settings import password_minimum
from .validation import (
    check_email,
    check_name,
    check_password,
    check_phone,
    clean_name,
    country_code,
    normalize_email,
    normalize_phone,
)

LINK_TTL = timedelta(hours=24)
BAD_LINK = "This confirmation link has expired or was already used. Sign up again."


@dataclass(frozen=True)
class Started:
    """What to email: a confirmation link, or a note to someone who has a login."""

    email: str
    token: str | None  # None: the email already logs in here (no new account)


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
    country = country_code(data.get("country"))
    if not country:
        errors["country"] = "Choose your country from the list."
    clean["country"] = country or ""
    # A national number is read in the chosen country ("020 7946 0000" in GB).
    if msg := check_phone(data.get("phone"), clean["country"]):
        errors["phone"] = msg
    clean["phone"] = normalize_phone(data.get("phone"), clean["country"])[:20]
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

"""Portal domains (Setup > Integrations > Portal): add, edit, delete and read them.

The form's checks are in ``domain_validation``, the sections and columns a domain can
show in ``portal_sections``, the public brand views in ``domain_brands``."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlmodel import Session, select

from portal_app.models import Area, Customer, DomainStatus, PortalDomain
from portal_app.models.base import utcnow
from portal_app.settings import Settings

from .account import account_currency
from .alert_limits import FIELDS as ALERT_LIMITS
from .audit import audit_record, snapshot
from .crypto import encrypt_secret
from .domain_validation import _validate
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .identity import Actor
from .portal_sections import DEFAULT_ACCESS, DEFAULT_BREAKOUT, DEFAULT_CDR

EDITABLE = [
    "host",
    "brand_name",
    "customer_signup",
    "carrier_signup",
    "auto_topup",
    "alert_editable",
    *ALERT_LIMITS,
    "template_customer_id",
    "currencies",
    "customer_limit",
    "access",
    "breakout_columns",
    "cdr_columns",
    "custom_js",
    "custom_css",
    "logo_file_id",
    "footer",
    "accent_color",
    "header_color",
    "smtp_server",
    "smtp_username",
    "smtp_from",
]
# A brand's Javascript and CSS run in its customers' browsers: only administrators may
# change them. An operator with the Portal area edits everything else.
CODE_FIELDS = ("custom_js", "custom_css")
CODE_ADMIN_ONLY = "Only administrators can change a brand's Javascript and CSS."
AUDIT_CODE_MAX = 300  # longer code is audited as its digest and length


def _require(actor: Actor) -> None:
    if not actor.can(Area.PORTAL):
        raise PermissionDenied()


def _audit_code(text: str) -> str:
    """Code as the audit shows it: itself when short, else a digest and its length."""
    if len(text) <= AUDIT_CODE_MAX:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"sha256:{digest} ({len(text):,} characters)"


def _require_code_rights(actor: Actor, domain: PortalDomain | None, clean: dict) -> None:
    """Refuse a change of the Javascript or CSS by anyone but an administrator."""
    if actor.is_admin:
        return
    errors = {
        key: CODE_ADMIN_ONLY
        for key in CODE_FIELDS
        if clean[key] != (getattr(domain, key) if domain is not None else "")
    }
    if errors:
        raise ValidationError(errors)


def _audit_view(domain: PortalDomain) -> dict[str, Any]:
    view = snapshot(domain, EDITABLE + ["id", "status"])
    for key in CODE_FIELDS:
        view[key] = _audit_code(view[key] or "")
    view["smtp_password"] = "set" if domain.smtp_password_enc else "none"
    return view


def _apply_password(domain: PortalDomain, data: dict[str, Any]) -> None:
    if data.get("smtp_password_clear"):
        domain.smtp_password_enc = None
    elif password := str(data.get("smtp_password") or ""):
        domain.smtp_password_enc = encrypt_secret(password[:256])


def domain_blank(*, session: Session) -> PortalDomain:
    """The values a new domain's editor starts with (not stored): the account's currency."""
    return PortalDomain(
        host="",
        brand_name="",
        currencies=[account_currency(session=session)],
        access=DEFAULT_ACCESS,
        breakout_columns=DEFAULT_BREAKOUT,
        cdr_columns=DEFAULT_CDR,
    )


def domain_options(*, session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, host) of every domain, for filters and choosers of customer screens."""
    if not (actor.can(Area.PORTAL) or actor.can(Area.CUSTOMER) or actor.can(Area.CARRIER)):
        raise PermissionDenied()
    return list(
        session.exec(select(PortalDomain.id, PortalDomain.host).order_by(PortalDomain.host))
    )


def domain_list(*, session: Session, actor: Actor) -> list[PortalDomain]:
    _require(actor)
    return list(session.exec(select(PortalDomain).order_by(PortalDomain.host)).all())


def domain_status_stamp(*, session: Session) -> int:
    """Changes whenever a domain is added, edited, removed, checked or changes status
    (also when another worker writes it): for live lists. One small indexed read."""
    rows = session.exec(
        select(
            PortalDomain.id,
            PortalDomain.status,
            PortalDomain.status_detail,
            PortalDomain.last_checked_at,
            PortalDomain.updated_at,
        ).order_by(PortalDomain.id)
    ).all()
    return hash(tuple(tuple(r) for r in rows))


def domain_get(*, session: Session, actor: Actor, domain_id: int) -> PortalDomain:
    _require(actor)
    domain = session.get(PortalDomain, domain_id)
    if domain is None:
        raise NotFound("That domain no longer exists.")
    return domain


def domain_create(
    *, session: Session, actor: Actor, data: dict[str, Any], settings: Settings
) -> PortalDomain:
    _require(actor)
    clean = _validate(session, data, domain_id=None, settings=settings, actor=actor)
    _require_code_rights(actor, None, clean)
    domain = PortalDomain(**clean, status=DomainStatus.PENDING.value, next_check_at=utcnow())
    _apply_password(domain, data)
    session.add(domain)
    session.flush()
    audit_record(
        session=session,
        actor=actor,
        action="domain.create",
        entity="portal_domain",
        entity_id=domain.id,
        after=_audit_view(domain),
    )
    return domain


def domain_update(
    *, session: Session, actor: Actor, domain_id: int, data: dict[str, Any], settings: Settings
) -> PortalDomain:
    """Edit a domain. A new host starts verification again. Only an administrator
    changes the Javascript and CSS; for anyone else, fields left out stay as they are."""
    domain = domain_get(session=session, actor=actor, domain_id=domain_id)
    if not actor.is_admin:
        data = {k: getattr(domain, k) for k in CODE_FIELDS} | data
    clean = _validate(session, data, domain_id=domain_id, settings=settings, actor=actor)
    _require_code_rights(actor, domain, clean)
    before = _audit_view(domain)
    if clean["host"] != domain.host:
        domain.status, domain.status_detail = DomainStatus.PENDING.value, ""
        domain.verified_at, domain.check_failures, domain.next_check_at = None, 0, utcnow()
    for key, value in clean.items():
        setattr(domain, key, value)
    _apply_password(domain, data)
    domain.updated_at = utcnow()
    session.add(domain)
    audit_record(
        session=session,
        actor=actor,
        action="domain.update",
        entity="portal_domain",
        entity_id=domain.id,
        before=before,
        after=_audit_view(domain),
    )
    return domain


def domain_delete(*, session: Session, actor: Actor, domain_id: int, customers_to: str = "") -> int:
    """Delete a domain. Its customers move to another domain (``customers_to`` is that
    domain's id) or are left without one (``"detach"``): the caller must choose when
    there are any. Returns how many customers moved or were detached."""
    domain = domain_get(session=session, actor=actor, domain_id=domain_id)
    members = list(session.exec(select(Customer).where(Customer.domain_id == domain_id)))
    target: int | None = None
    if members and customers_to != "detach":
        try:
            target = int(customers_to)
        except ValueError:
            raise Conflict(
                f"{len(members)} customer(s) use this domain: choose where they go."
            ) from None
        if target == domain_id or session.get(PortalDomain, target) is None:
            raise Conflict("Choose another existing domain for its customers.")
    for customer in members:
        customer.domain_id = target
        session.add(customer)
    before = _audit_view(domain) | {
        "customers": len(members),
        "customers_to": target if members else None,
    }
    session.flush()
    session.delete(domain)
    audit_record(
        session=session,
        actor=actor,
        action="domain.delete",
        entity="portal_domain",
        entity_id=domain_id,
        before=before,
    )
    return len(members)

"""Portal domains (Setup > Integrations > Portal): add, edit, delete, validate."""

from __future__ import annotations

import functools
import hashlib
import re
from typing import Any

from publicsuffixlist import PublicSuffixList
from sqlmodel import Session, select

from portal_app.models import Area, Customer, DomainStatus, PortalDomain, PublicFile
from portal_app.models.base import utcnow
from portal_app.settings import Settings

from .audit import audit_record, snapshot
from .brand_colours import FIELDS as BRAND_COLOURS
from .brand_colours import brand_palette_css, colour_check
from .brands import BrandView
from .crypto import encrypt_secret
from .errors import Conflict, NotFound, PermissionDenied, ValidationError
from .hosts import IP_ADDRESS, HostError, host_display, host_name, normalize_host
from .identity import Actor
from .money import active_currencies, parse_minor
from .policy import hidden_kinds
from .smtp_guard import SmtpRules, smtp_server_problem
from .validation import check_email, clean_name

# Portal sections a domain can show (User Access Area), in menu order, with labels.
SECTIONS: dict[str, str] = {
    "balance": "Balance",
    "cdr": "CDR",
    "rate_card": "Rate Card",
    "breakout": "Breakout",
    "payments": "Payments",
    "carrier_portal": "Carrier Portal",
    "contacts": "Contacts",
    "profile": "Profile",
    "alerts": "Alerts",
    "packages": "Packages",
}
DEFAULT_ACCESS = ["balance", "cdr", "rate_card", "payments", "contacts", "profile"]
BREAKOUT_COLUMNS: dict[str, str] = {
    "destination": "Destination",
    "prefix": "Prefix",
    "calls": "Calls",
    "connected": "Connected",
    "minutes": "Minutes",
    "asr": "ASR",
    "acd": "ACD",
    "pdd": "PDD",
    "rate": "Rate",
    "cost": "Cost",
}
DEFAULT_BREAKOUT = ["destination", "calls", "minutes", "asr", "acd", "cost"]
CDR_COLUMNS: dict[str, str] = {
    "call_start": "Call start (UTC)",
    "direction": "Direction",
    "cli": "Caller (CLI)",
    "dialled": "Called number",
    "destination": "Destination",
    "prefix": "Prefix",
    "duration": "Duration",
    "billed_duration": "Billed duration",
    "rate": "Rate",
    "cost": "Cost",
    "status": "Status",
    "release_reason": "Release reason",
    "sip_call_id": "SIP call id",
}
DEFAULT_CDR = ["call_start", "cli", "dialled", "destination", "duration", "cost", "status"]
EDITABLE = [
    "host",
    "brand_name",
    "customer_signup",
    "carrier_signup",
    "auto_topup",
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
_SCRIPT_SRC = re.compile(
    r"""^\s*<script\s+src=["'](https://[^"'<>\s]+)["']\s*>\s*</script>\s*$""", re.I
)
MAX_CODE = 20_000
# A brand's Javascript and CSS run in its customers' browsers: only administrators may
# change them. An operator with the Portal area edits everything else.
CODE_FIELDS = ("custom_js", "custom_css")
CODE_ADMIN_ONLY = "Only administrators can change a brand's Javascript and CSS."
AUDIT_CODE_MAX = 300  # longer code is audited as its digest and length


@functools.cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def _require(actor: Actor) -> None:
    if not actor.can(Area.PORTAL):
        raise PermissionDenied()


def domain_host(value: object) -> str:
    """The stored form (A-label) of a portal domain typed by an operator; raises
    ``ValidationError`` for the host field when it is not a domain name."""
    if not str(value or "").strip():
        raise ValidationError({"host": "Enter the domain, like portal.yourbrand.com."})
    try:
        return host_name(value, min_labels=2)
    except HostError as exc:
        if exc.kind == IP_ADDRESS:
            message = "Use a domain name, not an IP address: the portal needs a CNAME record."
        else:
            message = (
                "This is not a valid domain name: letters, digits and hyphens, without "
                "https:// or a path, like portal.yourbrand.com."
            )
        raise ValidationError({"host": message}) from None


def check_host(host: str, *, settings: Settings) -> str | None:
    """Why this host cannot be a portal domain, or None."""
    try:
        host = domain_host(host)
    except ValidationError as exc:
        return exc.fields["host"]
    if host in settings.control_hosts:
        return "This host serves the control panel; choose another for the portal."
    if host == settings.cname_target:
        return "This is the CNAME target itself; use your own domain."
    # .localhost names never reach public DNS: allowed for local development.
    if not host.endswith(".localhost") and _psl().privatesuffix(host) in (host, None):
        return (
            f"{host_display(host)} is a top-level domain: DNS cannot hold a CNAME there. "
            f"Use a sub-domain such as portal.{host_display(host)}."
        )
    return None


def _js_problem(js: str) -> str | None:
    if len(js) > MAX_CODE:
        return f"At most {MAX_CODE:,} characters."
    if "<" in js and not _SCRIPT_SRC.match(js):
        return (
            "Enter raw JavaScript, or exactly one reference like "
            '<script src="https://www.mydomain.com/custom.js"></script> (https only).'
        )
    return None


def script_src(js: str) -> str | None:
    """The external script URL when the Javascript field is a <script src> reference."""
    match = _SCRIPT_SRC.match(js or "")
    return match.group(1) if match else None


def _ordered(raw: Any, allowed: dict[str, str], field: str, errors: dict[str, str]) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        errors[field] = "Malformed list."
        return []
    unknown = [x for x in raw if x not in allowed]
    if unknown:
        errors[field] = f"Unknown: {', '.join(unknown[:5])}."
    if len(set(raw)) != len(raw):
        errors[field] = "Each item may appear once."
    return [x for x in dict.fromkeys(raw) if x in allowed]


def _validate(
    session: Session,
    data: dict[str, Any],
    *,
    domain_id: int | None,
    settings: Settings,
    actor: Actor,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    host = ""
    if msg := check_host(str(data.get("host") or ""), settings=settings):
        errors["host"] = msg
    else:
        host = domain_host(data.get("host"))
        clash = session.exec(select(PortalDomain.id).where(PortalDomain.host == host)).first()
        if clash is not None and clash != domain_id:
            errors["host"] = "This domain is already set up."
    brand = clean_name(data.get("brand_name"))
    if not brand or len(brand) > 120:
        errors["brand_name"] = "Enter the brand name customers see (at most 120 characters)."
    currencies = data.get("currencies") or []
    if not isinstance(currencies, list) or not currencies:
        errors["currencies"] = "Choose at least one currency."
        currencies = []
    else:
        currencies = list(dict.fromkeys(str(c).strip().upper() for c in currencies))
        bad = [c for c in currencies if c not in active_currencies()]
        if bad:
            errors["currencies"] = f"Unknown currency: {', '.join(bad[:5])} (use ISO 4217 codes)."
    # The Customer Limit is an amount of the first currency: sign-ups who choose it get
    # it as credit; there are no exchange rates to turn it into another currency.
    limit = 0
    if currencies and currencies[0] in active_currencies():
        limit_raw = str(data.get("customer_limit") or "").strip() or "0"
        try:
            limit = parse_minor(limit_raw, currencies[0], field="customer_limit")
        except ValidationError as exc:
            errors.update(exc.fields)
    template = data.get("template_customer_id")
    template_id = None
    if template not in (None, "", "none"):
        try:
            template_id = int(template)
        except (TypeError, ValueError):
            template_id = -1
        template_row = session.get(Customer, template_id)
        # A carrier is carrier data: only those allowed carriers may name one.
        if template_row is None or template_row.kind in hidden_kinds(actor):
            errors["template_customer_id"] = "Choose one of your customers."
    logo = data.get("logo_file_id")
    logo_id = None
    if logo not in (None, "", "none"):
        try:
            logo_id = int(logo)
        except (TypeError, ValueError):
            logo_id = -1
        if session.get(PublicFile, logo_id) is None:
            errors["logo_file_id"] = "Choose a file from Management > File > Public."
    js = str(data.get("custom_js") or "")
    if msg := _js_problem(js):
        errors["custom_js"] = msg
    css = str(data.get("custom_css") or "")
    if len(css) > MAX_CODE:
        errors["custom_css"] = f"At most {MAX_CODE:,} characters."
    elif "</style" in css.lower():
        errors["custom_css"] = "CSS may not contain </style>."
    footer = str(data.get("footer") or "").strip()
    if len(footer) > 500:
        errors["footer"] = "At most 500 characters."
    colours = {}
    for key in BRAND_COLOURS:
        colours[key], problem = colour_check(str(data.get(key) or ""))
        if problem:
            errors[key] = problem
    smtp_server = str(data.get("smtp_server") or "").strip()
    rules = SmtpRules.from_settings(settings)
    if smtp_server and (msg := smtp_server_problem(smtp_server, rules)):
        errors["smtp_server"] = msg
    smtp_from = str(data.get("smtp_from") or "").strip().lower()
    if smtp_from and (msg := check_email(smtp_from)):
        errors["smtp_from"] = msg
    clean = {
        "host": host,
        "brand_name": brand,
        "customer_signup": bool(data.get("customer_signup")),
        "carrier_signup": bool(data.get("carrier_signup")),
        "auto_topup": bool(data.get("auto_topup")),
        "template_customer_id": template_id,
        "currencies": currencies,
        "customer_limit": limit,
        "access": _ordered(data.get("access", DEFAULT_ACCESS), SECTIONS, "access", errors),
        "breakout_columns": _ordered(
            data.get("breakout_columns", DEFAULT_BREAKOUT),
            BREAKOUT_COLUMNS,
            "breakout_columns",
            errors,
        ),
        "cdr_columns": _ordered(
            data.get("cdr_columns", DEFAULT_CDR), CDR_COLUMNS, "cdr_columns", errors
        ),
        "custom_js": js,
        "custom_css": css,
        "logo_file_id": logo_id,
        "footer": footer,
        **colours,
        "smtp_server": smtp_server,
        "smtp_username": str(data.get("smtp_username") or "")[:255],
        "smtp_from": smtp_from,
    }
    if errors:
        raise ValidationError(errors)
    return clean


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


def domain_blank() -> PortalDomain:
    """The values a new domain's editor starts with (not stored)."""
    return PortalDomain(
        host="",
        brand_name="",
        currencies=["USD"],
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


def _brand_view(d: PortalDomain, logo_name: str | None) -> BrandView:
    return BrandView(
        host=d.host,
        brand_name=d.brand_name,
        logo_url=f"/public/{logo_name}" if logo_name else "",
        custom_css=d.custom_css,
        palette_css=brand_palette_css(accent_color=d.accent_color, header_color=d.header_color),
        custom_js=d.custom_js,
        footer=d.footer,
        access=tuple(d.access),
        customer_signup=d.customer_signup,
        carrier_signup=d.carrier_signup,
        currencies=tuple(d.currencies),
    )


def brand_views(*, session: Session) -> dict[str, BrandView]:
    """Every verified domain's public view, keyed by host (for brand_for_host)."""
    rows = session.exec(
        select(PortalDomain).where(PortalDomain.status == DomainStatus.VERIFIED.value)
    ).all()
    logos = dict(session.exec(select(PublicFile.id, PublicFile.name)).all()) if rows else {}
    return {d.host: _brand_view(d, logos.get(d.logo_file_id)) for d in rows}


def brand_lookup(*, session: Session, host: str) -> BrandView | None:
    """The public view of the verified brand on ``host``: one lookup on the unique host
    index (page loads never read every brand). Matching as in ``brands.brand_for_host``."""
    key = normalize_host(host)
    if not key:
        return None
    domain = session.exec(
        select(PortalDomain).where(
            PortalDomain.host == key, PortalDomain.status == DomainStatus.VERIFIED.value
        )
    ).first()
    if domain is None:
        return None
    logo = session.get(PublicFile, domain.logo_file_id) if domain.logo_file_id else None
    return _brand_view(domain, logo.name if logo else None)

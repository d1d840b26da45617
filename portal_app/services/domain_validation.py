"""The domain editor's form checked field by field: the host, the brand's Javascript and
CSS, the sections and columns, currencies and Customer Limit, template, logo, colours,
SMTP and alert limits. ``_validate`` returns the values a domain stores."""

from __future__ import annotations

import functools
import re
from typing import Any

from publicsuffixlist import PublicSuffixList
from sqlmodel import Session, select

from portal_app.models import Customer, PortalDomain, PublicFile
from portal_app.settings import Settings

from .alert_limits import alert_limits_clean
from .brand_colours import FIELDS as BRAND_COLOURS
from .brand_colours import colour_check
from .errors import ValidationError
from .hosts import IP_ADDRESS, HostError, host_display, host_name
from .identity import Actor
from .money import active_currencies, parse_minor
from .policy import hidden_kinds
from .portal_sections import (
    BREAKOUT_COLUMNS,
    CDR_COLUMNS,
    DEFAULT_ACCESS,
    DEFAULT_BREAKOUT,
    DEFAULT_CDR,
    SECTIONS,
)
from .smtp_guard import SmtpRules, smtp_server_problem
from .validation import check_email, clean_name

_SCRIPT_SRC = re.compile(
    r"""^\s*<script\s+src=["'](https://[^"'<>\s]+)["']\s*>\s*</script>\s*$""", re.I
)
MAX_CODE = 20_000


@functools.cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


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
        **alert_limits_clean(data, errors),
    }
    if errors:
        raise ValidationError(errors)
    return clean

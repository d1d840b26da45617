"""Email messages from templates, all in one folder: ``portal_app/templates/email``.

Each kind of message is a pair, ``<kind>.txt`` and ``<kind>.html``; the text template
also holds the subject in a ``subject`` block. Both extend a base that carries the
brand's name, logo and footer. HTML is autoescaped (a company name like ``<b>`` shows as
typed); plain text is not escaped, since it is never interpreted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import jinja2
from sqlmodel import Session

from portal_app.models import AccountConfig, PortalDomain, PublicFile
from portal_app.settings import get_settings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
KINDS = (
    "password_welcome",
    "password_reset",
    "signup_confirm",
    "signup_existing",
    "signup_approved",
    "signup_rejected",
    "low_balance",
    "login_alert",
    "payment_receipt",
    "login_failures",
    "auto_topup_paid",
    "auto_topup_failed",
    "auto_topup_off",
    "contact_invite",
)
ACCOUNT_BRAND = "Carrier Portal"  # the account's own mail when the company has no name


@dataclass(frozen=True)
class Email:
    """One rendered message, for ``outbox_enqueue``. No SMTP settings: the sender
    chooses the brand's SMTP, or the account's, when it sends."""

    to: str
    subject: str
    text: str
    html: str
    kind: str
    domain_id: int | None  # None: the account's own mail (login alerts)
    brand: str


@functools.cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,  # a missing value is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def duration_words(span: timedelta) -> str:
    """ "3 days", "24 hours", "1 hour": how long a link lasts, for people."""
    hours = int(span.total_seconds() // 3600)
    if hours >= 48 and hours % 24 == 0:
        return f"{hours // 24} days"
    return f"{hours} hour{'s' if hours != 1 else ''}"


def portal_url(host: str, path: str) -> str:
    """An absolute link to a brand host, as emailed (PORTAL_PUBLIC_SCHEME and _PORT)."""
    settings = get_settings()
    port = f":{settings.public_port}" if settings.public_port else ""
    return f"{settings.public_scheme}://{host}{port}{path}"


def brand_context(*, session: Session, domain: PortalDomain | None) -> dict[str, Any]:
    """What every template knows of the brand: name, logo URL, footer, login page."""
    from portal_app.api.files import public_file_url
    from portal_app.routes import PORTAL_LOGIN

    if domain is None:
        account = session.get(AccountConfig, 1)
        name = (account.company_name if account else "") or ACCOUNT_BRAND
        return {"name": name, "logo_url": "", "footer": "", "login_url": ""}
    logo = session.get(PublicFile, domain.logo_file_id) if domain.logo_file_id else None
    return {
        "name": domain.brand_name,
        "logo_url": portal_url(domain.host, public_file_url(logo.name)) if logo else "",
        "footer": domain.footer,
        "login_url": portal_url(domain.host, PORTAL_LOGIN),
    }


def email_compose(
    *, session: Session, kind: str, to: str, domain: PortalDomain | None, **values: Any
) -> Email:
    """Render the message ``kind`` for ``to`` under ``domain``'s brand (None: the account)."""
    if kind not in KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    brand = brand_context(session=session, domain=domain)
    context = {"brand": brand, **values}
    text = _env().get_template(f"{kind}.txt")
    subject = "".join(text.blocks["subject"](text.new_context(context)))
    return Email(
        to=to,
        subject=" ".join(subject.split())[:300],  # one line: a header cannot break
        text=text.render(context),
        html=_env().get_template(f"{kind}.html").render(context),
        kind=kind,
        domain_id=domain.id if domain else None,
        brand=brand["name"],
    )

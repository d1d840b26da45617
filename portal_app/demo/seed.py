"""Writes the demo data of a first run: operator users, two brands, customers, contacts,
ledgers, pending sign-ups. Only the CLI (``portal demo``, ``make run``) calls it."""

from __future__ import annotations

from sqlmodel import Session, select

from portal_app.models import Area, Grant, OperatorUser, Role
from portal_app.services.account import account_config_update
from portal_app.services.groups import group_create
from portal_app.services.identity import SYSTEM
from portal_app.services.users import user_create

from .data import (
    DEMO_BRANDS,
    DEMO_CARRIER_ACCESS,
    DEMO_CONTACTS,
    DEMO_CUSTOMERS,
    DEMO_LEDGER,
    DEMO_LOGINS,
    DEMO_OVERRIDE,
)


def _logo_png(colour: tuple[int, int, int], letter: str) -> bytes:
    """A small square logo: the brand's colour with its initial."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 96), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((14, 14, 82, 82), outline=(255, 255, 255), width=6)
    draw.text((40, 34), letter, fill=(255, 255, 255), font_size=28)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def demo_brands(*, session: Session) -> None:
    """Two brands on .localhost hosts, which browsers resolve to this machine."""
    from portal_app.models import DomainStatus
    from portal_app.models.base import utcnow
    from portal_app.services.domains import domain_create
    from portal_app.services.files import file_upload
    from portal_app.settings import get_settings

    for host, brand, colour, header, css, footer in DEMO_BRANDS:
        logo = file_upload(
            session=session,
            actor=SYSTEM,
            filename=f"{host.split('.')[0]}.png",
            data=_logo_png(colour, brand[0]),
        )
        domain = domain_create(
            session=session,
            actor=SYSTEM,
            settings=get_settings(),
            data={
                "host": host,
                "brand_name": brand,
                "currencies": ["USD", "EUR"],
                "customer_limit": "5.00",
                "customer_signup": True,
                "carrier_signup": host == "acme.localhost",
                "custom_css": css,
                "accent_color": "#{:02x}{:02x}{:02x}".format(*colour),
                "header_color": header,
                "footer": footer,
                "logo_file_id": logo.id,
                "custom_js": f"console.info('Demo brand script for {brand}');",
                # Editable Balance Alert: customers keep their alerts from $5 to $1,000.
                "alert_editable": True,
                "alert_min": "5",
                "alert_max": "1000",
            },
        )
        domain.status = DomainStatus.VERIFIED.value
        domain.status_detail = (
            "A .localhost name always reaches this machine (RFC 6761): "
            "verified for local development."
        )
        domain.verified_at = domain.last_checked_at = utcnow()
        session.add(domain)


def demo_customers(*, session: Session) -> None:
    """A few customers and carriers on the demo brands; Acme's first is its template."""
    from portal_app.models import Customer, PortalDomain

    domains = {d.host: d for d in session.exec(select(PortalDomain)).all()}
    for name, kind, host, currency, limit in DEMO_CUSTOMERS:
        customer = Customer(
            name=name,
            kind=kind,
            currency=currency,
            credit_limit=limit,
            company_name=name,
            domain_id=domains[host].id,
        )
        session.add(customer)
        session.flush()
        if name == "Acme Sign-up Template":
            domains[host].template_customer_id = customer.id
            session.add(domains[host])


def demo_portal(*, session: Session) -> None:
    """Contacts with known passwords, notes, a ledger history and one access override."""
    from datetime import timedelta

    from portal_app.models import Customer
    from portal_app.models.base import utcnow
    from portal_app.services.contacts import contact_create
    from portal_app.services.ledger import ledger_add

    by_name = {c.name: c for c in session.exec(select(Customer)).all()}
    for customer, name, email, password, public, private in DEMO_CONTACTS:
        contact_create(
            session=session,
            actor=SYSTEM,
            customer_id=by_name[customer].id,
            data={
                "name": name,
                "email": email,
                "password": password,
                "public_notes": public,
                "private_notes": private,
            },
        )
    for name, access in (DEMO_OVERRIDE, DEMO_CARRIER_ACCESS):
        by_name[name].portal_access = access
        session.add(by_name[name])
    for customer, kind, amount, reference, days in DEMO_LEDGER:
        entry = ledger_add(
            session=session,
            actor=SYSTEM,
            customer_id=by_name[customer].id,
            kind=kind,
            amount=amount,
            reference=reference,
        )
        entry.created_at = utcnow() - timedelta(days=days)  # a believable history
        session.add(entry)


def demo_load(*, session: Session) -> bool:
    """Load demo data once. Returns False when the database already has users."""
    if session.exec(select(OperatorUser.id)).first() is not None:
        return False
    account_config_update(
        session=session,
        actor=SYSTEM,
        data={
            "company_name": "Demo Telecom Ltd",
            "address_line1": "1 Exchange Street",
            "city": "London",
            "country": "GB",
            "post_code": "EC1A 1AA",
            "currency": "GBP",
            "date_format": "DD/MM/YYYY",
            "phone": "+44 20 7946 0000",
        },
    )
    grants = {a.value: Grant.SELECT.value for a in Area}
    grants.update(
        {
            Area.CUSTOMER.value: Grant.ALLOW.value,
            Area.CDR.value: Grant.ALLOW.value,
            Area.REPORT.value: Grant.ALLOW.value,
            Area.USER.value: Grant.DENY.value,
        }
    )
    support = group_create(
        session=session, actor=SYSTEM, data={"name": "Support", "grants": grants}
    )
    (admin_email, admin_pw, _), (support_email, support_pw, _) = DEMO_LOGINS
    user_create(
        session=session,
        actor=SYSTEM,
        data={
            "name": "Ada Admin",
            "email": admin_email,
            "password": admin_pw,
            "role": Role.ADMIN.value,
            "enabled": True,
        },
    )
    user_create(
        session=session,
        actor=SYSTEM,
        data={
            "name": "Sam Support",
            "email": support_email,
            "password": support_pw,
            "role": Role.USER.value,
            "group_id": support.id,
            "enabled": True,
        },
    )
    session.flush()
    demo_brands(session=session)
    demo_customers(session=session)
    demo_portal(session=session)
    from .calls import demo_rate_cards

    demo_rate_cards(session=session)
    demo_signups(session=session)
    return True


def demo_signups(*, session: Session) -> None:
    """Acme's template also carries a package, a contract and an alert, and one
    confirmed sign-up waits for approval, so the queue and its badge have something."""
    from portal_app.models import Contact, Customer, PortalDomain
    from portal_app.services.alerts import alert_add
    from portal_app.services.contracts import contract_add
    from portal_app.services.crypto import hash_password
    from portal_app.services.customer_packages import package_set
    from portal_app.services.packages import PackageForm, package_create

    template = session.exec(select(Customer).where(Customer.name == "Acme Sign-up Template")).one()
    package = package_create(
        session=session,
        actor=SYSTEM,
        form=PackageForm(name="Starter 1000", currency="USD", fee="19.00", minutes="1000"),
    )
    session.flush()
    package_set(
        session=session, actor=SYSTEM, customer_id=template.id, package_id=package.id, on=True
    )
    contract_add(
        session=session,
        actor=SYSTEM,
        customer_id=template.id,
        name="Standard terms",
        months="12",
        notes="Net 30",
    )
    alert_add(
        session=session,
        actor=SYSTEM,
        customer_id=template.id,
        threshold="2.00",
        recipients="billing@example.com",
    )
    acme = session.exec(select(PortalDomain).where(PortalDomain.host == "acme.localhost")).one()
    waiting = Customer(
        name="Nimbus Voice",
        company_name="Nimbus Voice",
        status="pending",
        currency="USD",
        credit_limit=acme.customer_limit,
        country="IE",
        phone="+35315550100",
        domain_id=acme.id,
    )
    session.add(waiting)
    session.flush()
    session.add(
        Contact(
            customer_id=waiting.id,
            name="Nora Nimbus",
            email="nora@nimbus.example",
            password_hash=hash_password("nimbus-pass-1"),
        )
    )

"""Portal domains: validation of every field, audit rows, secrets, brand views."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.models import AuditEvent, Customer, DomainStatus, PortalDomain, PublicFile
from portal_app.services import domains as svc
from portal_app.services.brands import BrandView, brand_for_host
from portal_app.services.crypto import decrypt_secret
from portal_app.services.domain_brands import brand_lookup, brand_views
from portal_app.services.domain_validation import script_src
from portal_app.services.errors import Conflict, PermissionDenied, ValidationError
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.portal_sections import DEFAULT_CDR
from portal_app.settings import Settings

SETTINGS = Settings(
    control_hosts=("panel.carrier.test", "localhost"),
    cname_target="portal.carrier.test",
    secret_key="k" * 40,
)


def _data(**over):
    base = {
        "host": "portal.acme.com",
        "brand_name": "Acme",
        "currencies": ["USD", "EUR"],
        "customer_limit": "5.00",
    }
    return base | over


def _create(db, **over) -> PortalDomain:
    domain = svc.domain_create(session=db, actor=SYSTEM, data=_data(**over), settings=SETTINGS)
    db.commit()
    return domain


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("", "Enter the domain"),
        ("203.0.113.9", "not an IP address"),
        ("[2001:db8::1]", "not an IP address"),
        ("acme.com", "top-level domain"),
        ("acme.co.uk", "top-level domain"),
        ("com", "not a valid domain"),
        ("-bad-.acme.com", "not a valid domain"),
        ("under_score.acme.com", "not a valid domain"),
        ("a" * 64 + ".acme.com", "not a valid domain"),
        ("https://portal.acme.com/login", "without https:// or a path"),
        ("portal.acme.com:443", "not a valid domain"),
        ("portal.acme.com/evil", "not a valid domain"),
        ("xn--zz.acme.com", "not a valid domain"),
        ("portal\u202e.acme.com", "not a valid domain"),
        ("10.0.0.300", "not an IP address"),
        ("panel.carrier.test", "serves the control panel"),
        ("portal.carrier.test", "CNAME target itself"),
    ],
)
def test_hosts_that_cannot_be_portal_domains(db, host, message):
    with pytest.raises(ValidationError) as exc:
        svc.domain_create(session=db, actor=SYSTEM, data=_data(host=host), settings=SETTINGS)
    assert message in exc.value.fields["host"]
    assert db.exec(select(PortalDomain)).first() is None


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Portal.Acme.COM", "portal.acme.com"),
        ("portal.acme.com.", "portal.acme.com"),
        ("portal.acme.co.uk", "portal.acme.co.uk"),
        ("Portal.Bücher.example", "portal.xn--bcher-kva.example"),
        ("portal.xn--bcher-kva.example", "portal.xn--bcher-kva.example"),
        ("acme.localhost", "acme.localhost"),
    ],
)
def test_hosts_are_normalised(db, raw, stored):
    assert _create(db, host=raw).host == stored


def test_each_bad_field_gets_its_own_message_and_nothing_is_saved(db):
    bad = _data(
        brand_name="",
        currencies=["USD", "XYZ"],
        customer_limit="-1",
        template_customer_id="7",
        logo_file_id="99",
        custom_js="<b>hi</b>",
        custom_css="</style><script>",
        footer="x" * 501,
        smtp_server="smtp host",
        smtp_from="nobody",
        access=["balance", "nope"],
        cdr_columns=["cli", "cli"],
    )
    with pytest.raises(ValidationError) as exc:
        svc.domain_create(session=db, actor=SYSTEM, data=bad, settings=SETTINGS)
    assert set(exc.value.fields) == {
        "brand_name",
        "currencies",
        "customer_limit",
        "template_customer_id",
        "logo_file_id",
        "custom_js",
        "custom_css",
        "footer",
        "smtp_server",
        "smtp_from",
        "access",
        "cdr_columns",
    }
    assert "XYZ" in exc.value.fields["currencies"]
    assert db.exec(select(PortalDomain)).first() is None
    assert db.exec(select(AuditEvent)).first() is None


def test_duplicate_domain_refused(db):
    _create(db)
    with pytest.raises(ValidationError) as exc:
        svc.domain_create(
            session=db, actor=SYSTEM, data=_data(host="PORTAL.acme.com"), settings=SETTINGS
        )
    assert exc.value.fields["host"] == "This domain is already set up."


def test_javascript_is_raw_or_one_https_script_reference(db):
    ok = _create(db, custom_js='<script src="https://cdn.acme.com/x.js"></script>')
    assert script_src(ok.custom_js) == "https://cdn.acme.com/x.js"
    raw = _create(db, host="p2.acme.com", custom_js="alert('Hello World');")
    assert script_src(raw.custom_js) is None
    with pytest.raises(ValidationError):
        _create(
            db, host="p3.acme.com", custom_js='<script src="http://cdn.acme.com/x.js"></script>'
        )


def test_create_stores_choices_in_order_and_money_in_minor_units(db):
    domain = _create(
        db,
        access=["cdr", "balance"],
        breakout_columns=["cost", "destination"],
        currencies=["eur", "USD", "EUR"],
    )
    assert domain.access == ["cdr", "balance"]
    assert domain.breakout_columns == ["cost", "destination"]
    assert domain.currencies == ["EUR", "USD"]
    assert domain.customer_limit == 500
    assert domain.status == DomainStatus.PENDING.value
    assert domain.cdr_columns == DEFAULT_CDR


def test_smtp_password_is_encrypted_never_audited_and_kept_when_blank(db):
    domain = _create(db, smtp_server="smtp.acme.com:587", smtp_password="s3cret-pass")
    assert "s3cret" not in (domain.smtp_password_enc or "")
    assert decrypt_secret(domain.smtp_password_enc) == "s3cret-pass"
    svc.domain_update(
        session=db,
        actor=SYSTEM,
        domain_id=domain.id,
        data=_data(brand_name="Acme 2", smtp_password=""),
        settings=SETTINGS,
    )
    db.commit()
    assert decrypt_secret(domain.smtp_password_enc) == "s3cret-pass"
    svc.domain_update(
        session=db,
        actor=SYSTEM,
        domain_id=domain.id,
        data=_data(smtp_password_clear=True),
        settings=SETTINGS,
    )
    db.commit()
    assert domain.smtp_password_enc is None
    audits = db.exec(
        select(AuditEvent).where(AuditEvent.entity == "portal_domain").order_by(AuditEvent.id)
    ).all()
    assert [a.action for a in audits] == ["domain.create", "domain.update", "domain.update"]
    assert "s3cret" not in str([(a.before, a.after) for a in audits])
    assert audits[1].before["brand_name"] == "Acme" and audits[1].after["brand_name"] == "Acme 2"


def test_changing_the_host_starts_verification_again(db):
    domain = _create(db)
    domain.status = DomainStatus.VERIFIED.value
    db.add(domain)
    db.commit()
    svc.domain_update(
        session=db,
        actor=SYSTEM,
        domain_id=domain.id,
        data=_data(brand_name="Renamed"),
        settings=SETTINGS,
    )
    assert domain.status == DomainStatus.VERIFIED.value
    svc.domain_update(
        session=db,
        actor=SYSTEM,
        domain_id=domain.id,
        data=_data(host="new.acme.com"),
        settings=SETTINGS,
    )
    assert domain.status == DomainStatus.PENDING.value


def test_a_user_without_the_portal_area_is_refused(db):
    clerk = Actor(kind="operator", id=99, label="c@example.com", grants={"portal": "deny"})
    with pytest.raises(PermissionDenied):
        svc.domain_create(session=db, actor=clerk, data=_data(), settings=SETTINGS)
    with pytest.raises(PermissionDenied):
        svc.domain_list(session=db, actor=clerk)


def test_brand_views_only_for_verified_domains_with_logo_url(db):
    logo = PublicFile(
        name="acme.png",
        content_type="image/png",
        size=3,
        width=10,
        height=10,
        sha256="0" * 64,
        data=b"png",
    )
    db.add(logo)
    db.commit()
    verified = _create(db, logo_file_id=str(logo.id), footer="Copyright Acme")
    _create(db, host="pending.acme.com")
    verified.status = DomainStatus.VERIFIED.value
    db.add(verified)
    db.commit()
    views = brand_views(session=db)
    assert list(views) == ["portal.acme.com"]
    assert views["portal.acme.com"].logo_url == "/public/acme.png"
    assert views["portal.acme.com"].footer == "Copyright Acme"
    assert brand_lookup(session=db, host="Portal.Acme.com:3000") == views["portal.acme.com"]
    assert brand_lookup(session=db, host="pending.acme.com") is None


BRANDS = {"portal.acme.com": BrandView("portal.acme.com", "Acme", "", "", "", "", ())}


@pytest.mark.parametrize(
    ("host", "found"),
    [
        ("portal.acme.com", True),
        ("PORTAL.ACME.COM", True),
        ("portal.acme.com:3000", True),
        ("portal.acme.com.", True),
        ("portal.acme.com.:443", True),
        ("www.portal.acme.com", False),
        ("portal.acme.com.evil.test", False),
        ("evilportal.acme.com", False),
        ("acme.com", False),
        ("", False),
        ("portal.acme.com/../x", True),
        ("user@portal.acme.com", True),
        ("portal .acme.com", False),
    ],
)
def test_host_to_brand(host, found):
    assert (brand_for_host(host, BRANDS) is not None) is found


@pytest.mark.parametrize(
    "host",
    ["portal.acme.com", "PORTAL.ACME.COM:3000", "portal.acme.com.", "www.portal.acme.com"]
    + ["portal.acme.com.evil.test", "evilportal.acme.com", "acme.com", "", "portal .acme.com"],
)
def test_the_indexed_lookup_matches_the_pure_rule(db, host):
    verified = _create(db)
    verified.status = DomainStatus.VERIFIED.value
    db.add(verified)
    db.commit()
    expected = brand_for_host(host, brand_views(session=db))
    assert brand_lookup(session=db, host=host) == expected


def _customers(db, domain: PortalDomain, count: int) -> list[Customer]:
    rows = [Customer(name=f"Customer {n}", domain_id=domain.id) for n in range(count)]
    db.add_all(rows)
    db.commit()
    return rows


def test_deleting_a_domain_with_customers_needs_a_decision(db):
    acme = _create(db)
    other = _create(db, host="portal.other.com")
    members = _customers(db, acme, 2)
    with pytest.raises(Conflict, match="2 customer"):
        svc.domain_delete(session=db, actor=SYSTEM, domain_id=acme.id)
    with pytest.raises(Conflict, match="another existing domain"):
        svc.domain_delete(session=db, actor=SYSTEM, domain_id=acme.id, customers_to=str(acme.id))
    db.rollback()
    assert db.get(PortalDomain, acme.id) is not None

    moved = svc.domain_delete(
        session=db, actor=SYSTEM, domain_id=acme.id, customers_to=str(other.id)
    )
    db.commit()
    assert moved == 2
    assert {db.get(Customer, c.id).domain_id for c in members} == {other.id}
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "domain.delete")).one()
    assert audit.before["customers"] == 2 and audit.before["customers_to"] == other.id

    svc.domain_delete(session=db, actor=SYSTEM, domain_id=other.id, customers_to="detach")
    db.commit()
    assert {db.get(Customer, c.id).domain_id for c in members} == {None}


def test_template_customer_must_exist(db):
    with pytest.raises(ValidationError) as exc:
        _create(db, template_customer_id="12345")
    assert exc.value.fields == {"template_customer_id": "Choose one of your customers."}
    template = Customer(name="Template")
    db.add(template)
    db.commit()
    assert _create(db, template_customer_id=str(template.id)).template_customer_id == template.id


PORTAL_USER = Actor(kind="operator", id=5, label="web@example.com", grants={"portal": "allow"})


def test_only_administrators_change_the_javascript_and_css(db):
    domain = _create(db, custom_js="alert(1);", custom_css="h1 { color: red; }")
    # A Portal-area operator edits the rest; code fields left out or unchanged stay.
    svc.domain_update(
        session=db,
        actor=PORTAL_USER,
        domain_id=domain.id,
        data=_data(brand_name="Acme 2"),
        settings=SETTINGS,
    )
    db.commit()
    assert (domain.brand_name, domain.custom_js) == ("Acme 2", "alert(1);")
    for change in ({"custom_js": "steal();"}, {"custom_css": ""}):
        with pytest.raises(ValidationError) as exc:
            svc.domain_update(
                session=db,
                actor=PORTAL_USER,
                domain_id=domain.id,
                data=_data(custom_js="alert(1);", custom_css="h1 { color: red; }") | change,
                settings=SETTINGS,
            )
        assert exc.value.fields == {next(iter(change)): svc.CODE_ADMIN_ONLY}
        db.rollback()
    with pytest.raises(ValidationError) as exc:
        svc.domain_create(
            session=db,
            actor=PORTAL_USER,
            data=_data(host="p9.acme.com", custom_js="x();"),
            settings=SETTINGS,
        )
    assert set(exc.value.fields) == {"custom_js"}
    db.rollback()
    assert db.get(PortalDomain, domain.id).custom_js == "alert(1);"


def test_the_audit_shows_code_changes_short_in_full_long_as_a_digest(db):
    import hashlib

    domain = _create(db, custom_js="alert(1);")
    long_css = "h1 { color: red; }\n" * 40
    svc.domain_update(
        session=db,
        actor=SYSTEM,
        domain_id=domain.id,
        data=_data(custom_js="alert(2);", custom_css=long_css),
        settings=SETTINGS,
    )
    db.commit()
    row = db.exec(select(AuditEvent).where(AuditEvent.action == "domain.update")).one()
    assert (row.before["custom_js"], row.after["custom_js"]) == ("alert(1);", "alert(2);")
    digest = hashlib.sha256(long_css.encode()).hexdigest()
    assert row.before["custom_css"] == ""
    assert row.after["custom_css"] == f"sha256:{digest} ({len(long_css):,} characters)"


def test_a_carrier_template_needs_the_carrier_permission(db):
    carrier = Customer(name="Transit Zeta", kind="carrier", currency="USD")
    shop = Customer(name="Shop Retail", currency="USD")
    db.add_all([carrier, shop])
    db.commit()
    portal_only = Actor(kind="operator", id=4, label="p@example.com", grants={"portal": "allow"})
    with pytest.raises(ValidationError) as exc:
        svc.domain_create(
            session=db,
            actor=portal_only,
            data=_data(template_customer_id=str(carrier.id)),
            settings=SETTINGS,
        )
    assert exc.value.fields == {"template_customer_id": "Choose one of your customers."}
    assert db.exec(select(PortalDomain)).first() is None
    domain = svc.domain_create(  # positive control: a customer is fine
        session=db,
        actor=portal_only,
        data=_data(template_customer_id=str(shop.id)),
        settings=SETTINGS,
    )
    assert domain.template_customer_id == shop.id


def test_the_automatic_top_up_switch_is_saved_and_audited(db):
    domain = _create(db)
    assert domain.auto_topup is False  # off unless an operator turns it on
    svc.domain_update(
        session=db,
        actor=SYSTEM,
        domain_id=domain.id,
        data=_data(auto_topup=True),
        settings=SETTINGS,
    )
    db.commit()
    assert db.get(PortalDomain, domain.id).auto_topup is True
    (row,) = db.exec(select(AuditEvent).where(AuditEvent.action == "domain.update")).all()
    assert (row.before["auto_topup"], row.after["auto_topup"]) == (False, True)

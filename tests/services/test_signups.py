"""Self sign-up on SQLite and PostgreSQL: the form's checks, bots and throttling, no
account enumeration, confirmation, approval with the template (once, even when two
operators approve at the same moment) and rejection."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from portal_app.models import (
    Contact,
    Customer,
    CustomerRateCard,
    LedgerEntry,
    OutboxMessage,
    PortalDomain,
    RateCard,
    Signup,
)
from portal_app.services import signups as su
from portal_app.services.crypto import decrypt_secret
from portal_app.services.errors import AuthFailed, PermissionDenied, Throttled, ValidationError
from portal_app.services.identity import SYSTEM, Actor
from portal_app.services.ledger import balance, ledger_add
from portal_app.services.limiter import rate
from portal_app.services.signup_decisions import (
    pending_count,
    signup_approve,
    signup_decide,
    signup_reject,
)
from portal_app.services.signup_templates import template_preview

FORM = {
    "kind": "customer",
    "company_name": "Newco Telecom",
    "contact_name": "Nina New",
    "email": "nina@newco.example",
    "password": "newco-password-1",
    "phone": "+44 20 7946 0999",
    "country": "GB",
    "currency": "USD",
    "terms": "on",
}
APPROVER = Actor(kind="operator", id=3, label="ops@example.com", grants={"customer": "allow"})


@pytest.fixture()
def brand(db) -> PortalDomain:
    template = Customer(
        name="Template", currency="USD", credit_limit=2_500, portal_access={"cdr": "hide"}
    )
    db.add(template)
    db.flush()
    card = RateCard(name="Retail USD", currency="USD")
    eur = RateCard(name="Retail EUR", currency="EUR")
    db.add_all([card, eur])
    db.flush()
    db.add_all(
        [
            CustomerRateCard(customer_id=template.id, card_id=card.id),
            CustomerRateCard(customer_id=template.id, card_id=eur.id),
        ]
    )
    ledger_add(
        session=db,
        actor=SYSTEM,
        customer_id=template.id,
        kind="credit",
        amount="5.00",
        reference="Welcome credit",
    )
    domain = PortalDomain(
        host="acme.example.test",
        brand_name="Acme",
        status="verified",
        customer_signup=True,
        carrier_signup=False,
        currencies=["USD", "EUR"],
        customer_limit=1_000,
        template_customer_id=template.id,
    )
    db.add(domain)
    db.commit()
    return domain


def mails(db: Session) -> list[OutboxMessage]:
    db.expire_all()
    return list(db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def start(db: Session, domain: PortalDomain, client: str = "10.0.0.1", **changes):
    started = su.signup_start(session=db, domain=domain, data=FORM | changes, client=client)
    db.commit()
    return started


def test_the_form_is_checked_field_by_field_and_kinds_follow_the_domain(db, brand):
    with pytest.raises(ValidationError) as info:
        su.signup_start(
            session=db,
            domain=brand,
            data=FORM
            | {"phone": "0207", "country": "XX", "currency": "JPY", "terms": None, "email": "x"},
        )
    assert set(info.value.fields) == {"phone", "country", "currency", "terms", "email"}
    with pytest.raises(PermissionDenied):
        su.signup_start(session=db, domain=brand, data=FORM | {"kind": "carrier"})
    db.rollback()
    assert db.exec(select(Signup)).all() == []


def test_bots_and_floods_are_kept_out(db, brand):
    assert start(db, brand, website="http://spam.example") is None
    for n in range(rate("signup_client").amount):
        assert start(db, brand, email=f"n{n}@newco.example").token
    with pytest.raises(Throttled):
        start(db, brand, email="late@newco.example")
    db.rollback()
    assert start(db, brand, client="10.0.0.2", email="other@newco.example").token


def test_the_brands_cap_counts_confirmed_sign_ups_only(db, brand):
    from portal_app.services.limiter import limit_count, limit_hit, limit_reset

    # Unconfirmed sign-ups from many clients use up nothing of the brand's allowance.
    started = [
        start(db, brand, client=f"10.1.0.{n}", email=f"s{n}@newco.example") for n in range(3)
    ]
    assert limit_count(session=db, name="signup_domain", key=str(brand.id)) == 0
    for _ in range(rate("signup_domain").amount - 1):
        limit_hit(session=db, name="signup_domain", key=str(brand.id))
    assert su.signup_confirm(session=db, token=started[0].token).status == "pending"
    db.commit()
    with pytest.raises(Throttled, match="Your link still works"):
        su.signup_confirm(session=db, token=started[1].token)
    db.rollback()
    assert db.exec(select(Signup).where(Signup.confirmed_at.is_(None))).all()
    limit_reset(session=db, name="signup_domain", key=str(brand.id))  # the hour is over
    db.commit()
    assert su.signup_confirm(session=db, token=started[1].token).status == "pending"


def test_confirmation_creates_a_pending_customer_once(db, brand):
    started = start(db, brand)
    assert db.exec(select(Customer).where(Customer.name == "Newco Telecom")).first() is None
    customer = su.signup_confirm(session=db, token=started.token)
    db.commit()
    assert (customer.status, customer.kind, customer.domain_id) == ("pending", "customer", brand.id)
    assert customer.credit_limit == 1_000 and customer.phone == "+442079460999"
    contact = db.exec(select(Contact).where(Contact.customer_id == customer.id)).one()
    assert contact.email == "nina@newco.example" and contact.password_hash
    with pytest.raises(AuthFailed):
        su.signup_confirm(session=db, token=started.token)
    # The same email again: no second account, and the answer looks the same.
    again = start(db, brand, client="10.0.0.9")
    assert again.email == "nina@newco.example" and again.token is None
    assert pending_count(session=db) == (1, customer.id)
    # Each start queued its email in its own transaction: the link, then the note.
    first, second = mails(db)
    assert (first.kind, first.subject) == ("signup_confirm", "Confirm your Acme sign-up")
    assert f"/portal/signup/confirm?token={started.token}" in decrypt_secret(first.text_enc)
    assert "Nina New" in decrypt_secret(first.text_enc)
    assert (second.kind, second.recipient) == ("signup_existing", "nina@newco.example")
    assert "http://acme.example.test:3000/portal/forgot" in decrypt_secret(second.text_enc)


def test_approval_applies_the_template_once_even_when_two_approve_at_once(db, engine, brand):
    customer = su.signup_confirm(session=db, token=start(db, brand).token)
    db.commit()
    barrier = threading.Barrier(2)
    results = []

    def approve():
        with Session(engine) as session:
            barrier.wait()
            results.append(signup_approve(session=session, actor=APPROVER, customer_id=customer.id))
            session.commit()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r is None for r in results) == [False, True]
    db.expire_all()
    approved = db.get(Customer, customer.id)
    assert approved.status == "active" and approved.decided_by == "ops@example.com"
    assert approved.credit_limit == 2_500 and approved.portal_access == {"cdr": "hide"}
    entries = db.exec(select(LedgerEntry).where(LedgerEntry.customer_id == customer.id)).all()
    assert [(e.amount, e.kind, e.reference) for e in entries] == [(500, "credit", "Welcome credit")]
    assert balance(session=db, actor=SYSTEM, customer_id=customer.id) == 500
    cards = db.exec(
        select(CustomerRateCard.card_id).where(CustomerRateCard.customer_id == customer.id)
    ).all()
    assert len(cards) == 1  # the USD card only: the EUR one is not in its currency
    # Approving again later changes nothing; the applicant was told once.
    assert signup_approve(session=db, actor=APPROVER, customer_id=customer.id) is None
    approved_mail = [m for m in mails(db) if m.kind == "signup_approved"]
    assert [m.subject for m in approved_mail] == ["Your Acme account is approved"]
    assert "http://acme.example.test:3000/portal/login" in decrypt_secret(approved_mail[0].text_enc)


def test_rejection_needs_a_reason_and_the_right_permission(db, brand):
    customer = su.signup_confirm(session=db, token=start(db, brand).token)
    db.commit()
    carriers_only = Actor(kind="operator", id=4, label="c@example.com", grants={"carrier": "allow"})
    with pytest.raises(PermissionDenied):
        signup_reject(session=db, actor=carriers_only, customer_id=customer.id, reason="No")
    with pytest.raises(ValidationError):
        signup_reject(session=db, actor=APPROVER, customer_id=customer.id, reason=" ")
    rejected = signup_decide(
        session=db, actor=APPROVER, customer_id=customer.id, approve=False, reason="Unknown company"
    )
    db.commit()
    told = mails(db)[-1]
    assert (told.kind, told.recipient) == ("signup_rejected", "nina@newco.example")
    assert "We could not approve Newco Telecom: Unknown company" in decrypt_secret(told.text_enc)
    assert rejected.status == "rejected" and rejected.reject_reason == "Unknown company"
    assert signup_approve(session=db, actor=APPROVER, customer_id=customer.id) is None
    assert db.exec(select(LedgerEntry).where(LedgerEntry.customer_id == customer.id)).all() == []


def test_the_template_preview_lists_what_will_be_copied(db, brand):
    preview = template_preview(
        session=db, actor=SYSTEM, template_customer_id=brand.template_customer_id
    )
    assert preview.template == "Template"
    assert preview.fields["Credit limit"] == "$25.00"
    assert sorted(preview.routes) == ["Retail EUR", "Retail USD"]
    assert preview.payments == ["$5.00 credit Welcome credit"]


def test_alerts_packages_and_contracts_are_edited_and_copied_by_the_template(db, brand):
    from portal_app.models import Contract, CustomerAlert, CustomerPackage
    from portal_app.services import alerts, contracts, customer_packages, packages

    template = db.get(Customer, brand.template_customer_id)
    with pytest.raises(ValidationError) as info:
        alerts.alert_add(
            session=db, actor=APPROVER, customer_id=template.id, threshold="abc", recipients="x"
        )
    assert set(info.value.fields) == {"alert_threshold", "alert_recipients"}
    alerts.alert_add(
        session=db,
        actor=APPROVER,
        customer_id=template.id,
        threshold="10",
        recipients="a@x.example; b@x.example",
    )
    cards = Actor(kind="operator", id=5, label="cards@example.com", grants={"card": "allow"})
    usd = packages.package_create(
        session=db, actor=cards, form=packages.PackageForm("Starter", "USD", "19.00", "1000")
    )
    eur = packages.package_create(
        session=db, actor=cards, form=packages.PackageForm("Euro", "EUR", "9", "0")
    )
    customer_packages.package_set(
        session=db, actor=APPROVER, customer_id=template.id, package_id=usd.id, on=True
    )
    with pytest.raises(ValidationError):
        customer_packages.package_set(
            session=db, actor=APPROVER, customer_id=template.id, package_id=eur.id, on=True
        )
    with pytest.raises(ValidationError):
        contracts.contract_add(
            session=db, actor=APPROVER, customer_id=template.id, name="MSA", months="0", notes=""
        )
    contracts.contract_add(
        session=db, actor=APPROVER, customer_id=template.id, name="MSA", months="24", notes="Net 30"
    )
    db.commit()
    shown = alerts.alert_list(session=db, actor=APPROVER, customer_id=template.id)
    assert [a.recipients for a in shown] == ["a@x.example, b@x.example"]
    choices = customer_packages.package_choices(session=db, actor=APPROVER, customer_id=template.id)
    assert [(p.name, on) for p, on in choices] == [("Starter", True)]  # EUR not offered
    customer = su.signup_confirm(session=db, token=start(db, brand).token)
    db.commit()
    signup_approve(session=db, actor=APPROVER, customer_id=customer.id)
    db.commit()
    assert db.exec(
        select(CustomerAlert.threshold).where(CustomerAlert.customer_id == customer.id)
    ).all() == [1000]
    assert db.exec(
        select(CustomerPackage.package_id).where(CustomerPackage.customer_id == customer.id)
    ).all() == [usd.id]
    assert db.exec(select(Contract.name).where(Contract.customer_id == customer.id)).all() == [
        "MSA"
    ]
    preview = template_preview(
        session=db, actor=SYSTEM, template_customer_id=brand.template_customer_id
    )
    assert (
        preview.packages == ["Starter"]
        and preview.contracts == ["MSA"]
        and len(preview.alerts) == 1
    )

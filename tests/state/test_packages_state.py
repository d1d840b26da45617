"""The packages screens through their handlers, as the browser calls them: the
operator's catalogue (add, edit with messages next to the fields, delete that names who
loses the package), the usage on the customer, and the portal's Packages section with
the number lookup (one number, a CSV back as a download), refused without the section
or the service."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import reflex as rx
from sqlmodel import select

from portal_app.models import CustomerPackage, Grant, LookupUsage, Package, PortalDomain
from portal_app.services import customer_packages as cp
from portal_app.services import dates, package_billing
from portal_app.services import packages as pk
from portal_app.services.identity import SYSTEM
from portal_app.services.package_periods import period_start
from portal_app.services.validation import PHONE_MESSAGE
from portal_app.state.package_catalogue import PackageCatalogueState
from portal_app.state.packages import CustomerPackagesState
from portal_app.state.portal_packages import PortalPackagesState

from .helpers import call, count, fresh, make_state, preset, seed_group, seed_operator
from .portal_seed import seed_tenant

FORM = {
    "package_name": "Lookups",
    "package_currency": "EUR",
    "package_fee": "4.50",
    "package_minutes": "0",
    "package_frequency": "monthly",
    "package_service": "number_lookup",
    "package_enabled": "on",
}


def _lookup_tenant(db, *, service: str = "number_lookup", sections=("packages",)):
    tenant = seed_tenant(db, "ALPHA", "alpha.example.test", entries=0)
    domain = db.get(PortalDomain, tenant.domain_id)
    domain.access = [*domain.access, *sections]
    db.add(domain)
    form = pk.PackageForm("Lookups", "EUR", "4.50", "0", "monthly", service)
    package = pk.package_create(session=db, actor=SYSTEM, form=form)
    db.flush()
    cp.package_set(
        session=db, actor=SYSTEM, customer_id=tenant.customer_id, package_id=package.id, on=True
    )
    db.commit()
    return tenant, package


def _upload(data: bytes) -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path("numbers.csv"), size=len(data))


def test_the_catalogue_adds_edits_and_deletes_with_messages_next_to_fields(db, admin, clerk):
    state = make_state(PackageCatalogueState, token=admin.token)
    call(state, "load")
    call(state, "open_new")
    call(state, "save", form_data=FORM | {"package_fee": "4.505", "package_minutes": "lots"})
    assert set(state.errors) == {"package_fee", "package_minutes"}
    assert state.dialog == "new" and state.form["package_fee"] == "4.505"  # kept as typed
    assert count(db, Package) == 0
    out = call(state, "save", form_data=FORM)
    assert out.toasts == [("success", "Package Lookups saved.")] and state.dialog == ""
    [row] = state.packages
    assert (row.name, row.price, row.service, row.status) == (
        "Lookups",
        "€4.50 a month",
        "Number lookup",
        "Enabled",
    )
    call(state, "open_edit", package_id=str(row.id))
    assert state.form["package_fee"] == "4.50" and state.form["package_enabled"] == "on"
    edited = FORM | {"package_fee": "6", "package_frequency": "weekly"}
    edited.pop("package_enabled")  # an unticked checkbox is not in the form
    call(state, "save", form_data=edited)
    assert state.packages[0].price == "€6.00 a week" and state.packages[0].status == "Disabled"
    # Delete asks first and names the customers who have the package.
    tenant = seed_tenant(db, "ALPHA", "alpha.example.test", entries=0)
    cp.package_set(
        session=db, actor=SYSTEM, customer_id=tenant.customer_id, package_id=row.id, on=True
    )
    db.commit()
    call(state, "ask_delete", package_id=row.id)
    assert state.confirm_name == "Lookups" and state.confirm_customers == ["Customer ALPHA"]
    out = call(state, "delete_now")
    assert out.toasts == [("success", "Package Lookups deleted; 1 customer(s) lost it.")]
    assert count(db, Package) == 0 and count(db, CustomerPackage) == 0 and state.packages == []


def test_an_operator_without_the_card_area_cannot_touch_the_catalogue(db):
    keep = pk.package_create(session=db, actor=SYSTEM, form=pk.PackageForm("Keep", "USD", "1"))
    db.commit()
    group = seed_group(db, "Support", customer=Grant.ALLOW, card=Grant.DENY)
    support = seed_operator(db, "support@example.com", group_id=group)
    state = make_state(PackageCatalogueState, token=support.token)
    out = call(state, "load")
    assert out.toasts and out.toasts[0][0] == "error" and state.packages == []
    preset(state, dialog=str(keep.id), confirm_id=keep.id, confirm_name="Keep")
    out = call(state, "save", form_data=FORM | {"package_name": "Taken over"})
    assert out.toasts and out.toasts[0][0] == "error"
    call(state, "delete_now")
    assert [p.name for p in db.exec(select(Package)).all()] == ["Keep"]
    # Positive control: the same calls from an operator with the Card permission work.
    cards = seed_operator(db, "cards@example.com", group_id=seed_group(db, "C", card=Grant.ALLOW))
    allowed = make_state(PackageCatalogueState, token=cards.token)
    preset(allowed, dialog=str(keep.id))
    call(allowed, "save", form_data=FORM | {"package_name": "Taken over"})
    assert [p.name for p in fresh(db, Package)] == ["Taken over"]


def test_the_portal_lists_packages_and_looks_numbers_up_counting_each(db, admin):
    tenant, package = _lookup_tenant(db)
    state = make_state(PortalPackagesState, token=tenant.token, **tenant.router("/portal/packages"))
    call(state, "load")
    assert [(p.name, p.retail, p.frequency, p.auto_decrement) for p in state.packages] == [
        ("Lookups", "€4.50", "Monthly", "No")
    ]
    assert state.can_lookup
    call(state, "lookup", form_data={"lookup_number": "+44 20 7946"})
    assert state.errors == {"lookup_number": PHONE_MESSAGE} and state.answer == {}
    call(state, "lookup", form_data={"lookup_number": "+44 20 7946 0000"})
    assert state.errors == {}
    assert state.answer["Country"] == "United Kingdom" and state.answer["Region"] == "London"
    assert state.answer["Line type"] == "Fixed line"
    out = call(state, "upload_csv", files=[_upload(b"+33612345678\n+18005550199\nnope\n")])
    [download] = [e for e in out.events if e.name == "_download"]
    body = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", str(download.payload))[1])
    lines = body.decode().splitlines()
    assert lines[0].startswith("number,e164,valid") and len(lines) == 4
    assert "Mobile,SFR" in lines[1] and "Toll-free" in lines[2] and ",no," in lines[3]
    assert state.file_outcome.startswith("Looked up 2 numbers")
    assert db.exec(select(LookupUsage.lookups)).all() == [3]  # 1 single + 2 from the file
    out = call(state, "upload_csv", files=[_upload(b"number\n")])
    assert "no numbers" in state.errors["lookup_file"] and out.events == []
    # The operator sees the day's count on the customer.
    tab = make_state(CustomerPackagesState, token=admin.token)
    call(tab, "open_packages", customer_id=tenant.customer_id)
    assert tab.usage_total == "3" and [u.detail for u in tab.usage] == ["3"]
    assert [p.on for p in tab.packages] == [True]


def test_without_the_section_or_the_service_the_lookup_refuses(db):
    tenant, package = _lookup_tenant(db, sections=())  # the domain does not show Packages
    state = make_state(PortalPackagesState, token=tenant.token, **tenant.router("/portal/packages"))
    out = call(state, "load")
    assert out.toasts == [("error", "This section is not available for your account.")]
    out = call(state, "lookup", form_data={"lookup_number": "+442079460000"})
    assert out.toasts[0][0] == "error" and state.answer == {}
    domain = db.get(PortalDomain, tenant.domain_id)
    domain.access = [*domain.access, "packages"]
    db.add(domain)
    row = db.get(Package, package.id)
    row.enabled = False
    db.add(row)
    db.commit()
    call(state, "load")
    assert state.packages[0].service == "Number lookup (disabled)" and not state.can_lookup
    out = call(state, "lookup", form_data={"lookup_number": "+442079460000"})
    assert out.toasts == [("error", "Your packages do not include number lookup.")]
    out = call(state, "upload_csv", files=[_upload(b"+442079460000\n")])
    assert out.toasts == [("error", "Your packages do not include number lookup.")]
    assert db.exec(select(LookupUsage)).all() == []
    # Positive control: enabled again, the same call answers and counts.
    row.enabled = True
    db.add(row)
    db.commit()
    call(state, "lookup", form_data={"lookup_number": "+442079460000"})
    assert state.answer["Region"] == "London"
    assert db.exec(select(LookupUsage.lookups)).all() == [1]


def test_the_next_charge_shows_in_the_portal_and_on_the_customer(db, admin):
    tenant, lookups = _lookup_tenant(db)
    form = pk.PackageForm("Gold Plan", "EUR", "9.00", auto_decrement=True)
    gold = pk.package_create(session=db, actor=SYSTEM, form=form)
    db.flush()
    cp.package_set(
        session=db, actor=SYSTEM, customer_id=tenant.customer_id, package_id=gold.id, on=True
    )
    db.commit()
    since = db.get(CustomerPackage, (tenant.customer_id, gold.id)).since
    run = package_billing.packages_charge()
    assert [d.package_id for d in run.charged] == [gold.id]  # its first month, in advance
    expected = dates.formatter(session=db).date(period_start(since, "monthly", 1))
    state = make_state(PortalPackagesState, token=tenant.token, **tenant.router("/portal/packages"))
    call(state, "load")
    assert [(p.name, p.next_charge) for p in state.packages] == [
        ("Gold Plan", expected),
        ("Lookups", "—"),
    ]
    tab = make_state(CustomerPackagesState, token=admin.token)
    call(tab, "open_packages", customer_id=tenant.customer_id)
    details = {p.text: p.detail for p in tab.packages}
    assert details["Gold Plan"].endswith(f", next charge {expected} (UTC)")
    assert "next charge" not in details["Lookups"]

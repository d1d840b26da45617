"""The portal's Packages section in Chromium: a contact whose customer has an enabled
number lookup package sees its packages in the anchor's columns, gets a message next
to the field for a number that is not valid, an answer for one that is, and a CSV of
numbers back as a CSV download; every answered number is counted for the operator.
An Auto Decrement Credit package shows its Next charge, and its charge the statement."""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from portal_app.models import LedgerEntry, LookupUsage
from portal_app.services import dates, package_billing
from portal_app.services.package_periods import period_start

from .lookup_seed import CHARGED_PACKAGE, LOOKUP_PACKAGE, charged_ready, lookup_ready
from .test_accessibility import CONTACT, acme
from .test_browser_flows import shot

pytestmark = [pytest.mark.live, pytest.mark.browser]
expect.set_options(timeout=20_000)  # a shared, busy machine: nothing here is timed


def _lookups(live_app, customer_id: int) -> int:
    with live_app.session() as session:
        return sum(
            session.exec(
                select(LookupUsage.lookups).where(LookupUsage.customer_id == customer_id)
            ).all()
        )


def test_a_contact_looks_up_a_number_and_a_csv_of_numbers(browser, live_app, tmp_path):
    customer_id = lookup_ready(live_app)
    since = charged_ready(live_app, customer_id)
    # What the app's lifespan task runs every minute (it may win this race: either way
    # the period is charged once).
    package_billing.packages_charge(engine=live_app.engine)
    with live_app.session() as session:
        reference = f"Package {CHARGED_PACKAGE}, {dates.formatter(session=session).date(since)}"
        query = select(func.count()).select_from(LedgerEntry)
        assert session.exec(query.where(LedgerEntry.reference == reference)).one() == 1
        next_day = dates.formatter(session=session).date(period_start(since, "monthly", 1))
    before = _lookups(live_app, customer_id)
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(20_000)
    brand = acme(live_app)
    page.goto(brand + "/portal/login")
    page.fill("#email", CONTACT[0])
    page.fill("#password", CONTACT[1])
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/portal/?$"))
    page.get_by_role("link", name="Packages").first.click()
    page.wait_for_url(re.compile(r".*/portal/packages/?$"))
    table = page.locator("#portal-packages")
    for head in ["Name", "Retail", "Frequency", "Auto Decrement Credit", "Next charge (UTC)"]:
        expect(table.get_by_role("columnheader", name=head, exact=True)).to_be_visible()
    expect(table).to_contain_text(LOOKUP_PACKAGE)
    expect(table).to_contain_text("$2.50")
    charged = table.get_by_role("row").filter(has_text=CHARGED_PACKAGE)
    expect(charged.get_by_role("cell").nth(4)).to_have_text(next_day)
    plain = table.get_by_role("row").filter(has_text=LOOKUP_PACKAGE)
    expect(plain.get_by_role("cell").nth(4)).to_have_text("—")
    shot(page, "portal-packages-next-charge")

    page.get_by_label("Phone number").fill("+44 20 7946")
    page.click("#lookup-submit")
    expect(page.locator("#lookup_number-error")).to_contain_text("international format")
    expect(page.locator("#lookup_number")).to_have_attribute("aria-invalid", "true")
    shot(page, "portal-lookup-invalid")

    page.get_by_label("Phone number").fill("+44 20 7946 0000")
    page.click("#lookup-submit")
    answer = page.locator("#lookup-answer")
    expect(answer).to_contain_text("United Kingdom")
    expect(answer).to_contain_text("London")
    expect(answer).to_contain_text("Fixed line")
    expect(page.locator("#lookup_number-error")).to_have_count(0)
    shot(page, "portal-lookup-answer")

    page.locator("#lookup_csv_upload input[type=file]").set_input_files(
        files=[
            {
                "name": "numbers.csv",
                "mimeType": "text/csv",
                "buffer": b"number\n+33612345678\n+18005550199\nnot a number\n",
            }
        ]
    )
    expect(page.locator("#lookup-file-name")).to_contain_text("numbers.csv")
    with page.expect_download() as info:
        page.click("#lookup-file-submit")
    path = tmp_path / "lookup.csv"
    info.value.save_as(path)
    rows = list(csv.reader(path.open()))
    assert rows[0][:3] == ["number", "e164", "valid"]
    assert [(r[1], r[2], r[5]) for r in rows[1:]] == [
        ("+33612345678", "yes", "Mobile"),
        ("+18005550199", "yes", "Toll-free"),
        ("", "no", ""),
    ]
    expect(page.locator("#lookup-file-outcome")).to_contain_text("Looked up 2 numbers")
    shot(page, "portal-lookup-file")
    assert _lookups(live_app, customer_id) == before + 3

    page.goto(acme(live_app) + "/portal/balance")
    statement = page.locator("#portal-statement")
    expect(statement).to_contain_text(reference)
    expect(statement).to_contain_text("$1.25")
    shot(page, "portal-statement-package-charge")
    page.context.close()

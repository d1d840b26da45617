"""The control panel as a new operator meets it, in Chromium: dialogs that keep their
place, the current page marked after a direct link, rate cards that open, the domain list,
feedback that is never stale, the readable audit log, the dashboard's carrier figures,
404 pages and keyboard focus. One logged-in browser context for the module."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import Cdr, Customer, RateCard, RateEntry
from portal_app.services.dashboard import traffic_since
from portal_app.services.identity import SYSTEM
from portal_app.services.ledger import ledger_add

from .conftest import attempt_tag
from .test_browser_flows import login, shot, toast

pytestmark = [pytest.mark.live, pytest.mark.browser]
# The machine running these is shared and busy: a dialog can take longer than the 5 s
# default to fill in. Waiting longer changes no assertion (nothing here is timed).
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def op(browser, live_app):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    yield page
    context.close()


def _pick(page: Page, trigger: str, option: str) -> None:
    page.click(f"#{trigger}")
    page.get_by_role("option", name=option, exact=True).click()


def _customer(live_app, name: str, **fields) -> int:
    with live_app.session() as session:
        customer = Customer(name=name, currency="USD", **fields)
        session.add(customer)
        session.commit()
        return customer.id


def _open(page: Page, url: str, name: str) -> None:
    page.goto(url + "/management/customers")
    page.fill("#search", name)
    page.click("#apply-filters")
    page.get_by_role("button", name=name, exact=True).click()
    expect(page.locator("#customer-save")).to_be_visible()


def test_the_current_page_is_marked_after_a_direct_link_or_a_reload(op, live_app):
    op.goto(live_app.url + "/management/customers/")  # production URLs end with a slash
    current = op.locator('nav a[aria-current="page"]')
    expect(current).to_have_count(1)
    expect(current).to_have_text("Customers")
    op.reload()
    expect(current).to_have_text("Customers")
    op.goto(live_app.url + "/setup/account/audit-log/")
    expect(current).to_have_text("Audit Log")
    expect(current).to_have_css("font-weight", "600")  # visibly, not only for screen readers


def test_a_contact_name_opens_the_contact_inside_the_dialog(op, live_app):
    _open(op, live_app.url, "Bluebird Call Centre")
    op.get_by_role("tab", name="Contacts").click()
    url = op.url
    op.get_by_role("button", name="Bea Bluebird").click()
    expect(op.get_by_role("heading", name="Edit contact")).to_be_visible()
    expect(op.locator("#contact_email")).to_have_value("bea@bluebird.example")
    assert op.url == url and not op.url.endswith("#")
    expect(op.get_by_role("dialog")).to_be_visible()
    shot(op, "100-contact-opened-in-dialog")


def test_a_new_customer_stays_open_and_close_asks_before_losing_edits(op, live_app):
    run = attempt_tag()
    line, fay = f"Finish Line {run}", f"fay-{run}@finish.example"
    op.goto(live_app.url + "/management/customers")
    op.click("#add-customer")
    op.fill("#name", f"{line} Ltd")
    op.fill("#credit_limit", "75.00")
    op.click("#customer-save")
    expect(toast(op)).to_contain_text("Customer added")
    dialog = op.get_by_role("dialog")
    expect(dialog).to_contain_text("Edit customer")  # still open, on the new customer
    op.get_by_role("tab", name="Contacts").click()
    op.click("#add-contact")
    op.fill("#contact_name", "Fay Finish")
    op.fill("#contact_email", fay)
    op.get_by_text("Auto-generate password").click()  # off: the operator sets it
    op.fill("#contact_password", "fay-finish-pass-1")
    op.click("#contact-save")
    expect(op.locator("#contacts-table")).to_contain_text(fay)

    op.get_by_role("tab", name="Details").click()
    op.fill("#name", f"{line} Renamed")
    op.get_by_role("button", name="Close").click()
    expect(op.get_by_text("Discard your changes?")).to_be_visible()
    shot(op, "101-discard-changes")
    op.click("#keep-editing")
    expect(op.get_by_text("Discard your changes?")).to_have_count(0)
    expect(op.locator("#name")).to_have_value(f"{line} Renamed")
    op.keyboard.press("Escape")  # Escape asks too
    expect(op.get_by_text("Discard your changes?")).to_be_visible()
    op.click("#discard-changes")
    expect(dialog).to_have_count(0)
    with live_app.session() as session:
        row = session.exec(select(Customer).where(Customer.name.startswith(line))).one()
        assert row.name == f"{line} Ltd" and row.credit_limit == 7500

    # Nothing typed: Close closes at once.
    _open(op, live_app.url, f"{line} Ltd")
    op.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)


def test_a_rate_card_opens_to_see_edit_add_and_delete_its_rates(op, live_app):
    name = f"Finish EUR {attempt_tag()}"
    op.goto(live_app.url + "/management/rate-cards")
    op.fill("#card_name", name)
    _pick(op, "card_currency", "EUR")
    op.click("#card-create")
    expect(toast(op)).to_contain_text(f"Rate card {name} created")
    op.get_by_role("button", name=f"Open rate card {name}").click()
    card = op.locator("#rate-card-dialog")
    expect(card).to_contain_text("No rates on this card yet")

    op.click("#rate-add")
    op.fill("#prefix", "4420")
    op.fill("#destination", "United Kingdom London")
    op.fill("#rate", "a lot")
    op.click("#rate-save")
    expect(op.locator("#rate-error")).to_be_visible()
    op.fill("#rate", "0.0123")
    op.fill("#connection_fee", "0.01")
    op.fill("#increments", "60/1")
    op.click("#rate-save")
    table = op.locator("#rates-table")
    expect(table).to_contain_text("€0.0123")
    expect(table).to_contain_text("60/1")
    shot(op, "102-rate-card-opened")

    op.get_by_role("button", name=re.compile("^Edit the rate of 4420")).click()
    op.fill("#rate", "0.015")
    op.click("#rate-save")
    expect(table).to_contain_text("€0.0150")
    op.click("#rate-add")
    op.fill("#prefix", "33")
    op.fill("#destination", "France")
    op.fill("#rate", "0.009")
    op.click("#rate-save")
    expect(table.locator("tbody tr")).to_have_count(2)
    op.get_by_role("button", name=re.compile("^Delete the rate of 33")).click()
    op.click("#confirm-delete-rate")
    expect(table.locator("tbody tr")).to_have_count(1)

    op.click("#card-rename")
    op.fill("#card_rename", f"{name} Premium")
    op.click("#card-rename-save")
    expect(op.locator("#cards-table")).to_contain_text(f"{name} Premium")
    with live_app.session() as session:
        saved = session.exec(select(RateCard).where(RateCard.name == f"{name} Premium")).one()
        (entry,) = session.exec(select(RateEntry).where(RateEntry.card_id == saved.id)).all()
        assert (entry.prefix, entry.rate, entry.connection_fee) == ("4420", 15_000, 10_000)

    op.click("#card-delete")
    expect(op.locator("#rate-delete-confirm")).to_contain_text("1 rate(s)")
    op.click("#confirm-delete-rate")
    expect(toast(op)).to_contain_text("deleted")
    expect(op.locator("#cards-table")).not_to_contain_text(name)
    with live_app.session() as session:
        assert session.get(RateCard, saved.id) is None


def test_a_domain_in_the_list_opens_its_editor_and_links_its_portal_with_the_port(op, live_app):
    op.goto(live_app.url + "/setup/integrations/portal")
    port = live_app.url.rsplit(":", 1)[1]
    link = op.get_by_role("link", name="Open the portal of acme.localhost (new tab)")
    expect(link).to_have_attribute("href", f"http://acme.localhost:{port}/portal")
    op.get_by_role("button", name="acme.localhost", exact=True).click()
    expect(op.locator("#host")).to_have_value("acme.localhost")
    op.get_by_role("button", name="Cancel").click()


def test_feedback_goes_when_it_is_answered(op, live_app):
    # A refused save's warning is replaced by the success of the next save.
    op.goto(live_app.url + "/setup/integrations/portal")
    op.click("#add-domain")
    op.fill("#host", "not a host")
    op.click("#domain-save")
    expect(toast(op)).to_contain_text("Some fields need attention")
    op.fill("#host", f"finish-{attempt_tag()}.example.test")
    op.fill("#brand_name", "Finish Voice")
    op.click("#domain-save")
    expect(toast(op)).to_contain_text("Domain added")
    expect(op.locator("[data-sonner-toast]", has_text="need attention")).to_have_count(0)

    # A refused date range shows its error, not the last range's figures.
    with live_app.session() as session:
        transit = session.exec(select(Customer.id).where(Customer.name == "Transit One Carrier"))
        transit = transit.one()
    op.goto(f"{live_app.url}/management/customers/cdr?customer={transit}")
    expect(op.locator("#cdr-calls")).not_to_be_empty()
    op.fill("#first", "2026-03-10")
    op.fill("#last", "2026-03-01")
    op.click("#cdr-apply")
    expect(op.locator("#last-error, #first-error").first).to_be_visible()
    expect(op.locator("#cdr-calls")).to_be_empty()
    expect(op.locator("#cdr-empty")).to_contain_text("Correct the dates")
    expect(op.locator("#cdr-csv")).to_be_disabled()
    shot(op, "103-refused-range")


def test_a_page_without_permission_says_so_once(browser, live_app):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    login(page, live_app.url, "support@example.com", "support-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + "/setup/account/users")
    expect(page.locator("#no-access")).to_contain_text("No access to Users")
    # Events of a tab run in order: once the dashboard shows, the users page's are done.
    page.locator("nav").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_text("Welcome")).to_be_visible()
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)
    context.close()


def test_the_audit_log_reads_as_changes_filters_and_downloads(op, live_app):
    name = f"Audit Trail Co {attempt_tag()}"
    _customer(live_app, name, credit_limit=7500)
    _open(op, live_app.url, name)
    op.fill("#credit_limit", "80.00")
    op.click("#customer-save")
    expect(toast(op)).to_contain_text("Customer saved")

    op.goto(live_app.url + "/setup/account/audit-log")
    _pick(op, "who", "admin@example.com")
    _pick(op, "action", "customer.update")
    op.click("#audit-apply")
    row = op.locator("#audit-table tbody tr").first
    expect(row).to_contain_text(f"Customer {name}")
    expect(row).to_contain_text("Credit limit: $75.00 → $80.00")
    expect(op.locator("#audit-table")).not_to_contain_text("{")

    _pick(op, "who", "Anyone")
    _pick(op, "action", "ledger.add")
    op.click("#audit-apply")
    expect(op.locator("#audit-table")).to_contain_text("Amount: $1,000.00")
    expect(op.locator("#audit-table")).to_contain_text("Customer Transit One Carrier")
    shot(op, "104-audit-log-readable")

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    op.fill("#first", tomorrow)
    op.click("#audit-apply")
    expect(op.locator("#audit-count")).to_have_text("No entries")

    op.fill("#first", "")
    _pick(op, "action", "customer.update")
    op.click("#audit-apply")
    with op.expect_download() as download:
        op.click("#audit-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["when_utc", "who", "action", "item", "changes"]
    assert [f"Customer {name}", "Credit limit: $75.00 → $80.00"] in [r[3:] for r in rows]


def test_the_dashboard_shows_what_carriers_watch(op, live_app):
    run = attempt_tag()
    near = _customer(live_app, f"Nearly Out Co {run}", credit_limit=10_000)
    with live_app.session() as session:
        ledger_add(session=session, actor=SYSTEM, customer_id=near, kind="charge", amount="95")
        now = datetime.now(UTC)
        for n, status in enumerate(["answered", "failed"]):
            session.add(
                Cdr(
                    customer_id=near,
                    call_start=now - timedelta(seconds=n + 1),
                    dialled="442071234567",
                    duration=90 if status == "answered" else 0,
                    billed_duration=120 if status == "answered" else 0,
                    status=status,
                    sip_call_id=f"finish-dashboard-{run}-{n}@test",
                )
            )
        session.commit()
        today = traffic_since(session=session, actor=SYSTEM)
    op.goto(live_app.url + "/")
    expect(op.locator("#today-calls")).to_have_text(f"{today.calls:,}")
    expect(op.locator("#today-asr")).to_have_text(f"{today.asr:.1f} %")
    near_table = op.locator("#near-limit")
    expect(near_table).to_contain_text(f"Nearly Out Co {run}")
    # In its own row: a failed earlier attempt's customer may be near its limit too.
    expect(near_table.locator("tr", has_text=f"Nearly Out Co {run}")).to_contain_text("$5.00")
    for currency in ("USD", "EUR"):  # one chart per currency, its axis named for it
        expect(op.locator(f"#top-{currency}")).to_contain_text(f"Spend ({currency})")
    expect(op.locator("h1")).to_have_count(1)
    shot(op, "105-dashboard-carrier-figures")


def test_a_missing_page_is_styled_with_a_way_back(op, live_app):
    op.goto(live_app.url + "/management/nothing-here")
    expect(op.locator("#not-found")).to_contain_text("This page does not exist")
    shot(op, "106-not-found")
    op.click("#not-found-back")
    expect(op.locator("#traffic-today")).to_be_visible()


def test_the_keyboard_reaches_everything_with_visible_focus(op, live_app):
    op.goto(live_app.url + "/")
    expect(op.locator("#traffic-today")).to_be_visible()
    op.keyboard.press("Tab")
    skip = op.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # shown when focused
    op.keyboard.press("Enter")
    expect(op.locator("#content")).to_be_focused()
    op.keyboard.press("Tab")
    focused = op.evaluate(
        """() => { const e = document.activeElement, s = getComputedStyle(e);
            return [e.tagName + '#' + e.id + ' ' + (e.textContent || '').trim().slice(0, 30),
                    s.outlineStyle + ' ' + s.outlineWidth]; }"""
    )
    assert focused[1] == "solid 2px", focused
    # In the sidebar, Tab walks the links in reading order.
    op.locator("nav a").first.focus()
    names = []
    for _ in range(3):
        op.keyboard.press("Tab")
        names.append(op.evaluate("document.activeElement.textContent.trim()"))
    assert names[:2] == ["Dashboard", "Customers"]

"""CDRs in Chromium: the operator imports a CSV (a bad file is refused with line
numbers, a good one goes in with a progress bar), then the contact reads its calls in
the portal and downloads them as CSV — in the domain's columns, without the route."""

from __future__ import annotations

import csv
import io
import re
import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import Customer
from portal_app.state.rate_cards import UPLOAD_ID

from .test_browser_flows import login, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]
ROWS = 3000


def _file(customer_id: int, bad: bool, tag: str) -> bytes:
    """The CSV of ROWS calls; ``tag`` (two digits) keeps its call ids and numbers apart
    from a failed earlier attempt's, which a rerun would find imported already."""
    now = datetime.now(UTC).replace(microsecond=0)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "call_start",
            "customer_id",
            "dialled",
            "duration",
            "cost",
            "status",
            "route",
            "sip_call_id",
        ]
    )
    for i in range(ROWS):
        at = (now - timedelta(seconds=5 * i + 60)).isoformat()
        writer.writerow(
            [
                at,
                customer_id,
                f"44799{tag}{i:06d}",
                65,
                "0.0400",
                "answered",
                "HiddenRoute",
                f"live-{tag}-{i}",
            ]
        )
    if bad:
        writer.writerow(["yesterday", customer_id, "44", 1, "0", "answered", "", f"live-{tag}-x"])
        writer.writerow(
            [now.isoformat(), customer_id, "44", 1, "0", "answered", "", f"live-{tag}-1"]
        )
    return out.getvalue().encode()


def _upload(page: Page, data: bytes) -> None:
    page.locator(f"#{UPLOAD_ID} input[type=file]").set_input_files(
        files=[{"name": "calls.csv", "mimeType": "text/csv", "buffer": data}]
    )
    expect(page.locator("#import-file")).to_have_text("calls.csv")
    page.click("#import-start")


def test_import_then_read_and_download_in_the_portal(page: Page, browser, live_app, tmp_path):
    tag = f"{secrets.randbelow(100):02d}"
    searched = f"44799{tag}000007"  # the called number of one call of the file (i = 7)
    with live_app.session() as session:
        bluebird = session.exec(
            select(Customer).where(Customer.name == "Bluebird Call Centre")
        ).one()
        bluebird.portal_access = {}  # other tests override its access; start from the domain's
        session.add(bluebird)
        session.commit()
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + "/management/rate-cards")
    expect(page.locator("#cards-table")).to_contain_text("Standard USD")
    _upload(page, _file(bluebird.id, bad=True, tag=tag))
    problems = page.locator("#import-problems")
    expect(problems).to_contain_text(f"Line {ROWS + 2}: call_start is not an ISO 8601 time")
    expect(problems).to_contain_text(f"Line {ROWS + 3}: sip_call_id repeats line 3")
    expect(page.locator("#import-outcome")).to_contain_text("Nothing was imported: 2 bad rows.")
    shot(page, "90-import-refused")
    _upload(page, _file(bluebird.id, bad=False, tag=tag))
    expect(page.locator("#import-outcome")).to_contain_text(
        f"Imported {ROWS:,} rows.", timeout=60_000
    )
    shot(page, "91-import-done")

    port = live_app.url.rsplit(":", 1)[1]
    portal = browser.new_context(
        viewport={"width": 1280, "height": 900},
        timezone_id="America/New_York",
        accept_downloads=True,
    )
    me = portal.new_page()
    me.set_default_timeout(20_000)
    brand = f"http://acme.localhost:{port}"
    me.goto(brand + "/portal/login")
    me.fill("#email", "bea@bluebird.example")
    me.fill("#password", "bluebird-pass-1")
    me.click("#login-submit")
    me.wait_for_url(re.compile(re.escape(brand) + r"/portal/?$"))
    expect(me.locator("#chart-spend")).to_be_visible()
    me.click("#portal-nav-cdr")
    # Yesterday and today in New York: the imported calls span the last ~4 hours.
    expect(me.locator("#cdr-table")).to_be_visible()
    expect(me.locator("thead")).to_contain_text("Call start (America/New_York)")
    new_york = datetime.now(ZoneInfo("America/New_York")).date()
    yesterday = (new_york - timedelta(days=1)).isoformat()
    today_calls = me.locator("#cdr-calls").inner_text()
    me.fill("#first", yesterday)
    me.click("#cdr-apply")
    # The demo has calls every day, so two days always hold more than one.
    expect(me.locator("#cdr-calls")).not_to_have_text(today_calls)
    calls = int(me.locator("#cdr-calls").inner_text().replace(",", ""))
    assert calls >= ROWS
    me.fill("#search", searched)
    me.click("#cdr-apply")
    expect(me.locator("#cdr-calls")).to_have_text("1")
    expect(me.locator("#cdr-table tbody tr")).to_have_count(1)
    assert "HiddenRoute" not in me.content()
    shot(me, "92-portal-cdr")
    me.fill("#search", "")
    me.click("#cdr-apply")
    expect(me.locator("#cdr-older")).to_be_enabled()
    me.click("#cdr-older")
    expect(me.get_by_text("Page 2")).to_be_visible()
    with me.expect_download() as info:
        me.click("#cdr-csv")
    path = tmp_path / "cdr.csv"
    info.value.save_as(path)
    table = list(csv.reader(path.open()))
    assert table[0] == [
        "Call start (America/New_York)",
        "Caller (CLI)",
        "Called number",
        "Destination",
        "Duration",
        "Cost",
        "Status",
    ]
    assert len(table) - 1 == calls
    assert any(row[2] == searched and row[5] == "0.04" for row in table)
    assert "HiddenRoute" not in path.read_text()
    portal.close()

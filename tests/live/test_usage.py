"""My Account › Usage in Chromium, with the browser in Asia/Kathmandu (+5:45): the
figures and each day's calls equal the seeded CDRs counted by local day straight from
the cdr table; the CSV download says the same; the month view; desktop and phone
screenshots; axe finds nothing serious."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal_app.models import Cdr
from portal_app.services.cdrs import day_range, today, zone
from portal_app.services.dates import formatter

from .axe import ensure_axe, violations
from .test_browser_flows import login, shot

pytestmark = [pytest.mark.live, pytest.mark.browser]
TZ = "Asia/Kathmandu"


def _expected(live_app, months: bool = False) -> Counter:
    """Calls per Kathmandu day over the last 30 days, each day in the account's date
    format (or per month of those days, whole months), from the CDRs themselves."""
    last = today(TZ)
    first = last - timedelta(days=29)
    if months:
        first, last = first.replace(day=1), (last.replace(day=28) + timedelta(days=4))
        last = last - timedelta(days=last.day)
    start, end = day_range(first, last, TZ)
    with live_app.session() as session:
        times = session.exec(
            select(Cdr.call_start).where(Cdr.call_start >= start, Cdr.call_start < end)
        ).all()
        fmt = formatter(session=session, tz=TZ)  # days as the account writes them
    if months:
        return Counter(t.astimezone(zone(TZ)).date().isoformat()[:7] for t in times)
    return Counter(fmt.date(t) for t in times)


def test_usage_shows_the_seeded_calls_by_local_day_and_downloads_them(browser, live_app):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id=TZ)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        login(page, live_app.url, "admin@example.com", "admin-password-1")
        page.wait_for_url(live_app.url + "/")
        page.get_by_role("link", name="Usage").click()
        page.wait_for_url(f"{live_app.url}/setup/account/usage**")
        expect(page.locator("#usage-table")).to_be_visible()
        # Chromium names the zone by its older alias, Asia/Katmandu: the same zone.
        expect(page.get_by_text(re.compile(r"your time zone \(Asia/Kath?mandu\)"))).to_be_visible()
        per_day = _expected(live_app)
        assert sum(per_day.values()) > 0  # the demo data has calls in the window
        expect(page.locator("#usage-calls")).to_have_text(f"{sum(per_day.values()):,}")
        busiest, calls = per_day.most_common(1)[0]
        row = page.locator("#usage-table tr", has_text=busiest)
        expect(row.locator("td").nth(1)).to_have_text(f"{calls:,}")
        assert page.locator("#usage-table tbody tr").count() == 30
        page.mouse.move(900, 20)  # off the menu: a hovered link is not this page's look
        shot(page, "usage-desktop")
        axe_js = ensure_axe()
        assert violations(page, axe_js) == []

        with page.expect_download() as info:
            page.click("#usage-csv")
        text = Path(info.value.path()).read_text(encoding="utf-8")
        table = list(csv.reader(io.StringIO(text)))
        assert re.fullmatch(r"Day \(Asia/Kath?mandu\)", table[0][0])
        assert table[0][1:6] == [
            "Calls",
            "Answered",
            "Minutes",
            "Billed minutes",
            "Peak calls",
        ]
        assert {r[0]: int(r[1]) for r in table[1:] if int(r[1])} == dict(per_day)
        assert any(int(r[5]) > 0 for r in table[1:])  # peaks from the rollups

        page.get_by_role("combobox", name="View").click()
        page.get_by_role("option", name="By month").click()
        page.click("#usage-apply")
        per_month = _expected(live_app, months=True)
        expect(page.locator("#usage-table tbody tr")).to_have_count(len(per_month))
        expect(page.locator("#usage-calls")).to_have_text(f"{sum(per_month.values()):,}")
        for month, calls in per_month.items():
            row = page.locator("#usage-table tr", has_text=month)
            expect(row.locator("td").nth(1)).to_have_text(f"{calls:,}")

        page.set_viewport_size({"width": 390, "height": 844})  # a phone
        expect(page.locator("#usage-table")).to_be_visible()
        shot(page, "usage-phone")
        assert violations(page, axe_js) == []

        page.fill("#first", "2026-01-01")
        page.fill("#last", "2025-12-01")
        page.click("#usage-apply")
        expect(page.locator("#last-error")).to_contain_text("before the start date")
    finally:
        context.close()

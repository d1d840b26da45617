"""Setup › My Account › My Servers in Chromium: add a server pointing at a real SIP
responder on loopback, check it now and see it up with a latency; a bad port gets its
message next to the field; the history lists the probe; maintenance and removal;
axe finds nothing serious on the dialog or the filled list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import delete, select

from portal_app.models import Server, ServerProbe
from tests.sipresponder import SipResponder

from .axe import ensure_axe, violations
from .test_browser_flows import login, shot, toast

pytestmark = [pytest.mark.live, pytest.mark.browser]
NAME = "Quokka Switch"


def _clean(live_app) -> None:
    with live_app.session() as session:
        for old in session.exec(select(Server).where(Server.name == NAME)).all():
            session.exec(delete(ServerProbe).where(ServerProbe.server_id == old.id))
            session.delete(old)
        session.commit()


def test_add_a_server_check_it_now_and_see_it_up(page: Page, live_app):
    _clean(live_app)
    with SipResponder("ok") as sip:
        login(page, live_app.url, "admin@example.com", "admin-password-1")
        page.wait_for_url(live_app.url + "/")
        page.get_by_role("link", name="My Servers").click()
        page.wait_for_url(f"{live_app.url}/setup/account/servers**")
        page.click("#add-server")
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Name").fill(NAME)
        dialog.get_by_label("Host").fill("127.0.0.1")
        dialog.get_by_label("Port").fill("70000")
        dialog.get_by_label("Location").fill("Loopback DC")
        page.click("#server-save")
        expect(page.locator("#port-error")).to_contain_text("from 1 to 65535")
        axe_js = ensure_axe()
        assert violations(page, axe_js) == []  # the dialog with a field's message
        with live_app.session() as session:
            assert session.exec(select(Server).where(Server.name == NAME)).first() is None
        dialog.get_by_label("Port").fill(str(sip.port))
        page.click("#server-save")
        expect(toast(page)).to_contain_text("Server saved.")
        row = page.locator("#servers-table tr", has_text=NAME)
        expect(row).to_contain_text(f"127.0.0.1:{sip.port}")
        expect(row).to_contain_text("SIP switch")
        # Right after saving, the periodic probe may have run already; "Check now" is sure.
        row.get_by_role("button", name=f"Check now: {NAME}").click()
        expect(row.locator(".server-status")).to_have_text("Up")
        expect(row.locator(".server-latency")).to_contain_text(" ms")
        expect(row).not_to_contain_text("never")
        assert any(r.startswith("OPTIONS sip:127.0.0.1:") for r in sip.requests)
        shot(page, "my-servers-up")
        # Sonner's toasts fail contrast on every page (a theme matter, not this page's).
        expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=30_000)
        assert violations(page, axe_js) == []  # the list with its buttons and switch

        row.get_by_role("button", name=f"Probe history of {NAME}").click()
        history = page.locator("#server-history")
        expect(history).to_contain_text("Up")
        expect(history).to_contain_text(" ms")
        shot(page, "my-servers-history")
        page.get_by_role("dialog").get_by_role("button", name="Close").click()

        row.get_by_role("switch", name=f"Maintenance mode for {NAME}").click()
        expect(row.locator(".server-status")).to_have_text("Maintenance")
        expect(row.get_by_role("button", name=f"Check now: {NAME}")).to_be_disabled()

        row.get_by_role("button", name=f"Remove {NAME}").click()
        page.click("#confirm-delete")
        expect(toast(page)).to_contain_text("Server removed.")
        expect(page.locator("#servers-table tr", has_text=NAME)).to_have_count(0)

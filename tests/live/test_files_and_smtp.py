"""Management > File > Public and the account's SMTP Details, in Chromium."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from portal_app.state.files import UPLOAD_ID
from tests import smtpserver

from .conftest import attempt_tag
from .test_browser_flows import login, shot, toast

pytestmark = [pytest.mark.live, pytest.mark.browser]


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def _choose(page: Page, name: str, data: bytes, mime: str) -> None:
    page.locator(f"#{UPLOAD_ID} input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )


def test_upload_checks_content_and_offers_to_scale_down(page: Page, live_app, tmp_path):
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + "/management/file/public")
    expect(page.locator("#files-table")).to_contain_text("acme.png")

    _choose(page, "fake.png", b"this is not an image", "image/png")
    page.click("#upload-file")
    expect(page.locator("#file-error")).to_contain_text("not a JPG, PNG or GIF")
    shot(page, "60-files-not-an-image")

    # A rerun's upload of the same name would be stored as wide-banner-2.png.
    run = attempt_tag()
    stored = f"wide-banner-{run}.png"  # the name, made safe for a URL
    _choose(page, f"Wide Banner {run}.png", _png(800, 100), "image/png")
    page.click("#upload-file")
    expect(page.locator("#file-error")).to_contain_text("800 px wide")
    shot(page, "61-files-too-wide")
    page.click("#scale-down")
    expect(toast(page)).to_contain_text(stored)
    expect(page.locator("#files-table")).to_contain_text(stored)
    shot(page, "62-files-after-upload")

    served = httpx.get(f"{live_app.url}/public/{stored}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (350, 44)


def test_account_smtp_test_email_reaches_the_server(page: Page, live_app):
    with smtpserver.smtp_server() as smtp:
        login(page, live_app.url, "admin@example.com", "admin-password-1")
        page.wait_for_url(live_app.url + "/")
        page.goto(live_app.url + "/setup/account/personal")
        page.fill("#smtp_email", "noc@carrier.example")
        page.fill("#smtp_username", smtpserver.USERNAME)
        page.fill("#smtp_password", smtpserver.PASSWORD)
        page.fill("#smtp_server", smtp.address)
        page.fill("#smtp_from", "billing@carrier.example")
        page.click("#smtp-save")
        expect(toast(page)).to_contain_text("SMTP details saved")
        expect(page.locator("#smtp_password")).to_have_attribute("placeholder", "unchanged")
        page.click("#smtp-test")
        expect(page.locator("#smtp-test-answer")).to_contain_text("250 OK")
        shot(page, "63-account-smtp-test-email")
        assert [m.rcpt_tos for m in smtp.messages] == [["admin@example.com"]]
        assert smtp.messages[0].message["From"] == "billing@carrier.example"

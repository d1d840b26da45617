"""Whole flows in Debian Chromium against the app as `make run` serves it.

Screenshots of every screen go to test-artifacts/<suite>/screenshots/ (git-ignored).
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import AuthSession, OperatorGroup, OperatorUser
from portal_app.services.identity import SYSTEM
from portal_app.services.sessions import SESSION_COOKIE
from portal_app.services.users import user_create

from .conftest import ARTIFACTS, attempt_tag

pytestmark = [pytest.mark.live, pytest.mark.browser]
SHOTS = ARTIFACTS / "screenshots"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # sticky header and sidebar draw at the top
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")


def served(page: Page, url: str) -> None:
    """Open ``url`` on a brand host the test has just verified in the database. Each
    worker serves it once its own allow-list has been refreshed (every 5 s, so with
    several workers one may already serve it while another still shows the neutral
    page); until then, the neutral page."""
    for _ in range(30):
        page.goto(url)
        if page.locator("#not-configured").count() == 0:
            return
        page.wait_for_timeout(1000)
    raise AssertionError(f"{url} was never served")


def toast(page: Page):
    return page.locator("[data-sonner-toast]").last


def test_login_wrong_password_then_dashboard_and_logout(page: Page, live_app):
    page.goto(live_app.url + "/")
    page.wait_for_url(re.compile(r".*/login/?(\?.*)?$"))
    expect(page.get_by_text("Control panel sign-in")).to_be_visible()
    shot(page, "01-login")

    login(page, live_app.url, "admin@example.com", "not-the-password")
    expect(page.locator("#login-error")).to_have_text("Email or password is incorrect.")
    shot(page, "02-login-wrong-password")
    login(page, live_app.url, "nobody@example.com", "not-the-password")
    expect(page.locator("#login-error")).to_have_text("Email or password is incorrect.")

    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    expect(page.get_by_text("Operator users")).to_be_visible()
    expect(page.get_by_role("link", name="Users")).to_be_visible()
    shot(page, "03-dashboard")
    # The session lives in an HttpOnly cookie: the browser has it, page script does not.
    (cookie,) = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and len(cookie["value"]) > 30
    assert SESSION_COOKIE not in page.evaluate("document.cookie")
    assert cookie["value"] not in page.content()

    for path, name in [
        ("/setup/account/configuration", "04-configuration"),
        ("/setup/account/audit-log", "05-audit-log"),
        ("/setup/account/personal", "06-personal-information"),
    ]:
        page.goto(live_app.url + path)
        expect(page.locator("#main")).to_be_visible()
        page.wait_for_timeout(500)
        shot(page, name)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(live_app.url + "/setup/account/users")
    expect(page.locator("#users-table")).to_be_visible()
    shot(page, "08-users-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.emulate_media(color_scheme="dark")
    page.goto(live_app.url + "/")
    expect(page.get_by_text("Operator users")).to_be_visible()
    shot(page, "07-dashboard-dark")
    page.emulate_media(color_scheme="light")

    with live_app.session() as session:
        live_before = session.exec(
            select(AuthSession).where(AuthSession.revoked_at.is_(None))
        ).all()
    page.click("#user-menu")
    page.click("#logout")
    page.wait_for_url(re.compile(r".*/login/?(\?.*)?$"))
    with live_app.session() as session:
        live_after = session.exec(select(AuthSession).where(AuthSession.revoked_at.is_(None))).all()
    assert len(live_after) == len(live_before) - 1
    assert [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE] == []
    page.goto(live_app.url + "/setup/account/users")
    page.wait_for_url(re.compile(r".*/login/?(\?.*)?$"))


def _pick(page: Page, trigger_id: str, option: str) -> None:
    page.click(f"#{trigger_id}")
    page.get_by_role("option", name=option, exact=True).click()


def test_add_group_and_user_with_inline_validation(page: Page, live_app):
    run = attempt_tag()
    group, name, email = f"NOC {run}", f"Nora Noc {run}", f"nora-{run}@example.com"
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + "/setup/account/users")
    expect(page.locator("#users-table")).to_contain_text("admin@example.com")
    shot(page, "10-users")

    page.click("#add-group")
    page.fill("#name", group)
    _pick(page, "grant_log", "Allow")
    _pick(page, "grant_setup", "Deny")
    shot(page, "11-group-dialog")
    page.click("#group-save")
    expect(toast(page)).to_contain_text("Group added")
    expect(page.locator("#groups-table")).to_contain_text(group)
    expect(page.locator("#groups-table tr", has_text=group)).to_contain_text("Allow: Log")

    page.click("#add-user")
    page.fill("#name", name)
    page.fill("#email", "nora@nodot")  # passes the browser, not us
    page.fill("#password", "short")
    page.click("#user-save")
    expect(page.locator("#email-error")).to_contain_text("valid email")
    expect(page.locator("#password-error")).to_contain_text("at least 10")
    shot(page, "12-user-dialog-errors")
    with live_app.session() as session:
        assert session.exec(select(OperatorUser).where(OperatorUser.name == name)).first() is None

    page.fill("#email", email)
    page.fill("#password", "nora-password-1")
    _pick(page, "group_id", group)
    page.click("#user-save")
    expect(toast(page)).to_contain_text("User added")
    expect(page.locator("#users-table")).to_contain_text(email)
    shot(page, "13-users-after-add")
    with live_app.session() as session:
        nora = session.exec(select(OperatorUser).where(OperatorUser.email == email)).one()
        noc = session.exec(select(OperatorGroup).where(OperatorGroup.name == group)).one()
        assert (nora.role, nora.group_id, nora.enabled) == ("user", noc.id, True)

    # Delete asks first, then removes the row.
    page.get_by_role("button", name=f"Delete {name}").click()
    expect(page.get_by_text(f"Delete user {name}?")).to_be_visible()
    shot(page, "14-delete-confirmation")
    page.click("#confirm-delete")
    expect(toast(page)).to_contain_text("User deleted")
    expect(page.locator("#users-table")).not_to_contain_text(email)


# Counts each time a dialog appears, from the first byte of every page the context loads.
_DIALOG_WATCH = """
window.__dialogs = 0;
let open = 0;
new MutationObserver(() => {
  const now = document.querySelectorAll('[role=dialog]').length;
  if (now > open) window.__dialogs += 1;
  open = now;
}).observe(document, {childList: true, subtree: true});
"""


def test_a_dialog_left_open_stays_closed_after_a_reload(page: Page, live_app):
    """State outlives a reload: the dialog must not flash open from the snapshot before
    the page's load closes it (axe once caught one mid-fade)."""
    page.add_init_script(_DIALOG_WATCH)
    login(page, live_app.url, "admin@example.com", "admin-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + "/setup/account/users")
    expect(page.locator("#users-table")).to_contain_text("admin@example.com")
    page.click("#add-user")
    expect(page.get_by_role("dialog")).to_be_visible()
    assert page.evaluate("window.__dialogs") == 1  # positive control: the watch sees one

    page.reload()
    expect(page.locator("#users-table")).to_contain_text("admin@example.com")
    page.wait_for_timeout(1000)  # the load and its hydrated flag have both arrived
    assert page.evaluate("window.__dialogs") == 0
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.click("#add-user")  # and it still opens when asked
    expect(page.get_by_role("dialog")).to_be_visible()


def test_user_without_permission_is_refused_on_the_server(page: Page, live_app):
    login(page, live_app.url, "support@example.com", "support-password-1")
    page.wait_for_url(live_app.url + "/")
    expect(page.get_by_text("Welcome")).to_be_visible()
    nav = page.locator("nav")
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)
    shot(page, "20-support-dashboard")

    page.goto(live_app.url + "/setup/account/users")
    # The page says so once (no error toast on top): its loader is not even sent, and the
    # server refuses it anyway (tests/state, tests/live/test_socketio_guard.py).
    expect(page.locator("#no-access")).to_contain_text("No access to Users")
    expect(page.get_by_text("admin@example.com")).to_have_count(0)
    shot(page, "21-support-users-refused")

    page.goto(live_app.url + "/setup/account/configuration")
    expect(page.get_by_text("changing it needs the Setup permission")).to_be_visible()
    shot(page, "22-support-configuration-read-only")


def _next_code(secret: str) -> str:
    """A code from a time-step not used yet: enrolment used the current one. The next
    step's code, as an authenticator whose clock runs up to 30 s ahead shows it: the
    server accepts one step either side (services/auth.py ``totp_accept``)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_totp_enrolment_and_login_with_a_code(page: Page, live_app):
    tina = f"tina-{attempt_tag()}@example.com"
    with live_app.session() as session:
        user_create(
            session=session,
            actor=SYSTEM,
            data={
                "name": "Tina Totp",
                "email": tina,
                "password": "tina-password-1",
                "role": "admin",
                "enabled": True,
            },
        )
        session.commit()
    login(page, live_app.url, tina, "tina-password-1")
    page.wait_for_url(live_app.url + "/")
    page.goto(live_app.url + "/setup/account/personal")
    page.click("#totp-start")
    secret = page.locator("#totp-secret").inner_text().strip()
    assert len(secret) == 32
    expect(page.get_by_alt_text("QR code for your authenticator app")).to_be_visible()
    shot(page, "30-totp-enrolment")

    page.fill("#totp_code", "000000")
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#totp_code-error")).to_contain_text("does not match")
    page.fill("#totp_code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#recovery-codes code")).to_have_count(10)
    expect(page.locator("#totp-status")).to_have_text("On")
    shot(page, "31-totp-recovery-codes")

    page.click("#user-menu")
    page.click("#logout")
    page.wait_for_url(re.compile(r".*/login/?(\?.*)?$"))
    login(page, live_app.url, tina, "tina-password-1")
    expect(page.locator("#code")).to_be_visible()
    shot(page, "32-login-code-step")
    page.fill("#code", "123456")
    page.click("#code-submit")
    expect(page.locator("#login-error")).to_contain_text("not valid")
    page.fill("#code", _next_code(secret))
    page.click("#code-submit")
    page.wait_for_url(live_app.url + "/")
    expect(page.get_by_text("Operator users")).to_be_visible()

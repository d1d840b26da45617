"""The customer portal and white-label as visitors and designers meet them, in Chromium:
the brand's root leads to the login (with sign-up) or the portal, the menu marks the page,
errors go once answered, hidden sections say so once, 404s keep the brand, and a brand's
colours and CSS reach every heading, button and link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal_app.models import DomainStatus, PortalDomain
from portal_app.services.brand_colours import contrast
from portal_app.services.domains import domain_create
from portal_app.services.identity import SYSTEM
from portal_app.settings import get_settings

from .axe import ensure_axe, violations
from .conftest import attempt_tag
from .test_accessibility import CONTACT, acme
from .test_browser_flows import login, served, shot, toast

pytestmark = [pytest.mark.live, pytest.mark.browser]
# The machine running these is shared and busy: a dialog can take longer than the 5 s
# default to fill in. Waiting longer changes no assertion (nothing here is timed).
expect.set_options(timeout=20_000)


def _page(browser) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(20_000)
    return page


def _portal_login(page: Page, brand: str, email: str, password: str) -> None:
    page.goto(brand + "/portal/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r".*/portal/?$"))


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _parse(css_rgb: str) -> tuple[int, int, int]:
    r, g, b = (int(x) for x in css_rgb.removeprefix("rgb(").removesuffix(")").split(",")[:3])
    return r, g, b


def test_the_brand_root_shows_the_login_and_sign_up_then_the_portal(browser, live_app):
    page, brand = _page(browser), acme(live_app)
    page.goto(brand + "/")
    page.wait_for_url(re.compile(r".*/portal/login/?$"))
    expect(page.locator("#login-submit")).to_be_visible()
    expect(page.locator("#signup-customer")).to_be_visible()
    expect(page.locator("#signup-carrier")).to_be_visible()
    shot(page, "110-brand-root-visitor")
    _portal_login(page, brand, *CONTACT)
    page.goto(brand + "/")
    page.wait_for_url(re.compile(r".*/portal/?$"))
    expect(page.locator("#portal-customer")).to_be_visible()
    # The portal's menu marks the page, also after a direct link with a trailing slash.
    page.goto(brand + "/portal/balance/")
    expect(page.locator("#portal-nav-balance")).to_have_attribute("aria-current", "page")
    expect(page.locator('.cp-portal-nav a[aria-current="page"]')).to_have_count(1)
    page.reload()
    expect(page.locator("#portal-nav-balance")).to_have_attribute("aria-current", "page")
    shot(page, "111-portal-menu-current")
    # A missing page keeps the brand and leads back to the portal.
    page.goto(brand + "/portal/nothing-here")
    expect(page.locator("#brand-name")).to_have_text("Acme Telecom")
    expect(page.locator("#not-found")).to_contain_text("This page does not exist")
    shot(page, "112-brand-not-found")
    page.click("#not-found-back")
    expect(page.locator("#portal-customer")).to_be_visible()
    page.context.close()


def test_the_terms_error_goes_as_soon_as_the_box_is_ticked(browser, live_app):
    page = _page(browser)
    page.goto(acme(live_app) + "/portal/signup?kind=customer")
    page.get_by_label("Company name").fill("Terms Test Ltd")  # labels name their fields
    page.get_by_label("Your name").fill("Tess Terms")
    page.get_by_label("Email (your login)").fill("tess@terms.example")
    page.get_by_label("Password").fill("tess-terms-pass-1")
    page.get_by_label("Phone").fill("+44 20 7946 0000")
    page.click("#signup-submit")  # no country, no terms
    expect(page.locator("#terms-error")).to_be_visible()
    expect(page.locator("#terms")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("I accept the terms of service of Acme Telecom.").check()
    expect(page.locator("#terms-error")).to_have_count(0)
    expect(page.locator("#country-error")).to_be_visible()  # the others wait for their fix
    page.context.close()


def test_a_hidden_section_says_so_once(browser, live_app):
    page = _page(browser)
    brand = acme(live_app)
    _portal_login(page, brand, "nils@northwind.example", "northwind-pass-1")  # Contacts hidden
    page.goto(brand + "/portal/contacts")
    expect(page.locator("#portal-unavailable")).to_be_visible()
    page.click("#portal-nav-home")  # this tab's events run in order: the last page's are done
    expect(page.locator("#portal-customer")).to_be_visible()
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)
    page.context.close()


def _brand_domain(live_app, host: str) -> int:
    with live_app.session() as session:
        domain = domain_create(
            session=session,
            actor=SYSTEM,
            settings=get_settings(),
            data={
                "host": host,
                "brand_name": "Colour Test Telecom",
                "currencies": ["USD"],
                "customer_signup": True,
                "custom_css": "body { font-family: Georgia, serif; }\nh2 { font-size: 40px; }",
            },
        )
        domain.status = DomainStatus.VERIFIED.value
        session.add(domain)
        session.commit()
        return domain.id


def test_brand_colours_and_css_reach_every_heading_and_control(browser, live_app):
    host = f"colours-{attempt_tag()}.localhost"
    domain_id = _brand_domain(live_app, host)
    op = _page(browser)
    login(op, live_app.url, "admin@example.com", "admin-password-1")
    op.wait_for_url(live_app.url + "/")
    op.goto(live_app.url + "/setup/integrations/portal")
    op.get_by_role("button", name=host, exact=True).click()
    op.get_by_role("tab", name="Advanced").click()
    op.fill("#accent_color", "#0a7")
    op.fill("#header_color", "#fff; } body { display: none")  # CSS never gets through
    op.click("#domain-save")
    expect(op.locator("#header_color-error")).to_contain_text("#rrggbb")
    expect(op.locator("#header_color")).to_have_attribute("aria-invalid", "true")
    shot(op, "113-brand-colour-refused")
    op.fill("#header_color", "#123456")
    op.click("#domain-save")
    expect(toast(op)).to_contain_text("Domain saved")
    with live_app.session() as session:
        saved = session.get(PortalDomain, domain_id)
        assert (saved.accent_color, saved.header_color) == ("#00aa77", "#123456")

    page = _page(browser)
    port = live_app.url.rsplit(":", 1)[1]
    served(page, f"http://{host}:{port}/portal/login")
    button = page.locator("#login-submit")
    expect(button).to_have_css("background-color", _rgb("#00aa77"))
    expect(page.locator(".cp-brand-header")).to_have_css("background-color", _rgb("#123456"))
    header_text = _parse(page.locator("#brand-name").evaluate("e => getComputedStyle(e).color"))
    assert contrast(header_text, (0x12, 0x34, 0x56)) >= 4.5
    link = _parse(page.locator("#forgot-link").evaluate("e => getComputedStyle(e).color"))
    assert link != (62, 99, 221) and contrast(link, (255, 255, 255)) >= 4.5  # not indigo
    # The brand's CSS wins over the theme where it targets something: body's font reaches
    # the headings, labels, fields and buttons; its h2 rule beats the component's size.
    for selector in ("#brand-name", "h2", "label", "#email", "#login-submit"):
        font = page.locator(selector).first.evaluate("e => getComputedStyle(e).fontFamily")
        assert font.startswith("Georgia"), (selector, font)
    expect(page.locator("h2").first).to_have_css("font-size", "40px")
    shot(page, "114-brand-colours-light")
    assert violations(page, ensure_axe()) == []
    page.emulate_media(color_scheme="dark")
    page.reload()
    expect(button).to_have_css("background-color", _rgb("#00aa77"))
    shot(page, "115-brand-colours-dark")
    assert violations(page, ensure_axe()) == []
    op.context.close()
    page.context.close()


def test_the_demo_brands_use_their_colours(browser, live_app):
    page = _page(browser)
    port = live_app.url.rsplit(":", 1)[1]
    page.goto(f"http://acme.localhost:{port}/portal/login")
    expect(page.locator("#login-submit")).to_have_css("background-color", _rgb("#dc2626"))
    page.goto(f"http://globex.localhost:{port}/portal/login")
    expect(page.locator("#login-submit")).to_have_css("background-color", _rgb("#16a34a"))
    with live_app.session() as session:
        globex = session.exec(
            select(PortalDomain).where(PortalDomain.host == "globex.localhost")
        ).one()
        assert "body" in globex.custom_css  # its CSS sets the body font
    font = page.locator("#login-submit").evaluate("e => getComputedStyle(e).fontFamily")
    assert font.startswith("Georgia")
    page.context.close()

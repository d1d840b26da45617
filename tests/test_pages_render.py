"""Every page of the app builds and renders, as `reflex run` compiles it.

Errors in a page body (a var of the wrong type for a prop, a field that shadows a var
method) only surface when the page is evaluated; this finds them in seconds instead of
at the start of the served app.
"""

from __future__ import annotations

import pytest

import portal_app.portal_app as app_module

PAGES = app_module.app._unevaluated_pages


def test_the_app_has_every_page():
    routes = set(PAGES)
    assert {"index", "login", "portal", "portal/cdr", "management/rate-cards"} <= routes
    assert len(routes) >= 22


@pytest.mark.parametrize("route", sorted(PAGES))
def test_page_renders(route):
    page = PAGES[route]
    component = page.component() if callable(page.component) else page.component
    rendered = component.render()
    assert rendered and "name" in rendered

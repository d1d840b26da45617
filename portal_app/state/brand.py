"""What a brand host shows: the brand chosen by the host, never any access."""

from __future__ import annotations

import json

import reflex as rx

from portal_app import routes
from portal_app.services.db import session_scope
from portal_app.services.domain_brands import brand_lookup
from portal_app.services.domain_validation import script_src

from .base import AppState
from .guard import Need, guarded


class BrandState(AppState):
    found: bool = False
    checked: bool = False
    brand_name: str = ""
    logo_url: str = ""
    custom_css: str = ""
    palette_css: str = ""  # the brand's colours, built from validated values only
    footer: str = ""
    customer_signup: bool = False
    carrier_signup: bool = False
    currencies: list[str] = []

    @guarded(Need.PUBLIC)
    def load_brand(self):
        """Pick the brand for this host (public: it shows what anyone may see)."""
        with session_scope() as session:
            brand = brand_lookup(session=session, host=self._host())
        self.checked = True
        if brand is None:
            self.found, self.brand_name, self.logo_url = False, "", ""
            self.custom_css = self.footer = self.palette_css = ""
            return rx.call_script("document.title = 'Portal not configured'")
        self.found = True
        self.brand_name, self.logo_url = brand.brand_name, brand.logo_url
        self.custom_css, self.footer = brand.custom_css, brand.footer
        self.palette_css = brand.palette_css
        self.customer_signup, self.carrier_signup = brand.customer_signup, brand.carrier_signup
        self.currencies = list(brand.currencies) or ["USD"]
        if routes.is_control_page(self.router.url.path):
            # The brand's root (or a control-panel address) on a brand host: its portal,
            # which shows the login and sign-up to visitors and the portal to contacts.
            return rx.redirect(routes.PORTAL)
        events = [rx.call_script(f"document.title = {json.dumps(brand.brand_name)}")]
        if src := script_src(brand.custom_js):
            events.append(
                rx.call_script(
                    "(() => { const s = document.createElement('script'); "
                    f"s.src = {json.dumps(src)}; document.head.appendChild(s); }})()"
                )
            )
        elif brand.custom_js.strip():
            # The operator's own script for their own brand (spec: Advanced > Javascript).
            events.append(rx.call_script(brand.custom_js))
        return events

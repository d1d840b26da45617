"""The customer portal's frame on a brand host: logo, brand name, the brand's CSS, footer."""

from __future__ import annotations

import reflex as rx

from portal_app.state.brand import BrandState as B


def not_configured() -> rx.Component:
    """The neutral page for unknown or unverified hosts: it reveals nothing."""
    return rx.center(
        rx.vstack(
            rx.heading("Portal not configured", size="6", as_="h1"),
            rx.text("There is nothing here yet.", color_scheme="gray"),
            align="center",
        ),
        height="100vh",
        id="not-configured",
    )


def brand_frame(content: rx.Component) -> rx.Component:
    """The brand's header (logo, name), its CSS and footer around ``content``."""
    return rx.box(
        # The brand's colours, then its own CSS (which may still change them): both sit
        # outside the theme's cascade layers, so they win over it (assets/BRANDING.md).
        rx.el.style(B.palette_css),
        rx.el.style(B.custom_css),
        rx.el.header(
            rx.hstack(
                rx.cond(
                    B.logo_url != "",
                    rx.image(src=B.logo_url, alt=B.brand_name, max_height="48px", id="brand-logo"),
                ),
                rx.heading(B.brand_name, size="6", as_="h1", id="brand-name"),
                align="center",
                spacing="3",
            ),
            class_name="cp-brand-header",
        ),
        rx.el.main(content, class_name="cp-brand-main"),
        rx.el.footer(rx.text(B.footer, size="2", id="brand-footer"), class_name="cp-brand-footer"),
        class_name="cp-brand-shell",
    )


def brand_page() -> rx.Component:
    """A control-panel address on a brand host: the brand's portal takes over
    (BrandState.load_brand redirects there); unknown hosts get the neutral page."""
    return rx.cond(
        B.checked & ~B.found, not_configured(), rx.center(rx.spinner(size="3"), height="100vh")
    )

"""Page not found (404), styled for the app the host serves, with a way back."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.brand import brand_frame, not_configured
from portal_app.state.brand import BrandState as B
from portal_app.state.not_found import NotFoundState as S


def _message(back: str, href: str) -> rx.Component:
    return rx.vstack(
        rx.icon("map-pin-off", size=36, color=rx.color("gray", 10)),
        rx.text("404", size="2", color_scheme="gray", weight="medium"),
        rx.text("This page does not exist.", size="4", weight="bold"),
        rx.text(
            "The address may be mistyped, or the page has moved.", size="2", color_scheme="gray"
        ),
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), back, align="center", spacing="1"),
            href=href,
            id="not-found-back",
            margin_top="0.5em",
        ),
        align="center",
        spacing="2",
        class_name="cp-not-found",
        justify="center",
        id="not-found",
    )


def _control() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.image(src="/logo.svg", alt="", width="32px", height="32px"),
                    rx.heading("Page not found", size="5", as_="h1"),
                    align="center",
                ),
                _message("Back to the dashboard", routes.DASHBOARD),
                spacing="4",
                align="center",
            ),
            class_name="cp-login-card",
            size="4",
        ),
        class_name="cp-login-bg",
        min_height="100vh",
        padding="1em",
    )


def _brand() -> rx.Component:
    return rx.cond(
        B.found,
        brand_frame(
            rx.vstack(
                rx.heading("Page not found", size="5", as_="h2"),
                _message("Back to the portal", routes.PORTAL),
                align="center",
                width="100%",
            )
        ),
        rx.cond(B.checked, not_configured(), rx.center(rx.spinner(size="3"), height="100vh")),
    )


def not_found_page() -> rx.Component:
    return rx.cond(S.control_host, _control(), _brand())

"""The customer portal's frame on a brand host: the brand's header, menu and footer."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from portal_app import routes
from portal_app.components.brand import brand_frame, not_configured
from portal_app.components.nav import nav_attrs
from portal_app.state.brand import BrandState as B
from portal_app.state.portal import PortalState as P


def _menu_link(item) -> rx.Component:
    return rx.link(
        item.label,
        href=item.href,
        underline="none",
        class_name="cp-portal-link",
        custom_attrs=nav_attrs(P.router.url.path, item.href),
        id="portal-nav-" + item.key,
    )


def _nav() -> rx.Component:
    return rx.hstack(
        rx.el.nav(
            rx.link(
                "Overview",
                href=routes.PORTAL,
                underline="none",
                class_name="cp-portal-link",
                custom_attrs=nav_attrs(P.router.url.path, routes.PORTAL),
                id="portal-nav-home",
            ),
            rx.foreach(P.menu, _menu_link),
            class_name="cp-portal-nav",
            aria_label="Portal sections",
        ),
        rx.spacer(),
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("circle-user", size=16),
                    P.contact_name,
                    variant="ghost",
                    id="portal-me",
                )
            ),
            rx.menu.content(
                rx.box(rx.text(P.customer_name, size="1", color_scheme="gray"), padding="0.5em"),
                rx.cond(
                    P.sections.contains("profile"),
                    rx.menu.item("Profile", on_click=rx.redirect(routes.PORTAL_PROFILE)),
                ),
                rx.menu.separator(),
                rx.menu.item("Log out", on_click=P.logout_portal, id="portal-logout"),
            ),
            # Not modal: a modal menu hides the page from screen readers (aria-hidden)
            # while its links stay focusable, which axe reports; Escape still closes it.
            modal=False,
        ),
        rx.color_mode.button(variant="ghost", aria_label="Toggle dark mode"),
        align="center",
        width="100%",
        class_name="cp-portal-bar",
    )


def _viewing_banner() -> rx.Component:
    """An operator's "view as" tab says so on every page, with the way back."""
    return rx.cond(
        P.viewer != "",
        rx.callout.root(
            rx.flex(
                rx.icon("eye", size=18, flex_shrink="0"),
                rx.text(
                    rx.text.strong("Viewing as ", P.contact_name, " — read-only"),
                    " (",
                    P.role_label,
                    "). You see the portal exactly as this contact does; nothing can be "
                    "changed from this tab. Your control panel is still open in its own tab.",
                    size="2",
                    flex="1",
                    min_width="200px",
                ),
                rx.button(
                    rx.icon("log-out", size=14),
                    "End view",
                    size="1",
                    variant="surface",
                    color_scheme="gray",
                    high_contrast=True,
                    on_click=P.logout_portal,
                    id="view-as-end",
                ),
                spacing="3",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            color_scheme="amber",
            width="100%",
            id="view-as-banner",
            role="status",
        ),
    )


def writable(component: rx.Component, own: bool = False) -> rx.Component:
    """``component`` when this session may change things, else a short note instead.
    ``own``: it changes only the contact's own login (allowed to a Read-only role,
    never to an operator's view). The server refuses the handlers either way."""
    blocked = (P.viewer != "") if own else P.read_only
    note = rx.cond(
        P.viewer != "",
        "Read-only view: changes are made by the contact.",
        "Your role is Read-only: ask an Owner of your account to make changes.",
    )
    return rx.cond(
        blocked,
        rx.text(note, size="2", color_scheme="gray", class_name="cp-read-only-note"),
        component,
    )


def unavailable() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("lock", size=28, color=rx.color("gray", 10)),
            rx.heading("Not available", size="4", as_="h2"),
            rx.text(
                rx.cond(
                    P.role_label != "",
                    "This section is not part of your portal with your role ("
                    + P.role_label
                    + ").",
                    "This section is not part of your portal.",
                ),
                color_scheme="gray",
                size="2",
            ),
            align="center",
            spacing="2",
            padding="2em",
        ),
        id="portal-unavailable",
    )


def portal_page(body: Callable[[], rx.Component], section: str | None = None):
    """A page for logged-in contacts. With ``section``, it shows only when the
    customer's effective access includes it (the server refuses its handlers anyway)."""

    def page() -> rx.Component:
        content = (
            body()
            if section is None
            else rx.cond(P.sections.contains(section), body(), unavailable())
        )
        return rx.cond(
            B.found,
            brand_frame(
                rx.cond(
                    P.logged_in,
                    rx.vstack(_viewing_banner(), _nav(), content, spacing="5", width="100%"),
                    rx.center(rx.spinner(size="3"), padding="4em"),
                )
            ),
            rx.cond(B.checked, not_configured(), rx.center(rx.spinner(size="3"), height="100vh")),
        )

    page.__name__ = body.__name__
    return page


def public_portal_page(body: Callable[[], rx.Component]):
    """A portal page for visitors (login, forgot password, set password)."""

    def page() -> rx.Component:
        return rx.cond(
            B.found,
            brand_frame(rx.center(body(), width="100%", padding_y="2em")),
            rx.cond(B.checked, not_configured(), rx.center(rx.spinner(size="3"), height="100vh")),
        )

    page.__name__ = body.__name__
    return page

"""The control-panel shell: sidebar with the spec's structure, header, content."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from portal_app import routes
from portal_app.components.brand import brand_page
from portal_app.components.forms import H2
from portal_app.components.nav import nav_attrs
from portal_app.state.base import AppState


def _allowed(area: str | tuple[str, ...]):
    """Whether the operator's areas include ``area`` (or any of a tuple of them)."""
    areas = (area,) if isinstance(area, str) else area
    allowed = AppState.me_areas.contains(areas[0])
    for other in areas[1:]:
        allowed = allowed | AppState.me_areas.contains(other)
    return allowed


def _link(
    label: str, href: str, icon: str, area: str | tuple[str, ...] | None = None
) -> rx.Component:
    item = rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2"), align="center", spacing="2"),
        href=href,
        underline="none",
        class_name="cp-nav-link",
        custom_attrs=nav_attrs(AppState.router.url.path, href),
    )
    if area is None:
        return item
    return rx.cond(_allowed(area), item)


def _heading(label: str) -> rx.Component:
    return rx.text(label, class_name="cp-nav-heading", size="1", weight="bold")


def sidebar() -> rx.Component:
    return rx.el.nav(
        rx.link(
            rx.hstack(
                rx.image(src="/logo.svg", alt="", height="28px", width="28px"),
                rx.text("Carrier Portal", weight="bold", size="4"),
                align="center",
            ),
            href=routes.DASHBOARD,
            underline="none",
            class_name="cp-brand",
        ),
        rx.flex(
            _link("Dashboard", routes.DASHBOARD, "layout-dashboard"),
            rx.cond(
                AppState.me_areas.contains("portal")
                | AppState.me_areas.contains("customer")
                | AppState.me_areas.contains("card"),
                _heading("Management"),
            ),
            _link("Customers", routes.CUSTOMERS, "building", area="customer"),
            rx.cond(
                AppState.me_areas.contains("customer") | AppState.me_areas.contains("carrier"),
                rx.link(
                    rx.hstack(
                        rx.icon("user-check", size=16),
                        rx.text("Pending Approval", size="2"),
                        rx.spacer(),
                        rx.cond(
                            AppState.pending_count > 0,
                            rx.badge(
                                AppState.pending_count, color_scheme="orange", id="pending-badge"
                            ),
                        ),
                        align="center",
                        spacing="2",
                        width="100%",
                    ),
                    href=routes.PENDING,
                    underline="none",
                    class_name="cp-nav-link",
                    custom_attrs=nav_attrs(AppState.router.url.path, routes.PENDING),
                ),
            ),
            _link("Rate Cards", routes.RATE_CARDS, "tags", area="card"),
            _link("Payments", routes.PAYMENTS, "banknote", area="payment"),
            rx.cond(
                AppState.me_areas.contains("portal"),
                rx.fragment(
                    rx.text("File", class_name="cp-nav-subheading", size="1"),
                    _link("Public", routes.PUBLIC_FILES, "folder-open"),
                ),
            ),
            rx.cond(_allowed(("cdr", "report")), _heading("Report")),
            _link("CDR Report", routes.CDR_REPORT, "phone-call", area="cdr"),
            _link("Breakout Report", routes.BREAKOUT_REPORT, "chart-pie", area=("cdr", "report")),
            _heading("Setup"),
            rx.text("Integrations", class_name="cp-nav-subheading", size="1"),
            _link("Portal", routes.PORTAL_DOMAINS, "globe", area="portal"),
            rx.text("My Account", class_name="cp-nav-subheading", size="1"),
            _link("Configuration", routes.CONFIGURATION, "building-2"),
            _link("Personal Information", routes.PERSONAL, "user-round"),
            _link("Users", routes.USERS, "users", area="user"),
            rx.cond(AppState.me_is_admin, _link("Settings", routes.SECURITY, "shield-check")),
            _link("API", routes.GATEWAYS, "credit-card", area="payment"),
            _link("Audit Log", routes.AUDIT_LOG, "scroll-text", area="log"),
            _link("Email Log", routes.EMAIL_LOG, "mail", area="setup"),
            _link("My Servers", routes.MY_SERVERS, "server", area="setup"),
            _link("Usage", routes.USAGE, "chart-column", area=("cdr", "report")),
            direction="column",
            spacing="1",
        ),
        class_name="cp-sidebar",
        aria_label="Main navigation",
    )


def _drawer() -> rx.Component:
    """Phones: the menu button opens the sidebar's links in a drawer (Radix dialog: focus
    stays inside, Escape closes it, focus returns to the button)."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.icon_button(
                rx.icon("menu", size=20),
                variant="ghost",
                aria_label="Open the menu",
                class_name="cp-menu-button",
                id="menu-button",
            )
        ),
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title("Menu", size="3", margin="0", custom_attrs=H2),
                rx.spacer(),
                rx.dialog.close(
                    rx.icon_button(rx.icon("x", size=18), variant="ghost", aria_label="Close")
                ),
                align="center",
                margin_bottom="0.5em",
            ),
            rx.dialog.description("The control panel's pages.", class_name="cp-sr-only"),
            sidebar(),
            class_name="cp-drawer",
            id="menu-drawer",
        ),
    )


def header(title: str) -> rx.Component:
    return rx.hstack(
        _drawer(),
        rx.heading(title, size="6", as_="h1"),
        rx.spacer(),
        rx.hstack(
            rx.color_mode.button(aria_label="Toggle dark mode", variant="ghost"),
            rx.menu.root(
                rx.menu.trigger(
                    rx.button(
                        rx.icon("circle-user-round", size=16),
                        rx.text.span(AppState.me_name, class_name="cp-me-name"),
                        variant="soft",
                        id="user-menu",
                    ),
                ),
                rx.menu.content(
                    rx.menu.item(AppState.me_email, disabled=True),
                    rx.menu.separator(),
                    rx.menu.item("Personal Information", on_select=rx.redirect(routes.PERSONAL)),
                    rx.menu.item("Log out", on_select=AppState.logout, color="red", id="logout"),
                ),
            ),
            align="center",
            spacing="3",
        ),
        class_name="cp-header",
        align="center",
        width="100%",
    )


def not_control_host() -> rx.Component:
    """A control-panel route opened on a brand host shows that brand (or nothing)."""
    return brand_page()


def no_access(title: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("lock", size=32, color=rx.color("gray", 10)),
            rx.heading(f"No access to {title}", size="4", as_="h2"),
            rx.text(
                "Your group does not allow this area. Ask an administrator if you need it.",
                color_scheme="gray",
                size="2",
            ),
            align="center",
            spacing="2",
            padding="2em",
        ),
        width="100%",
        id="no-access",
    )


def control_page(
    title: str, body: Callable[[], rx.Component], area: str | tuple[str, ...] | None = None
) -> Callable[[], rx.Component]:
    """Wrap a page body in the shell; nothing is shown until the session is known.

    ``area`` (or any of a tuple of areas) only chooses what to show: the page's handlers
    check it on the server.
    """

    def content() -> rx.Component:
        if area is None:
            return body()
        return rx.cond(_allowed(area), body(), no_access(title))

    def page() -> rx.Component:
        return rx.cond(
            AppState.control_host,
            rx.cond(
                AppState.logged_in,
                rx.box(
                    # The fragment alone does not move focus in the app's router: focus it too.
                    rx.el.a(
                        "Skip to content",
                        href="#content",
                        class_name="cp-skip",
                        on_click=rx.set_focus("content"),
                    ),
                    sidebar(),
                    rx.el.main(
                        header(title),
                        rx.box(content(), class_name="cp-content", id="content", tab_index=-1),
                        class_name="cp-main",
                        id="main",
                    ),
                    class_name="cp-shell",
                ),
                rx.center(rx.spinner(size="3"), height="100vh"),
            ),
            not_control_host(),
        )

    page.__name__ = body.__name__
    return page

"""The portal domain editor's Advanced tab: the brand's Javascript and CSS (administrators
only), logo, footer and colours."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field, text_input
from portal_app.state.domains import DomainsState as S


def _colour(key: str, label: str, hint: str) -> rx.Component:
    """A brand colour as #rrggbb, with a swatch of the saved one (empty: the theme's)."""
    saved = S.swatches[key]
    return field(
        label,
        rx.hstack(
            rx.box(
                class_name="cp-swatch",
                background=rx.cond(saved != "", saved, "var(--accent-9)"),
                aria_hidden="true",
            ),
            text_input(
                key, S.errors, default_value=S.form[key], placeholder="#dc2626", max_length=7
            ),
            align="center",
            width="100%",
        ),
        S.errors,
        key,
        hint=hint + " Empty keeps the theme's colour; text colours follow for contrast.",
    )


def _code(key: str, rows: str) -> rx.Component:
    """The brand's Javascript or CSS: monospace, read-only unless an administrator."""
    return rx.text_area(
        name=key,
        id=key,
        default_value=S.form[key],
        read_only=S.code_locked,
        rows=rows,
        font_family="monospace",
        width="100%",
    )


def advanced_tab() -> rx.Component:
    """The brand's code, logo, footer and colours."""
    f, e = S.form, S.errors
    return rx.vstack(
        rx.cond(
            S.code_locked,
            rx.callout(
                "Only administrators can change the Javascript and CSS: they run in "
                "your customers' browsers. You can change everything else.",
                icon="lock",
                color_scheme="gray",
                size="1",
                id="code-locked",
                width="100%",
            ),
        ),
        field(
            "Javascript",
            _code("custom_js", rows="4"),
            e,
            "custom_js",
            hint="Raw JavaScript, e.g. alert('Hello World'); or "
            '<script src="https://www.mydomain.com/custom.js"></script>',
        ),
        field(
            "CSS",
            _code("custom_css", rows="6"),
            e,
            "custom_css",
            hint="Layered over the portal theme, e.g. h1 { font-size: 2em; }",
        ),
        field(
            "Upload Logo",
            rx.select.root(
                rx.select.trigger(id="logo_file_id", width="100%"),
                rx.select.content(
                    rx.select.item("No logo", value="none"),
                    rx.foreach(S.logo_options, lambda o: rx.select.item(o[1], value=o[0])),
                ),
                name="logo_file_id",
                default_value=f["logo_file_id"],
            ),
            e,
            "logo_file_id",
            hint="Images uploaded to Management › File › Public (jpg, png or gif, at most "
            "350 px wide).",
        ),
        field(
            "Footer",
            text_input("footer", e, default_value=f["footer"], placeholder="Copyright My Company"),
            e,
            "footer",
        ),
        rx.grid(
            _colour("accent_color", "Accent colour", "Buttons, links and the active menu item."),
            _colour("header_color", "Header colour", "The bar with the logo and brand name."),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )

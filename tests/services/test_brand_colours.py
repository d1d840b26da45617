"""Brand colours: only #rrggbb is stored, the CSS is built from numbers, and every
derived text shade passes WCAG AA in light and dark mode (pure functions, no I/O)."""

from __future__ import annotations

import re

import pytest

from portal_app.services.brand_colours import (
    DARK_BG,
    LIGHT_BG,
    brand_palette_css,
    colour_check,
    contrast,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("#DC2626", "#dc2626"),
        ("dc2626", "#dc2626"),
        ("#0a7", "#00aa77"),
        (" #123456 ", "#123456"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_a_colour_is_stored_as_rrggbb_or_empty(typed, stored):
    assert colour_check(typed) == (stored, None)


@pytest.mark.parametrize(
    "typed",
    [
        "red",
        "#12345",
        "#1234567",
        "#ggg",
        "#fff; } body { display: none",
        "url(x)",
        "#fff\n}",
        "var(--x)",
        "rgb(1,2,3)",
    ],
)
def test_anything_else_is_refused_with_a_reason(typed):
    stored, problem = colour_check(typed)
    assert stored == "" and "#rrggbb" in problem


def _vars(css: str, selector: str) -> dict[str, str]:
    block = css.split(selector + " {", 1)[1].split("}", 1)[0]
    return dict(re.findall(r"(--[\w-]+): ([^;]+);", block))


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.mark.parametrize(
    "accent", ["#dc2626", "#16a34a", "#facc15", "#ffffff", "#000000", "#0ea5e9", "#7c3aed"]
)
def test_every_accent_gives_readable_text_in_light_and_dark(accent):
    css = brand_palette_css(accent_color=accent, header_color="")
    own = '[data-accent-color="indigo"]'
    for scale, background in (
        (_vars(css, own), LIGHT_BG),
        (_vars(css, f".dark{own}, .dark {own}"), DARK_BG),
    ):
        assert scale["--accent-9"] == accent
        for text in ("--accent-11", "--accent-12"):
            tinted = _rgb(scale["--accent-4"])  # soft callouts and badges sit on tints
            assert contrast(_rgb(scale[text]), tinted) >= 4.5, (accent, text)
            assert contrast(_rgb(scale[text]), background) >= 4.5, (accent, text)
        on_button = contrast(_rgb(scale["--accent-contrast"]), _rgb(accent))
        assert on_button >= 4.5, accent


def test_the_header_colour_sets_its_own_readable_text():
    css = brand_palette_css(accent_color="", header_color="#fde047")
    values = _vars(css, ":root")
    assert values == {"--cp-header-bg": "#fde047", "--cp-header-fg": "#000000"}
    assert "accent" not in css


def test_no_colour_no_css_and_bad_stored_values_are_ignored():
    assert brand_palette_css(accent_color="", header_color="") == ""
    assert brand_palette_css(accent_color="red} body{x", header_color="#12") == ""

"""A brand's colours (Portal › Advanced: accent and header) and the CSS they become.

A colour is stored only as ``#rrggbb`` (validated here, server-side), and the CSS is
built from the parsed numbers, never from the text the operator typed: a colour field
cannot carry CSS of its own. From one accent colour the palette derives the shades the
component library uses (buttons, links, tabs, soft backgrounds), choosing text shades by
their WCAG contrast so that every brand still passes AA, in light and in dark mode.
"""

from __future__ import annotations

import re

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
FIELDS = {"accent_color": "Accent colour", "header_color": "Header colour"}
WHITE, BLACK = (255, 255, 255), (0, 0, 0)
LIGHT_BG, DARK_BG = (252, 252, 253), (17, 17, 19)  # the page backgrounds (Radix slate-1)
# How much of the accent each of Radix's steps 1-8 mixes into the background.
_STEPS = (0.02, 0.05, 0.10, 0.16, 0.22, 0.30, 0.40, 0.55)
_ALPHAS = (0.01, 0.03, 0.07, 0.11, 0.16, 0.22, 0.30, 0.42)
# The theme's default accent: the brand's palette replaces its shades only.
THEME_ACCENT = "indigo"

Rgb = tuple[int, int, int]


def colour_check(value: str) -> tuple[str, str | None]:
    """(the stored form, or the reason it is refused). Empty keeps the theme's colour."""
    text = str(value or "").strip()
    if not text:
        return "", None
    match = _HEX.match(text)
    if match is None:
        return "", "Enter a colour as #rrggbb (like #dc2626), or leave it empty."
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits}", None


def _rgb(colour: str) -> Rgb | None:
    stored, problem = colour_check(colour)
    if problem or not stored:
        return None
    return int(stored[1:3], 16), int(stored[3:5], 16), int(stored[5:7], 16)


def _hex(c: Rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*c)


def _mix(a: Rgb, b: Rgb, share_of_b: float) -> Rgb:
    r, g, bl = (round(x + (y - x) * share_of_b) for x, y in zip(a, b, strict=True))
    return r, g, bl


def luminance(c: Rgb) -> float:
    """WCAG relative luminance."""

    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Rgb, b: Rgb) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable_on(background: Rgb) -> Rgb:
    """White or black text, whichever reads better on ``background`` (one always
    reaches 4.5:1)."""
    return WHITE if contrast(WHITE, background) >= contrast(BLACK, background) else BLACK


def _toward(colour: Rgb, target: Rgb, against: Rgb, ratio: float) -> Rgb:
    """``colour`` moved toward ``target`` just enough to reach ``ratio`` against
    ``against`` (the colour itself when it already does)."""
    for step in range(0, 101, 2):
        candidate = _mix(colour, target, step / 100)
        if contrast(candidate, against) >= ratio:
            return candidate
    return target


def _scale(accent: Rgb, background: Rgb, text_toward: Rgb) -> dict[str, str]:
    """Radix's accent variables for one appearance (light or dark)."""
    solid = _mix(accent, text_toward, 0.1)
    # Text shades clear 4.5:1 against the page and the tinted (step 3-4) backgrounds.
    tint = _mix(background, accent, _STEPS[3])
    text = _toward(accent, text_toward, tint, 4.8)
    strong = _toward(accent, text_toward, tint, 9.0)
    out = {f"--accent-{n}": _hex(_mix(background, accent, s)) for n, s in enumerate(_STEPS, 1)}
    r, g, b = accent
    out |= {f"--accent-a{n}": f"rgba({r}, {g}, {b}, {a})" for n, a in enumerate(_ALPHAS, 1)}
    out |= {
        "--accent-9": _hex(accent),
        "--accent-10": _hex(solid),
        "--accent-11": _hex(text),
        "--accent-12": _hex(strong),
        "--accent-a9": _hex(accent),
        "--accent-a10": _hex(solid),
        "--accent-a11": _hex(text),
        "--accent-a12": _hex(strong),
        "--accent-contrast": _hex(readable_on(accent)),
        "--accent-surface": f"rgba({r}, {g}, {b}, 0.05)",
        "--accent-indicator": _hex(accent),
        "--accent-track": _hex(accent),
        "--cp-focus": _hex(text),
    }
    return out


def _block(selector: str, props: dict[str, str]) -> str:
    body = "".join(f"  {k}: {v};\n" for k, v in props.items())
    return f"{selector} {{\n{body}}}\n"


def brand_palette_css(*, accent_color: str, header_color: str) -> str:
    """The CSS custom properties of a brand's colours (empty for the theme's own).

    It sits outside the theme's cascade layers, so it wins over the theme; the brand's
    own CSS comes after it and can still change any of these variables."""
    css = ""
    accent = _rgb(accent_color)
    if accent is not None:
        own = f'[data-accent-color="{THEME_ACCENT}"]'
        css += _block(own, _scale(accent, LIGHT_BG, BLACK))
        css += _block(f".dark{own}, .dark {own}", _scale(accent, DARK_BG, WHITE))
    header = _rgb(header_color)
    if header is not None:
        css += _block(
            ":root",
            {"--cp-header-bg": _hex(header), "--cp-header-fg": _hex(readable_on(header))},
        )
    return css

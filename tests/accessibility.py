"""axe-core in the browser: the accessibility rules a page must pass, checked on the live page.

axe-core comes from npm (``tests/axe/package.json``, installed by ``scripts/system-deps``) and is
injected into the page Playwright has open; its violations are returned in words for the assertion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
"""The rule sets run: WCAG 2.2 A and AA (target size included) and axe's best practices."""


def axe_violations(page: Page) -> list[str]:
    """Every axe-core violation on the page, one line each: rule, impact, the first elements it names."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run 'npm ci --prefix tests/axe' (bash scripts/system-deps does)")
    for attempt in range(3):  # a page that reloads itself (a clinic visit whose files finish) is re-read
        page.wait_for_load_state("load")
        try:
            # evaluated through the DevTools protocol, not as an inline <script>: the pages' own
            # Content-Security-Policy (no inline script) must stay in force while axe checks them
            page.evaluate(f"() => {{ {AXE.read_text(encoding='utf-8')}\n; window.axe = axe; }}")
            result: dict[str, Any] = page.evaluate(
                "tags => axe.run(document, { runOnly: { type: 'tag', values: tags } })", RULES
            )
            break
        except PlaywrightError as error:
            if "context was destroyed" not in str(error) or attempt == 2:
                raise
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:4])
        for v in result["violations"]
    ]

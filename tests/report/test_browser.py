"""The HTML report in a real browser: headless Chromium loads the file the CLI wrote (from
the emulator serving the example seeds), and the test looks at what it rendered —

* a screenshot at 1280 × 2000 that is not blank (many colours, ink on the page);
* every chart drawn with a real size, labelled for assistive technology;
* no console message, no script error, no request but the file itself;
* the report's key numbers read back from the rendered page, equal to the figures
  computed by hand (:mod:`tests.report.expected`);
* the page printed (print CSS): a PDF, with the charts still drawn.

Skipped, with one line saying how to install it, where Chromium is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from reconciler.money import format_major
from tests.conftest import REPO, SEEDS
from tests.report.expected import PREMIUM_CENTS, TOTAL_CENTS, WORKSPACE_CENTS
from tests.support.browser import INSTALL_HINT, Chromium, Page, find_chromium, png_size
from tests.support.cli import CONSOLE_KEY, ENTERPRISE_KEY, invoke
from tests.support.emulator import running_emulator

pytestmark = pytest.mark.skipif(find_chromium() is None, reason=INSTALL_HINT)

SVG_SIZES = (
    "[...document.querySelectorAll('svg.chart')].map(s => {"
    " const r = s.getBoundingClientRect(); return [s.id, r.width, r.height]; })"
)
ACCESSIBLE = (
    "[...document.querySelectorAll('svg')].map(s => {"
    " const ids = (s.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);"
    " return [s.getAttribute('role'), s.querySelector(':scope > title')?.textContent || '',"
    "  s.querySelector(':scope > desc')?.textContent || '',"
    "  ids.map(i => document.getElementById(i)?.textContent || '')]; })"
)


def usd(cents: Decimal) -> str:
    return format_major(cents / 100, "USD")


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    with Chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def console_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("console") / "report.html"
    with running_emulator(SEEDS / "console.yaml", "--rate-scale", "100") as emu:
        args = ["report", str(REPO / "policies"), "--days", "29", "--format", "html"]
        result = invoke([*args, "--out", str(out)], url=emu.url, key=CONSOLE_KEY)
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def enterprise_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("enterprise") / "report.html"
    with running_emulator(SEEDS / "enterprise.yaml", "--rate-scale", "100") as emu:
        for email, amount in (("heidi@globex.example", "10000"), ("frank@globex.example", "8000")):
            body = {"email": email, "period": "monthly", "amount": amount}
            assert emu.control("POST", "spend", json=body).status_code == 200
        args = ["report", str(REPO / "examples" / "enterprise"), "--format", "html"]
        result = invoke([*args, "--out", str(out)], url=emu.url, key=ENTERPRISE_KEY)
    assert result.code == 0, result.err
    return out


def rendered(browser: Chromium, path: Path) -> Page:
    page = browser.open(path, width=1280, height=2000)
    assert page.console == [], page.console
    assert page.requests == [path.resolve().as_uri()]  # nothing fetched
    assert png_size(page.screenshot) == (1280, 2000)
    stats = browser.image_stats(page.screenshot)
    assert stats["colors"] > 50, stats  # text, charts and colours, not a blank page
    assert 0.05 < stats["ink"] < 0.9, stats
    # Readable at 1280 px: nothing wider than the window.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate("document.querySelectorAll('script, link, iframe, img').length") == 0
    for role, title, desc, labels in page.evaluate(ACCESSIBLE):
        assert role == "img" and title and desc and labels == [title, desc]
    return page


def charts(page: Page) -> dict[str, tuple[float, float]]:
    return {ident: (w, h) for ident, w, h in page.evaluate(SVG_SIZES)}


def text(page: Page, selector: str) -> Any:
    return page.evaluate(f"document.querySelector({selector!r})?.innerText")


def cells(page: Page, table: str, key: str) -> dict[str, list[str]]:
    """Each row of a table, by one of its data attributes: its cells' rendered text."""
    return dict(
        page.evaluate(
            f"[...document.querySelectorAll('#{table} tbody tr')]"
            f".map(r => [r.dataset.{key}, [...r.cells].map(c => c.innerText)])"
        )
    )


def test_the_console_report_renders_and_says_the_right_numbers(
    browser: Chromium, console_html: Path
) -> None:
    page = rendered(browser, console_html)
    assert page.evaluate("document.title") == (
        "Acme Health: usage and cost, the last 29 days — claude-policy report"
    )
    assert text(page, "h1") == "Acme Health: usage and cost, the last 29 days"
    drawn = charts(page)
    assert set(drawn) == {"chart-daily", "chart-workspaces", "chart-premium"}
    assert all(w > 1000 and h > 100 for w, h in drawn.values()), drawn
    # Columns in the daily chart: a stack a day, and each bar has a height.
    heights = page.evaluate(
        "[...document.querySelectorAll('#chart-daily rect[data-series]')]"
        ".map(r => r.getBoundingClientRect().height)"
    )
    assert len(heights) >= 28 * 2 and min(heights) > 0

    assert text(page, "#total-cost") == usd(TOTAL_CENTS)  # $1,890.33
    assert text(page, "#us-premium") == usd(PREMIUM_CENTS)  # $31.54
    assert text(page, "#us-premium-total") == usd(PREMIUM_CENTS)
    assert text(page, "#total-tokens") == "512,360,000"
    assert text(page, "#held-global") == "1 of 3"
    shown = {row[0].split(" (default")[0].replace("US-only", "").strip(): row[5]
             for row in cells(page, "table-workspaces", "workspaceId").values()}  # fmt: skip
    assert shown == {ws: usd(cents) for ws, cents in WORKSPACE_CENTS.items()}
    held = {row[0]: row[1] for row in cells(page, "table-held", "workspaceId").values()}
    assert held == {
        "claims-processing": "95.66%",
        "fraud-detection": "not created yet",
        "patient-portal": "0.00%",
    }


def test_the_console_report_prints(browser: Chromium, console_html: Path) -> None:
    # A4 less the page margins is about 705 CSS pixels wide: nothing may be wider.
    page = browser.open(console_html, width=705, height=2000)
    browser.call("Emulation.setEmulatedMedia", {"media": "print"}, page._session)
    assert page.evaluate("document.documentElement.scrollWidth") <= 705
    assert all(600 < w <= 705 and h > 50 for w, h in charts(page).values())
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type/Page") >= 1


def test_the_enterprise_report_renders_and_says_the_right_numbers(
    browser: Chromium, enterprise_html: Path
) -> None:
    page = rendered(browser, enterprise_html)
    assert text(page, "h1") == "Globex: spend against caps"
    drawn = charts(page)
    assert set(drawn) == {"chart-caps-p0", "chart-caps-p1"}  # monthly, daily
    assert all(w > 1000 and h > 100 for w, h in drawn.values()), drawn
    assert text(page, "#at-80") == "3"
    assert text(page, "#members") == "11"
    members = cells(page, "table-members-p0", "email")
    assert {email: row[3] for email, row in members.items()} == {
        "heidi@globex.example": "100.00%",
        "bob@globex.example": "81.33%",
        "frank@globex.example": "80.00%",
    }
    assert list(members) == ["heidi@globex.example", "bob@globex.example", "frank@globex.example"]
    bands = page.evaluate(
        "[...document.querySelectorAll('#chart-caps-p0 rect[data-series]')]"
        ".map(r => [r.querySelector('title').textContent, r.getBoundingClientRect().height])"
    )
    assert sorted(t for t, h in bands if t.startswith(("≥", "8"))) == ["80–90%: 2", "≥ 100%: 1"]
    assert all(h > 0 for _, h in bands)

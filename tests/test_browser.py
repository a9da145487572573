"""The rendered pages as partners see them, in headless Chromium with the network blocked.

Each page must pass axe-core with no serious or critical violation, request nothing from
the network, stay under 1 MB, fit a phone (390 px) and a desktop (1280 px) with charts whose
text stays legible, link to every other page, and print with page numbers. Needs Debian's
chromium (`make setup-browser`); set ASSESS_SKIP_BROWSER=1 to skip where it cannot be installed.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest

import params_facts as facts
from assess import present

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if os.environ.get("ASSESS_SKIP_BROWSER") == "1":
    pytest.skip("browser tests skipped by ASSESS_SKIP_BROWSER=1", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from pypdf import PdfReader  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A phone and a desktop, as the screenshots were taken.
WIDTHS = (390, 1280)
# The smallest text a chart may show, in CSS pixels: below it, a phone's reader cannot read it.
MIN_CHART_TEXT_PX = 10


class OfflineBrowser:
    """Chromium that refuses every request leaving the machine and records it."""

    def __init__(self, playwright):
        if not Path(CHROMIUM).exists():
            pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make setup-browser`")
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.requested: list[str] = []

    def page(self, width: int = 1280):
        page = self.browser.new_page(viewport={"width": width, "height": 900})
        page.route("**/*", self._gate)
        page.on("dialog", lambda dialog: (self.requested.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        return page

    def _gate(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.requested.append(url)
            route.abort()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        offline = OfflineBrowser(playwright)
        yield offline
        offline.browser.close()


def pages_of(run) -> list[Path]:
    """Every page of the run, index.html and glossary.html included: never an empty list to check nothing over."""
    result, out = run
    assert result.returncode == 0, result.stderr
    pages = sorted(out.glob("*.html"))
    assert len(pages) == facts.page_count() + 2, [p.name for p in pages]
    return pages


@dataclass(frozen=True)
class Visit:
    """What one page showed at one width: measured once, checked by several tests."""

    path: Path
    width: int
    page_width: int
    navs: list[dict]
    chart_text: list[dict]
    serious: list[tuple[str, list]]


# Each navigation landmark: its label, whether it shows, its links (resolved) and the current one.
NAVIGATION = """[...document.querySelectorAll('nav.assess-nav')].map(nav => ({
  label: nav.getAttribute('aria-label'),
  shown: getComputedStyle(nav).display !== 'none' && nav.getBoundingClientRect().height > 0,
  links: [...nav.querySelectorAll('a')].map(a => ({href: a.href, text: a.textContent.trim(),
                                                   current: a.getAttribute('aria-current')})),
}))"""
# Each displayed chart image's smallest text as shown: the smallest font of the image the browser
# chose (the phone's <source> or the desk's <img>) in image pixels, scaled by how wide the browser
# draws it against its own width.
CHART_TEXT = """[...document.querySelectorAll('img[data-min-text-px]')].filter(i => i.clientWidth > 0).map(i => {
  const source = [...i.parentElement.querySelectorAll('source[data-min-text-px]')]
    .find(s => s.getAttribute('srcset') === i.currentSrc);
  const chosen = source || i;
  return {src: source ? 'narrow' : 'wide', alt: i.alt.slice(0, 60),
          px: parseFloat(chosen.dataset.minTextPx) * i.clientWidth / i.naturalWidth};
})"""


@pytest.fixture(scope="module")
def visits(browser, default_run) -> list[Visit]:
    """Every page at every width, each loaded once: the measures the tests below check."""
    axe = Axe()
    result = []
    for width in WIDTHS:
        page = browser.page(width)
        for path in pages_of(default_run):
            page.goto(path.as_uri())
            page.wait_for_function("[...document.images].every(i => i.complete)")
            violations = axe.run(page).response["violations"]
            result.append(
                Visit(
                    path,
                    width,
                    page.evaluate("document.scrollingElement.scrollWidth"),
                    page.evaluate(NAVIGATION),
                    page.evaluate(CHART_TEXT),
                    [(v["id"], v["nodes"][0]["target"]) for v in violations if v["impact"] in ("serious", "critical")],
                )
            )
        page.close()
    assert len(result) == len(WIDTHS) * (facts.page_count() + 2)
    return result


def file_of(href: str) -> Path:
    """The file a resolved file: link points at."""
    url = urlparse(href)
    assert url.scheme == "file", href
    return Path(unquote(url.path))


class TestEveryPage:
    def test_axe_finds_no_serious_or_critical_violation_at_either_width(self, browser, visits):
        for visit in visits:
            assert visit.serious == [], f"{visit.path.name} at {visit.width}px: {visit.serious}"
        assert browser.requested == []

    def test_no_page_is_wider_than_the_screen(self, visits):
        for visit in visits:
            assert visit.page_width <= visit.width, f"{visit.path.name} is {visit.page_width}px wide at {visit.width}px"

    def test_every_page_links_to_every_page_and_marks_itself(self, visits):
        for visit in visits:
            name = f"{visit.path.name} at {visit.width}px"
            assert [nav["label"] for nav in visit.navs] == [
                "Pages of this assessment",
                "Pages of this assessment, end of page",
            ], name
            everything = {p.resolve() for p in visit.path.parent.glob("*.html")}
            for nav in visit.navs:
                assert nav["shown"], name
                targets = [file_of(link["href"]) for link in nav["links"]]
                assert all(t.is_file() for t in targets), f"{name}: {[t for t in targets if not t.is_file()]}"
                assert {t.resolve() for t in targets} == everything, name
                current = [file_of(link["href"]).name for link in nav["links"] if link["current"] == "page"]
                assert current == [visit.path.name], name
                # An area's own run has no county page to link to.
                assert "County" not in [link["text"] for link in nav["links"]], name

    def test_previous_and_next_follow_the_page_order(self, visits, default_run):
        order = [p.name for p in pages_of(default_run) if p.name != "index.html"]
        order = ["index.html", *sorted(order)]
        for visit in visits:
            steps = [link for link in visit.navs[0]["links"] if link["text"].startswith(("Previous:", "Next:"))]
            at = order.index(visit.path.name)
            expected = order[max(at - 1, 0) : at] + order[at + 1 : at + 2]
            assert [file_of(link["href"]).name for link in steps] == expected, visit.path.name

    def test_chart_text_is_at_least_10_css_px_at_either_width(self, visits):
        shown = [(visit, chart) for visit in visits for chart in visit.chart_text]
        assert shown, "no chart image carries data-min-text-px"
        # Both drawings are in use: the phone's at 390 px, the desk's at 1280 px.
        assert {chart["src"] for visit, chart in shown if visit.width < 600} == {"narrow"}
        assert {chart["src"] for visit, chart in shown if visit.width >= 1280} == {"wide"}
        small = [
            f"{visit.path.name} at {visit.width}px: {chart['alt']!r} shows {chart['px']:.1f}px text"
            for visit, chart in shown
            if chart["px"] < MIN_CHART_TEXT_PX
        ]
        assert small == []

    def test_pages_are_self_contained_and_small(self, default_run):
        for path in pages_of(default_run):
            assert path.stat().st_size < 1_000_000, path.name
            text = path.read_text(encoding="utf-8")
            assert "<script" not in text, path.name
            assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), path.name
            assert '<html lang="en-GB">' in text or '<html lang="en-GB"' in text, path.name

    def test_structure_alt_text_captions_and_headings(self, browser, default_run):
        page = browser.page()
        for path in pages_of(default_run):
            page.goto(path.as_uri())
            assert page.evaluate("[...document.images].every(i => (i.alt || '').length > 20)"), path.name
            assert page.evaluate(
                "[...document.querySelectorAll('table')].every(t => t.caption && t.caption.textContent.trim()"
                " && t.tHead && t.tHead.rows.length === 1)"
            ), path.name
            levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4')].map(h => +h.tagName[1])")
            assert levels[0] == 1 and levels.count(1) == 1, path.name
            assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"{path.name}: {levels}"
        page.close()


def printed(page) -> list[str]:
    """The page printed on A4 as Chromium prints it: the text of each sheet."""
    page.emulate_media(media="print")
    return [sheet.extract_text() for sheet in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages]


class TestPrint:
    @pytest.mark.parametrize("name", ["index.html", "90_scoring.html"])
    def test_prints_with_title_page_numbers_and_no_navigation(self, browser, default_run, name):
        page = browser.page()
        page.goto((default_run[1] / name).as_uri())
        title = page.title()
        sheets = printed(page)
        assert len(sheets) >= 2, name
        for number, text in enumerate(sheets, start=1):
            assert f"Page {number} of {len(sheets)}" in text, f"{name}, sheet {number}: {text[:80]!r}"
            assert text.startswith(title), f"{name}, sheet {number}: {text[:80]!r}"  # the running header
            assert "Next:" not in text and "Previous:" not in text, f"{name}, sheet {number}"
        assert page.evaluate("getComputedStyle(document.querySelector('.assess-table-region')).overflowX") == "visible"
        page.close()

    def test_a_folded_table_is_closed_on_screen_and_printed_open(self, browser, default_run, tmp_path):
        folded = present.Table(
            pd.DataFrame({"Month": ["January", "February"], "Recorded": [123_456, 7]}),
            "Recorded crimes per month, folded",
            {"Recorded": present.whole},
            collapsed=True,
        )
        index = (default_run[1] / "index.html").read_text(encoding="utf-8")
        probe = tmp_path / "folded.html"
        probe.write_text(index.replace("</h1>", "</h1>" + folded._repr_html_(), 1), encoding="utf-8")
        page = browser.page()
        page.goto(probe.as_uri())
        assert page.is_visible("summary:has-text('Recorded crimes per month, folded')")
        assert not page.is_visible("text=123,456")
        assert "123,456" in printed(page)[0]
        page.close()

"""Navigation between an area's pages: placeholders filled in place, within the folder only."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from assess.navigation import NavLink, link_pages

TOP = '<nav class="assess-nav" aria-label="Pages of this assessment"></nav>'
BOTTOM = '<nav aria-label="Pages of this assessment, end of page" class="assess-nav"></nav>'
PAGES = [
    NavLink("10_serious_acquisitive.html", "Serious and acquisitive crime"),
    NavLink("20_asb.html", "Anti-social behaviour"),
    NavLink("80_action_plan.html", "Action plan"),
]


def page(body: str = "<p>Text</p>") -> str:
    return f"<html><body><main>{TOP}<h1>Title</h1>{body}{BOTTOM}</main></body></html>"


@pytest.fixture
def folder(tmp_path):
    """An area's folder with the summary and three pages, each with both placeholders."""
    area = tmp_path / "area"
    area.mkdir()
    for name in ["index.html"] + [link.file for link in PAGES]:
        (area / name).write_text(page(), encoding="utf-8")
    return area


class Links(HTMLParser):
    """Each navigation's links as (href, text, attributes), in order."""

    def __init__(self):
        super().__init__()
        self.navs: list[list[tuple[str, str, dict]]] = []
        self._link: dict | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        if tag == "nav":
            self.navs.append([])
        elif tag == "a":
            self._link, self._text = dict(attrs), ""

    def handle_data(self, data):
        if self._link is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.navs[-1].append((self._link["href"], self._text, self._link))
            self._link = None


def navs_of(path) -> list[list[tuple[str, str, dict]]]:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.navs


class TestLinkPages:
    def test_fills_both_placeholders_of_every_page_with_every_page_in_order(self, folder):
        written = link_pages(folder, PAGES)
        assert [p.name for p in written] == ["index.html"] + [link.file for link in PAGES]
        for path in written:
            navs = navs_of(path)
            assert len(navs) == 2 and navs[0] == navs[1], path.name
            hrefs = [href for href, _, attrs in navs[0] if "rel" not in attrs]
            assert hrefs == ["index.html", "10_serious_acquisitive.html", "20_asb.html", "80_action_plan.html"]
            text = path.read_text(encoding="utf-8")
            # Each placeholder keeps its own label, so the two landmarks stay distinct.
            assert 'aria-label="Pages of this assessment">' in text
            assert 'aria-label="Pages of this assessment, end of page"' in text

    def test_marks_the_current_page_only(self, folder):
        link_pages(folder, PAGES)
        for link in [NavLink("index.html", "Summary"), *PAGES]:
            top = navs_of(folder / link.file)[0]
            current = [(href, text) for href, text, attrs in top if attrs.get("aria-current") == "page"]
            assert current == [(link.file, link.label)]

    def test_previous_and_next_stop_at_the_ends(self, folder):
        link_pages(folder, PAGES)

        def steps(name):
            return {attrs["rel"]: (href, text) for href, text, attrs in navs_of(folder / name)[0] if "rel" in attrs}

        assert steps("index.html") == {"next": ("10_serious_acquisitive.html", "Next: Serious and acquisitive crime")}
        assert steps("20_asb.html") == {
            "prev": ("10_serious_acquisitive.html", "Previous: Serious and acquisitive crime"),
            "next": ("80_action_plan.html", "Next: Action plan"),
        }
        assert steps("80_action_plan.html") == {"prev": ("20_asb.html", "Previous: Anti-social behaviour")}

    def test_the_glossary_comes_last_when_the_folder_has_one(self, folder):
        (folder / "glossary.html").write_text(page(), encoding="utf-8")
        link_pages(folder, PAGES)
        last = navs_of(folder / "80_action_plan.html")[0]
        assert ("glossary.html", "Glossary") in [(href, text) for href, text, _ in last]
        assert [text for _, text, attrs in last if attrs.get("rel") == "next"] == ["Next: Glossary"]
        glossary = navs_of(folder / "glossary.html")[0]
        assert [href for href, _, attrs in glossary if attrs.get("aria-current")] == ["glossary.html"]

    def test_no_glossary_link_without_the_glossary(self, folder):
        link_pages(folder, PAGES)
        assert "glossary.html" not in (folder / "index.html").read_text(encoding="utf-8")

    def test_the_county_link_only_when_given(self, folder):
        link_pages(folder, PAGES)
        assert "County" not in (folder / "20_asb.html").read_text(encoding="utf-8")
        link_pages(folder, PAGES, county_href="../county/index.html")
        top = navs_of(folder / "20_asb.html")[0]
        assert ("../county/index.html", "County") in [(href, text) for href, text, _ in top]

    def test_filling_twice_gives_the_same_pages(self, folder):
        link_pages(folder, PAGES)
        once = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
        link_pages(folder, PAGES)
        assert {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()} == once

    def test_labels_and_links_are_escaped(self, folder):
        odd = NavLink("20_asb.html", '<script>alert(1)</script> & "quoted"')
        link_pages(folder, [PAGES[0], odd], county_href='../x" onclick="alert(1)')
        text = (folder / "index.html").read_text(encoding="utf-8")
        assert "<script>" not in text and 'onclick="' not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;" in text
        hrefs = [href for href, _, _ in navs_of(folder / "index.html")[0]]
        assert "../x%22%20onclick%3D%22alert%281%29" in hrefs  # one attribute value, percent-encoded

    def test_a_file_name_is_never_a_scheme_fragment_or_query(self, folder):
        (folder / "q?x#y.html").write_text(page(""), encoding="utf-8")
        link_pages(folder, [PAGES[0], NavLink("q?x#y.html", "Odd")])
        assert "q%3Fx%23y.html" in [href for href, _, _ in navs_of(folder / "index.html")[0]]

    def test_the_rest_of_the_page_is_untouched(self, folder):
        (folder / "20_asb.html").write_text(page("<p>Keep <b>this</b> &amp; that</p>"), encoding="utf-8")
        link_pages(folder, PAGES)
        text = (folder / "20_asb.html").read_text(encoding="utf-8")
        assert re.sub(r"<nav(.*?)>.*?</nav>", r"<nav\1></nav>", text) == page("<p>Keep <b>this</b> &amp; that</p>")

    def test_a_page_without_a_placeholder_is_refused_and_nothing_is_written(self, folder):
        (folder / "20_asb.html").write_text("<html><body><p>No navigation</p></body></html>", encoding="utf-8")
        before = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
        with pytest.raises(ValueError, match="20_asb.html: no navigation placeholder"):
            link_pages(folder, PAGES)
        assert {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()} == before

    @pytest.mark.parametrize("name", ["../outside.html", "sub/20_asb.html", "/tmp/x.html", ".hidden.html", ""])
    def test_a_page_outside_the_folder_is_refused(self, folder, name):
        outside = folder.parent / "outside.html"
        outside.write_text(page(), encoding="utf-8")
        with pytest.raises(ValueError, match="file name within"):
            link_pages(folder, [*PAGES, NavLink(name, "Elsewhere")])
        assert outside.read_text(encoding="utf-8") == page()
        assert "<li>" not in (folder / "index.html").read_text(encoding="utf-8")

    def test_a_link_to_a_file_outside_is_not_followed(self, folder):
        outside = folder.parent / "outside.html"
        outside.write_text(page(), encoding="utf-8")
        (folder / "linked.html").symlink_to(outside)
        with pytest.raises(ValueError, match="no such page"):
            link_pages(folder, [*PAGES, NavLink("linked.html", "Linked")])
        assert outside.read_text(encoding="utf-8") == page()

    def test_a_missing_page_is_refused(self, folder):
        with pytest.raises(ValueError, match="no such page"):
            link_pages(folder, [*PAGES, NavLink("99_missing.html", "Missing")])

    def test_leaves_no_temporary_file_and_keeps_permissions(self, folder):
        (folder / "20_asb.html").chmod(0o644)
        link_pages(folder, PAGES)
        assert sorted(p.name for p in folder.iterdir()) == sorted(["index.html"] + [link.file for link in PAGES])
        assert (folder / "20_asb.html").stat().st_mode & 0o777 == 0o644

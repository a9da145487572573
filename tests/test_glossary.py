"""The glossary and plain words: every term a page uses is defined, each acronym is spelled out
where a page first uses it, an area's own acronyms stay on its own pages, and no partner page
shows an internal path, a file name or a typo the issue listed.
"""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from assess.config import DEFAULT_PARAMS
from assess.errors import ConfigError
from assess.evidence import Evidence
from assess.glossary import GENERIC_FILE, PAGE, Glossary, Term, expand_first_use, expand_pages, write_glossary
from assess.local import local_content

GATESHEAD = "E08000037"
# The acronyms of the Sevenoaks plan the issue found undefined, and others its actions use.
PLAN_ACRONYMS = (
    *("CSU", "VRU", "YOT", "MARAC", "DAVSS", "PAS", "LSP", "ABA", "CPW", "KCC", "SDC", "OCG", "CSE"),
    *("PCSO", "IDVA", "WKHA", "KFRS", "CCG", "GP", "SCD", "WK", "DAY", "CCTV"),
)
CSU = Term("CSU", "The partnership's team.", "Community Safety Unit")
PAS = Term("PAS", "A charity.", "Protection Against Stalking")
TOMV = Term("TOMV", "Stealing a vehicle.", "theft of a motor vehicle", "thefts of motor vehicles")
SMALL = Glossary((CSU, PAS, TOMV))


def spelled(name: str, words: str, suffix: str = "") -> str:
    return f'<abbr title="{words}">{name}</abbr>{suffix} ({words})'


@pytest.fixture(scope="module")
def sevenoaks():
    return Evidence.load(DEFAULT_PARAMS).assessment


@pytest.fixture(scope="module")
def gateshead(sevenoaks):
    """An area of another force as its run sees it: its own (empty) folder beside Sevenoaks's."""
    local = local_content(sevenoaks.local.areas_dir, GATESHEAD)
    return dataclasses.replace(sevenoaks, area="Gateshead", area_code=GATESHEAD, local=local)


# --- the terms ---------------------------------------------------------------------------------


def test_every_term_is_said_in_a_sentence_or_two_and_every_acronym_is_spelled_out(sevenoaks):
    glossary = Glossary.load(sevenoaks)
    names = [term.name for term in glossary.terms]
    assert names == sorted(names, key=str.casefold) and len(set(names)) == len(names)
    for term in glossary.terms:
        sentences = re.findall(r"[.!?](?:\s|$)", term.means)
        assert term.means[:1].isupper() and 1 <= len(sentences) <= 3, term
        assert not term.stands_for or term.name[0].isupper(), term
    for generic in ("ASB", "CSP", "RAG", "ONS", "OGL", "LSOA", "Confidence interval", "Rank interval"):
        assert generic in names
    assert {"False discovery rate", "Overdispersion", "Funnel plot", "Crime Harm Index"} <= set(names)
    assert {"Rate per 1,000 residents", "Provisional ranking", "Candidate issue", "Success measure"} <= set(names)
    missing = [name for name in PLAN_ACRONYMS if name not in names]
    assert not missing, f"the Sevenoaks plan's acronyms without an entry: {missing}"
    assert glossary.acronyms["MARAC"].stands_for == "Multi-Agency Risk Assessment Conference"


def test_an_areas_own_terms_are_its_own(sevenoaks, gateshead, tmp_path):
    assert Glossary.load(gateshead) == Glossary.read(GENERIC_FILE)
    assert "CSU" not in Glossary.load(gateshead).acronyms and "CSU" in Glossary.load(sevenoaks).acronyms
    for assessment in (sevenoaks, gateshead):
        (tmp_path / assessment.area).mkdir()
        write_glossary(SimpleNamespace(assessment=assessment), tmp_path / assessment.area)
    theirs = (tmp_path / "Gateshead" / PAGE).read_text(encoding="utf-8")
    ours = (tmp_path / "Sevenoaks" / PAGE).read_text(encoding="utf-8")
    assert "<title>Glossary: Gateshead, " in theirs and 'id="term-asb"' in theirs
    for word in ("CSU", "DAVSS", "Sevenoaks", "Kent"):
        assert word not in theirs and word in ours


def test_an_areas_own_entry_replaces_the_workbooks(tmp_path):
    own = tmp_path / "glossary.yaml"
    own.write_text("terms:\n  ASB:\n    stands_for: antisocial behaviour\n    means: As the partnership says it.\n")
    glossary = Glossary.read(GENERIC_FILE, own)
    assert glossary.acronyms["ASB"].stands_for == "antisocial behaviour"
    assert len(glossary.terms) == len(Glossary.read(GENERIC_FILE).terms)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("terms:\n  CSU:\n    stands_for: Community Safety Unit\n", "field 'terms.CSU.means': Field required"),
        ("terms:\n  CSU:\n    means: '  '\n", "field 'terms.CSU.means': empty; say what the term means"),
        ("terms:\n  CSU:\n    means: A team.\n    expands: X\n", "field 'terms.CSU.expands': unknown setting"),
        ("terms:\n  median:\n    means: The middle.\n    stands_for: M\n", "field 'terms.median.stands_for': only an"),
        ("terms:\n  CSU:\n    means: A team.\n    plural: Units\n", "field 'terms.CSU.plural': a plural is for"),
        ("terms: [CSU]\n", "field 'terms': Input should be a valid dictionary"),
        ("terms:\n  CSU: {means: [\n", "line 3: invalid YAML"),
        ("- CSU\n", "expected a mapping of settings at the top level"),
    ],
)
def test_a_bad_glossary_is_one_line_naming_the_file_and_field(tmp_path, text, says):
    path = tmp_path / "glossary.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(says)) as caught:
        Glossary.read(GENERIC_FILE, path)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


# --- first uses spelled out ---------------------------------------------------------------------


def test_the_first_use_is_spelled_out_and_later_ones_left_as_they_are():
    html = "<p>The CSU visits.</p><p>The CSU calls; PAS helps.</p>"
    assert expand_first_use(html, SMALL) == (
        f"<p>The {spelled('CSU', 'Community Safety Unit')} visits.</p>"
        f"<p>The CSU calls; {spelled('PAS', 'Protection Against Stalking')} helps.</p>"
    )


def test_whole_words_in_their_own_case_a_plural_and_a_possessive():
    html = "<p>CSUX, csu, ACSU and TOMV-like; two TOMVs. The CSU's visits.</p>"
    assert expand_first_use(html, SMALL) == (
        "<p>CSUX, csu, ACSU and "
        + spelled("TOMV", "theft of a motor vehicle")
        + "-like; two TOMVs. The "
        + spelled("CSU", "Community Safety Unit", "'s")
        + " visits.</p>"
    )
    plural = expand_first_use("<td>Two TOMVs</td>", SMALL)
    assert plural == f"<td>Two {spelled('TOMVs', 'thefts of motor vehicles')}</td>"


def test_words_already_beside_the_acronym_are_not_said_twice():
    html = "<p>Protection Against Stalking (PAS) and CSU (community safety unit) work together.</p>"
    assert expand_first_use(html, SMALL) == (
        '<p>Protection Against Stalking (<abbr title="Protection Against Stalking">PAS</abbr>) and '
        '<abbr title="Community Safety Unit">CSU</abbr> (community safety unit) work together.</p>'
    )


def test_only_running_text_changes_never_a_tag_attribute_link_heading_or_script():
    page = """<!DOCTYPE html>
<html><head><title>CSU page</title><style>.CSU { color: red }</style></head>
<body>
<h1>The CSU</h1>
<nav><a href="CSU.html" title="CSU">CSU</a></nav>
<img alt="CSU chart" src="data:image/png;base64,CSU"><br/>
<script>var CSU = "CSU";</script>
<table><caption>CSU actions</caption><tr><th>CSU</th></tr>
<tr><td data-label="CSU">Led by the
CSU &amp; PAS</td></tr></table>
<p><code>CSU</code> <abbr title="x">PAS</abbr></p>
</body></html>"""
    expected = page.replace(
        "the\nCSU &amp; PAS",
        f"the\n{spelled('CSU', 'Community Safety Unit')} &amp; {spelled('PAS', 'Protection Against Stalking')}",
    )
    assert expand_first_use(page, SMALL) == expected


def test_a_page_without_acronyms_is_returned_exactly_as_it_was():
    page = (
        "<!DOCTYPE html>\r\n<html><body><!-- a CSU comment --><p>Caf&eacute; &#169; 2022 &lt;csu&gt; CSUX"
        "<![CDATA[CSU]]></p>\r\n<p>Théâtre\tunchanged  </p><br/></body></html>\r\n"
    )
    assert expand_first_use(page, SMALL) is page
    assert expand_first_use("<p>The CSU</p>", Glossary(())) == "<p>The CSU</p>"


def test_words_are_escaped_and_pages_other_than_the_glossary_rewritten(tmp_path):
    glossary = Glossary((Term("KFRS", "The fire service.", "Kent Fire & Rescue Service"),))
    assert expand_first_use("<p>KFRS</p>", glossary) == (
        '<p><abbr title="Kent Fire &amp; Rescue Service">KFRS</abbr> (Kent Fire &amp; Rescue Service)</p>'
    )
    for name in ("index.html", PAGE, "notes.txt"):
        (tmp_path / name).write_text("<p>KFRS</p>")
    expand_pages(tmp_path, glossary)
    assert "<abbr" in (tmp_path / "index.html").read_text()
    assert (tmp_path / PAGE).read_text() == (tmp_path / "notes.txt").read_text() == "<p>KFRS</p>"


# --- plain words on the default run's pages (e2e) ------------------------------------------------

JARGON = {
    "an internal path": r"params/|areas/E\d{7}",
    "a parameters file's name": r"\b[\w-]+\.yaml\b",
    "a data file's name": r"\b[\w-]+\.csv\b",
    "the data folder": r"data folder",
    "a '(default)' label": r"\(default\)",
    "a count with the wrong number": r"\b1 (?:pages|issues|partners|areas|actions|measures)\b",
    "a question mark and a full stop": r"\?\.",
    "a doubled word": r"(?i)\b([a-z]+) \1\b",
}
NOT_ACRONYMS = {"RED", "AMBER", "GREEN", "OVERDUE", "DRAFT"}
"""Words written in capitals that are not abbreviations: the statuses."""
ACRONYM_WORD = re.compile(r"(?<![A-Za-z0-9&])([A-Z][A-Z0-9&]*[A-Z][A-Z0-9]*)s?(?![A-Za-z0-9&])")


class VisibleText(HTMLParser):
    """A page's text as a reader sees it, a piece per run of text between tags (scripts and styles left out)."""

    HIDDEN = {"head", "script", "style", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.pieces: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self.hidden -= tag in self.HIDDEN and self.hidden > 0

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.pieces.append(" ".join(data.split()))


def visible_text(path: Path) -> list[str]:
    parser = VisibleText()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.pieces


def around(text: str, match: re.Match) -> str:
    """The match with a little of the text either side, to find it by."""
    return text[max(0, match.start() - 60) : match.end() + 60]


def plain_words_problems(folder: Path, glossary: Glossary) -> list[str]:
    """Every internal path, file name, typo and undefined acronym in the visible text of a run's pages."""
    known = {term.name for term in glossary.terms} | {term.name.split("-")[0] for term in glossary.terms}
    problems = []
    for path in sorted(folder.glob("*.html")):
        for piece in visible_text(path):
            for what, pattern in JARGON.items():
                # The index's list of the run's data files names them; nothing else may.
                if what == "a data file's name" and path.name == "index.html":
                    continue
                problems += [f"{path.name}: {what}: {around(piece, m)!r}" for m in re.finditer(pattern, piece)]
            for m in ACRONYM_WORD.finditer(piece):
                if m.group(1) not in known | NOT_ACRONYMS:
                    problems.append(
                        f"{path.name}: an acronym the glossary lacks: {m.group(1)!r} in {around(piece, m)!r}"
                    )
    return problems


def test_the_plain_words_check_finds_what_it_should(tmp_path):
    (tmp_path / "page.html").write_text(
        "<html><head><title>params/x.yaml</title></head><body><p>Edit params/areas/E07000111/actions.yaml "
        "(default): wrote 1 pages. How sure?. the the data folder, XYZ and CSU.</p>"
        '<img alt="params/"><script>"(default)"</script></body></html>'
    )
    found = "\n".join(plain_words_problems(tmp_path, SMALL))
    for what in (*JARGON, "an acronym the glossary lacks: 'XYZ'"):
        if what != "a data file's name":
            assert what in found
    assert "'CSU'" not in found and found.count("\n") == 8


@pytest.mark.e2e
def test_default_pages_carry_a_glossary_and_no_jargon(default_run, sevenoaks):
    result, out = default_run
    assert result.returncode == 0, result.stderr
    glossary = Glossary.load(sevenoaks)
    page = (out / PAGE).read_text(encoding="utf-8")
    assert all(f'id="{term.anchor}"' in page for term in glossary.terms)
    plan = (out / "80_action_plan.html").read_text(encoding="utf-8")
    assert plan.count('<abbr title="Community Safety Unit">CSU</abbr> (Community Safety Unit)') == 1
    problems = plain_words_problems(out, glossary)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_an_acronym_inside_an_address_is_left_as_it_is():
    page = "<p>Source: https://example.org/CSU/data and www.example.org/PAS; the CSU and PAS teams.</p>"
    expanded = expand_first_use(page, SMALL)
    assert "https://example.org/CSU/data and www.example.org/PAS;" in expanded
    assert expanded.count("<abbr") == 2 and "the <abbr" in expanded

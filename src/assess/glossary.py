"""The glossary: the workbook's terms and an area's own acronyms, on a page of their own and
spelled out where a page first uses them.

The workbook's terms (`glossary.yaml` beside this module) are every area's; an area's own
(its plan's partners, teams and meetings) are in its folder's `glossary.yaml` and appear on
its pages alone. A page's HTML is changed only in its running text: a first use of an
acronym becomes `<abbr title="Community Safety Unit">CSU</abbr> (Community Safety Unit)`.
The words in brackets are for every reader (a title shows only on hover, not on a phone, to
a keyboard or to most screen readers); the `abbr` marks the letters as an abbreviation for
assistive technology and keeps the full words on hover for later reference.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from pydantic import field_validator

from assess.config import Assessment, StrictModel, parse_model, period_text
from assess.context import RunContext
from assess.errors import ConfigError
from assess.params_file import load_yaml
from assess.report import pages_environment

GENERIC_FILE = Path(__file__).with_name("glossary.yaml")
PAGE = "glossary.html"

ACRONYM = re.compile(r"[A-Z][A-Za-z0-9&]*")
"""What may be spelled out: a word starting with a capital (CSU, DAVSS, T&Pcs)."""

SKIPPED_ELEMENTS = frozenset(
    {
        # not shown as text, or shown as text that must stay as written
        *("head", "title", "script", "style", "template", "noscript", "svg", "math", "textarea"),
        *("code", "pre", "kbd", "samp", "var", "abbr"),
        # short labels, where words in brackets would crowd a heading, a link or a column
        *("h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption", "th", "summary", "dt"),
        *("a", "nav", "button", "label", "select", "option"),
    }
)
"""Elements whose text is never changed; an acronym there is spelled out at its next use."""


class _TermModel(StrictModel):
    means: str
    stands_for: str = ""
    plural: str = ""

    @field_validator("means")
    @classmethod
    def _said(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("empty; say what the term means in a sentence or two")
        return " ".join(value.split())


class _GlossaryModel(StrictModel):
    terms: dict[str, _TermModel]


@dataclass(frozen=True)
class Term:
    """One entry of the glossary.

    Attributes
    ----------
    name
        The term as the pages write it ("CSU", "Rate per 1,000 residents").
    means
        What it means, in a sentence or two.
    stands_for
        For an acronym, its words as written in a sentence; "" for any other term.
    plural
        The words in the plural, where adding "s" to `stands_for` is wrong; "" otherwise.
    """

    name: str
    means: str
    stands_for: str = ""
    plural: str = ""

    @property
    def anchor(self) -> str:
        """The term's id on the glossary page: `term-` and its name's letters and digits."""
        return "term-" + "-".join(re.findall(r"[a-z0-9]+", self.name.casefold()))

    def words(self, plural: bool) -> str:
        """What the acronym stands for, in the singular or the plural."""
        return (self.plural or f"{self.stands_for}s") if plural else self.stands_for


@dataclass(frozen=True)
class Glossary:
    """The terms a run's pages may use, in alphabetical order."""

    terms: tuple[Term, ...]

    @classmethod
    def load(cls, assessment: Assessment) -> Glossary:
        """The workbook's terms and the assessed area's own (its own replacing any of the same name)."""
        return cls.read(GENERIC_FILE, assessment.local.glossary_file)

    @classmethod
    def read(cls, *paths: Path | None) -> Glossary:
        """The terms of glossary files, a later file's replacing an earlier one's of the same name; None is skipped."""
        terms: dict[str, Term] = {}
        for path in paths:
            if path is not None:
                terms.update({term.name: term for term in _read_terms(path)})
        return cls(tuple(sorted(terms.values(), key=lambda term: (term.name.casefold(), term.name))))

    @property
    def acronyms(self) -> dict[str, Term]:
        """The terms a page spells out, by name."""
        return {term.name: term for term in self.terms if term.stands_for}


def _read_terms(path: Path) -> list[Term]:
    model = parse_model(_GlossaryModel, load_yaml(path), path)
    terms = []
    for name, entry in model.terms.items():
        where = f"{path}: field 'terms.{name}"
        if entry.stands_for and not ACRONYM.fullmatch(name):
            raise ConfigError(
                f"{where}.stands_for': only an acronym (a word starting with a capital, such as CSU) is spelled out; "
                "say what this term means in 'means' alone"
            )
        if entry.plural and not entry.stands_for:
            raise ConfigError(f"{where}.plural': a plural is for an acronym's words; give 'stands_for' too")
        terms.append(Term(name, entry.means, " ".join(entry.stands_for.split()), " ".join(entry.plural.split())))
    return terms


def write_glossary(run: RunContext, folder: Path, glossary: Glossary | None = None) -> Path:
    """`glossary.html` in `folder`: every term of the run's glossary (`glossary`, if already loaded),
    alphabetically, each with an anchor."""
    assessment = run.assessment
    glossary = Glossary.load(assessment) if glossary is None else glossary
    local = {term.name for term in Glossary.read(assessment.local.glossary_file).terms}
    page = (
        pages_environment()
        .get_template("glossary.html.j2")
        .render(
            produced=f"{date.today():%d %B %Y}",
            title=f"Glossary: {assessment.area}, {period_text(assessment.period_start, assessment.period_end)}",
            area=assessment.area,
            has_local=bool(local),
            terms=glossary.terms,
        )
    )
    path = Path(folder) / PAGE
    path.write_text(page, encoding="utf-8")
    return path


def expand_pages(folder: Path, glossary: Glossary) -> None:
    """Spell out each acronym where it is first used on every page in `folder` but the glossary itself."""
    for path in sorted(Path(folder).glob("*.html")):
        if path.name == PAGE:
            continue
        html = path.read_text(encoding="utf-8")
        expanded = expand_first_use(html, glossary)
        if expanded is not html:
            path.write_text(expanded, encoding="utf-8")


def expand_first_use(html: str, glossary: Glossary) -> str:
    """The page with each acronym's first use in its running text spelled out.

    Only text between tags is changed, never a tag, an attribute or the text of
    SKIPPED_ELEMENTS; whole words only, case as written ("CSU" and its plural "CSUs", not
    "CSUX" or "csu"). Where the words are already beside the acronym ("Protection Against
    Stalking (PAS)") it is only marked as an abbreviation. A page using none of the
    acronyms is returned unchanged, the same string.
    """
    acronyms = glossary.acronyms
    if not acronyms:
        return html
    pattern = re.compile(
        r"(?<![A-Za-z0-9&])("
        + "|".join(map(re.escape, sorted(acronyms, key=len, reverse=True)))
        + r")(s?)(?![A-Za-z0-9&])"
    )
    pieces, done, used = [], 0, set()
    for start, text in _running_text(html):
        edited = _expand_text(text, pattern, acronyms, used)
        if edited != text:
            pieces += [html[done:start], edited]
            done = start + len(text)
        if len(used) == len(acronyms):
            break
    return "".join([*pieces, html[done:]]) if pieces else html


def _expand_text(text: str, pattern: re.Pattern, acronyms: dict[str, Term], used: set[str]) -> str:
    """One run of text (raw HTML between tags) with the first use of each acronym not yet `used` spelled out."""
    out, done = [], 0
    # An address (https://…/CSU/…) is not prose: an acronym inside one is left as it is.
    addresses = [m.span() for m in re.finditer(r"\S*://\S*|www\.\S+", text)]
    for match in pattern.finditer(text):
        name, plural = match.group(1), bool(match.group(2))
        if name in used or any(a <= match.start() < b for a, b in addresses):
            continue
        used.add(name)
        words = acronyms[name].words(plural)
        abbr = f'<abbr title="{escape(words)}">{escape(match.group(0))}</abbr>'
        end = match.end()
        if _spelled_out_beside(text, match, words):
            out += [text[done : match.start()], abbr]
        else:
            possessive = re.match(r"['’]s\b", text[end:])
            end += possessive.end() if possessive else 0
            out += [text[done : match.start()], abbr, text[match.end() : end], f" ({escape(words)})"]
        done = end
    return "".join([*out, text[done:]]) if out else text


def _spelled_out_beside(text: str, match: re.Match, words: str) -> bool:
    """Whether the words already stand beside the acronym: "words (CSU)" or "CSU (words)"."""
    before = text[: match.start()].rstrip()
    if before.endswith("(") and before[:-1].rstrip().casefold().endswith(words.casefold()):
        return True
    return text[match.end() :].lstrip().casefold().startswith(f"({words.casefold()}")


class _RunningText(HTMLParser):
    """Collects each run of text between tags outside SKIPPED_ELEMENTS, with its position in the page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)  # text arrives raw, exactly as it stands in the page
        self._html = html
        self._line_starts = [0] + [newline.end() for newline in re.finditer("\n", html)]
        self._open_skipped: Counter[str] = Counter()
        self.runs: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in SKIPPED_ELEMENTS:
            self._open_skipped[tag] += 1

    def handle_startendtag(self, tag: str, attrs) -> None:
        """A self-closed tag (`<br/>`, `<svg .../>`) opens nothing."""

    def handle_endtag(self, tag: str) -> None:
        if self._open_skipped[tag]:
            self._open_skipped[tag] -= 1

    def handle_data(self, data: str) -> None:
        if +self._open_skipped:
            return
        line, column = self.getpos()
        start = self._line_starts[line - 1] + column
        # Only text found verbatim at its position is changed, so no tag can ever be touched.
        if self._html.startswith(data, start):
            self.runs.append((start, data))


def _running_text(html: str) -> list[tuple[int, str]]:
    """The page's runs of text outside SKIPPED_ELEMENTS, in page order: (position, raw text)."""
    parser = _RunningText(html)
    parser.feed(html)
    parser.close()
    return parser.runs

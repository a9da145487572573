"""Words for the pages: lists, numbers and ranks in words, and the sections' prose from templates.

The prose of each page lives in `templates/sections/<page>.md.j2`, one block per section,
as Markdown. Values are escaped as they are filled in, so text from parameters and data
shows as typed and never becomes markup: HTML is escaped, and so is the Markdown that
would make a link, an image, code or emphasis. A value marked `Prose` (an introduction or a
method written in params) may use *emphasis* and **bold**, and nothing else.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

SECTIONS = Path(__file__).parent / "templates" / "sections"
_NUMBERS = "No One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve".split()


def number(n: int, capital: bool = False) -> str:
    """A count in words up to twelve, in figures above: 7 -> 'seven' ('Seven' to start a sentence), 13 -> '13'."""
    if not 0 <= n < len(_NUMBERS):
        return f"{n:,}"
    return _NUMBERS[n] if capital else _NUMBERS[n].lower()


def join(words: Iterable[str], conjunction: str = "and") -> str:
    """'a', 'b', 'c' -> 'a, b and c'."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def lower_first(text: str) -> str:
    """A label inside a sentence: 'Partnership can add value' -> 'partnership can add value'."""
    return text[:1].lower() + text[1:]


class Prose(str):
    """Markdown from params that may carry emphasis and bold, but no link, image, code or markup."""


# Markdown punctuation that could make a link (the ":" of a bare URL too), an image, code,
# a heading's closing sequence, strikethrough or a table cell; Prose keeps its emphasis marks.
_STRUCTURE = re.compile(r"([\\`\[\]!#~|:])")
_EMPHASIS = re.compile(r"([*_])")


def markdown_text(value: str) -> str:
    """A value as Markdown that shows exactly as typed (Prose keeps its emphasis)."""
    escaped = _STRUCTURE.sub(r"\\\1", str(value))
    return escaped if isinstance(value, Prose) else _EMPHASIS.sub(r"\\\1", escaped)


def markdown_line(value: str) -> str:
    """A value for Markdown written outside a section template: HTML-escaped too (the templates'
    autoescape does that for them), so a name holding markup shows as typed."""
    return markdown_text(html.escape(str(value), quote=False))


def _escaped(value):
    if isinstance(value, str):
        return markdown_text(value)
    if isinstance(value, (list, tuple)):
        return [_escaped(item) for item in value]
    return value


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(SECTIONS),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(number=number, join=join, lower_first=lower_first, bold=lambda text: f"**{text}**")
    return environment


def section(page: str, name: str, **values) -> str:
    """The Markdown of one section (a block) of a page's template, values filled in and escaped."""
    template = _environment().get_template(f"{page}.md.j2")
    try:
        block = template.blocks[name]
    except KeyError:
        raise KeyError(f"{template.filename} has no block {name!r}") from None
    context = template.new_context({key: _escaped(value) for key, value in values.items()})
    return "".join(block(context)).strip()


# The calibrated language of the IPCC's uncertainty guidance (Mastrandrea et al. 2010): each
# phrase covers a stated range of probability, so words and numbers never disagree.
_LIKELIHOOD = ((0.99, "virtually certain"), (0.90, "very likely"), (0.66, "likely"), (0.33, "about as likely as not"))


def likelihood(probability: float) -> str:
    """A probability in calibrated words: 'very likely' (90% or more), 'unlikely' (under 33%)."""
    for floor, words in _LIKELIHOOD:
        if probability >= floor:
            return words
    if probability > 0.10:
        return "unlikely"
    return "very unlikely" if probability > 0.01 else "exceptionally unlikely"


def decile_words(decile: float | None) -> str | None:
    """An IMD decile as a board member reads it: '2 (among the 20% most deprived)'; None where unranked
    (None, NaN or pd.NA: none of them is a whole number)."""
    try:
        decile = int(decile)
    except (TypeError, ValueError):
        return None
    if decile <= 5:
        return f"{decile} (among the {10 * decile}% most deprived)"
    return f"{decile} (among the {10 * (11 - decile)}% least deprived)"

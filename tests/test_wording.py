"""Words for the pages: counts, lists and ranks in words, and sections' prose from templates."""

from __future__ import annotations

import re

import pytest

from assess import wording
from assess.export import title_of
from assess.stats import Rank


@pytest.mark.parametrize("n, words", [(0, "no"), (1, "one"), (6, "six"), (12, "twelve"), (13, "13"), (1200, "1,200")])
def test_number(n, words):
    assert wording.number(n) == words


def test_number_to_start_a_sentence():
    assert wording.number(7, capital=True) == "Seven" and wording.number(40, capital=True) == "40"


@pytest.mark.parametrize(
    "items, text", [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")]
)
def test_join(items, text):
    assert wording.join(items) == text


def test_join_with_or():
    assert wording.join(["x", "y", "z"], "or") == "x, y or z"


@pytest.mark.parametrize("rank, n", [(1, 13), (10, 13), (13, 13), (30, 40)])
def test_a_position_is_stated_one_way(rank, n):
    assert Rank(rank, n).words == f"{rank} of {n} (1 = lowest rate)"


# What a priority page's heading states besides its title: area, period and the page's own rank.
HEADING = {"area": "Sevenoaks", "period": "January to December 2022", "rank": 2, "issues": 9, "provisional": True}


def test_a_section_is_filled_in_and_escaped():
    text = wording.section(
        "priority",
        "introduction",
        title="Fly-tipping <b>& more</b> *",
        introduction=wording.Prose("Said *plainly*."),
        **HEADING,
    )
    assert text.startswith(
        "# Fly-tipping &lt;b&gt;&amp; more&lt;/b&gt; \\* in Sevenoaks, January to December 2022: "
        "ranked 2 of 9 issues (provisional)\n\nSaid *plainly*."
    )


HOSTILE = [
    "[click](javascript:alert(1))",
    "![](https://example.invalid/pixel.png)",
    "<https://example.invalid>",
    "<script>alert(1)</script>",
    "`code` and ~~struck~~ C# | pipe \\ back",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_markdown_from_params_makes_no_link_image_code_or_markup(payload):
    """Rendered as nbconvert renders a page's Markdown: the text shows as typed, and nothing is live."""
    from nbconvert.filters.markdown import markdown2html

    for prose in (payload, wording.Prose(f"**Bold** {payload}")):
        html = markdown2html(wording.section("priority", "introduction", title=payload, introduction=prose, **HEADING))
        html = re.sub(r'<a class="anchor-link" href="#[^"]*">&#182;</a>', "", html)  # nbconvert's own heading anchor
        for tag in ("<a", "<img", "<code", "<script", "<del", "<table"):
            assert tag not in html, (tag, html)
    assert "<strong>Bold</strong>" in html


def test_a_section_needs_every_value():
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        wording.section("priority", "introduction", title="t")


def test_an_unknown_section_is_named():
    with pytest.raises(KeyError, match="has no block 'nowhere'"):
        wording.section("priority", "nowhere")


def test_a_page_title_from_a_heading_cell_or_a_heading_output():
    markdown = {"cell_type": "markdown", "source": ["Intro\n", "# From a cell\n"]}
    output = {
        "cell_type": "code",
        "source": "page.section('introduction')",
        "outputs": [{"output_type": "display_data", "data": {"text/markdown": "# From an output\n\nText"}}],
    }
    assert title_of([markdown, output]) == "From a cell"
    assert title_of([output, markdown]) == "From an output"
    assert title_of([{"cell_type": "code", "source": "", "outputs": []}]) == "Strategic assessment"


def test_a_page_title_is_the_heading_as_typed():
    heading = wording.section(
        "priority", "introduction", title="Children's *services* & [care]", introduction="", **HEADING
    )
    output = {"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {"text/markdown": heading}}]}
    assert title_of([output]).startswith("Children's *services* & [care] in Sevenoaks")


def test_a_heading_written_outside_a_template_shows_markup_as_typed():
    from nbconvert.filters.markdown import markdown2html

    html = markdown2html("# Plan: " + wording.markdown_line('x"><script>alert(1)</script> *a* [b](c)'))
    assert "<script" not in html and "<em>" not in html and "<a " not in html.replace('<a class="anchor-link"', "")

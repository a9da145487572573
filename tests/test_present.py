"""Tables for the pages: escaped, labelled cells for a phone, numbers right-aligned, long ones folded."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd

from assess import present


class Cells(HTMLParser):
    """The attributes of every th and td, and the tags seen, in order."""

    def __init__(self):
        super().__init__()
        self.cells: list[tuple[str, dict]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("th", "td"):
            self.cells.append((tag, dict(attrs)))


def parsed(table: present.Table) -> Cells:
    parser = Cells()
    parser.feed(table._repr_html_())
    return parser


FRAME = pd.DataFrame(
    {
        "Priority": ["Burglary", "<b>Arson</b>"],
        "Count": [1200, 7],
        "Rate per 1,000": ["fewer than 5", 3.25],
        "Status": ["green", "red"],
    }
)


class TestTable:
    def test_every_cell_carries_its_column_name(self):
        cells = parsed(present.Table(FRAME, "Caption", {"Rate per 1,000": present.rate})).cells
        labels = [attrs["data-label"] for tag, attrs in cells if tag == "td"]
        assert labels == list(FRAME.columns) * 2

    def test_number_columns_are_marked_by_type_or_by_number_format(self):
        table = present.Table(FRAME, "Caption", {"Rate per 1,000": present.rate})
        assert table.numeric_columns == ("Count", "Rate per 1,000")
        marked = [attrs.get("data-label") or "head" for tag, attrs in parsed(table).cells if attrs.get("class")]
        assert marked == ["head", "head", "Count", "Rate per 1,000", "Count", "Rate per 1,000"]

    def test_true_and_false_are_not_numbers(self):
        table = present.Table(pd.DataFrame({"Met": [True, False]}), "Caption", {})
        assert table.numeric_columns == ()

    def test_a_wide_table_stacks_on_a_phone_and_a_narrow_one_does_not(self):
        assert "assess-table-stack" in present.Table(FRAME, "Caption", {})._repr_html_()
        narrow = FRAME[["Priority", "Count"]]
        assert "assess-table-stack" not in present.Table(narrow, "Caption", {})._repr_html_()

    def test_labels_captions_and_values_are_escaped(self):
        frame = pd.DataFrame({'<i>"Col"</i>': ["<script>x</script>"]})
        html = present.Table(frame, "<b>Caption</b>", {}, collapsed=True)._repr_html_()
        assert "<script>" not in html and "<i>" not in html and "<b>" not in html
        assert 'data-label="&lt;i&gt;&quot;Col&quot;&lt;/i&gt;"' in html

    def test_open_by_default(self):
        tags = parsed(present.Table(FRAME, "Caption", {})).tags
        assert "details" not in tags and tags[:2] == ["div", "table"]

    def test_collapsed_folds_the_table_under_its_caption_with_its_size(self):
        html = present.Table(FRAME, "Recorded crimes per month", {}, collapsed=True)._repr_html_()
        assert html.startswith(
            '<details class="assess-details"><summary>Recorded crimes per month '
            '<span class="assess-details-size">(2 rows)</span></summary>'
        )
        assert html.endswith("</table></div></details>")
        # The table keeps its own caption: read alone (in print, by a screen reader) it is still named.
        assert "<caption>Recorded crimes per month</caption>" in html
        one = present.Table(FRAME.head(1), "One", {}, collapsed=True)._repr_html_()
        assert "(1 row)" in one

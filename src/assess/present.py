"""Tables and short texts for the pages: captions, one header row, "no data" for blanks.

Everything shown is escaped: partner-typed text must display as typed and never run.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from assess.sparkline import Sparkline

NO_DATA = "no data"


@dataclass(frozen=True)
class Table:
    """A captioned HTML table, escaped, with one header row and no index column.

    Every cell carries its column's name (`data-label`), so on a phone a wide table stacks
    each row as a card of label and value instead of running off the screen; number columns
    are right-aligned. `collapsed` folds a long detail table under its caption
    (`<details>`), for the reader to open; it prints open.
    """

    frame: pd.DataFrame
    caption: str
    formats: Mapping[str, Callable[[object], str]]
    collapsed: bool = False

    # A table this wide stacks on a phone; a narrower one fits as it is, and is shorter as a table.
    STACK_FROM_COLUMNS: ClassVar[int] = 4

    @property
    def numeric_columns(self) -> tuple[str, ...]:
        """The columns of numbers: a numeric type, or shown by a number format (which passes text through)."""
        return tuple(
            c
            for c in self.frame.columns
            if self.formats.get(c) in NUMBER_FORMATS
            or (pd.api.types.is_numeric_dtype(self.frame[c]) and not pd.api.types.is_bool_dtype(self.frame[c]))
        )

    def _repr_html_(self) -> str:
        numeric = set(self.numeric_columns)

        def kind(column: str) -> str:
            return ' class="number"' if column in numeric else ""

        head = "".join(f'<th scope="col"{kind(c)}>{html.escape(str(c))}</th>' for c in self.frame.columns)
        labels = {c: html.escape(str(c), quote=True) for c in self.frame.columns}
        body = []
        for _, row in self.frame.iterrows():
            cells = "".join(
                f'<td data-label="{labels[c]}"{kind(c)}>{self._cell(c, row[c])}</td>' for c in self.frame.columns
            )
            body.append(f"<tr>{cells}</tr>")
        stack = " assess-table-stack" if len(self.frame.columns) >= self.STACK_FROM_COLUMNS else ""
        # A focusable, labelled region lets keyboard users scroll a wide table on a phone.
        caption = html.escape(self.caption)
        table = (
            f'<div class="assess-table-region" role="region" tabindex="0" aria-label="{caption}">'
            f'<table class="assess-table{stack}"><caption>{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )
        if not self.collapsed:
            return table
        rows = len(self.frame)
        return (
            f'<details class="assess-details"><summary>{caption} '
            f'<span class="assess-details-size">({rows:,} {"row" if rows == 1 else "rows"})</span></summary>'
            f"{table}</details>"
        )

    def _cell(self, column: str, value: object) -> str:
        # A sparkline brings its own markup (escaped where it holds text); any other value is text.
        return value.__html__() if isinstance(value, Sparkline) else html.escape(self._format(column, value))

    def _format(self, column: str, value: object) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
            return NO_DATA
        formatter = self.formats.get(column)
        return formatter(value) if formatter else str(value)

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.frame.to_string(index=False)}"


# Formatters pass text through unchanged: a suppressed cell already holds "fewer than 5".
def whole(value: object) -> str:
    return value if isinstance(value, str) else f"{int(value):,}"


def rate(value: object) -> str:
    return value if isinstance(value, str) else f"{float(value):.2f}"


def percent(value: object) -> str:
    return value if isinstance(value, str) else f"{float(value):.0%}"


# The formats of number columns, which right-align them.
NUMBER_FORMATS = (whole, rate, percent)


@dataclass(frozen=True)
class Text:
    """A paragraph of plain text shown as HTML, escaped."""

    text: str

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.text)}</p>"

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True)
class BulletList:
    """A list of plain-text items shown as HTML, escaped."""

    items: tuple[str, ...]

    def _repr_html_(self) -> str:
        return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in self.items) + "</ul>"

    def __repr__(self) -> str:
        return "\n".join(f"- {item}" for item in self.items)


@dataclass(frozen=True)
class Markdown:
    """Prose in Markdown (headings, emphasis), from the page templates, already escaped there."""

    text: str

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Section:
    """A section of a page: its heading and prose, then its tables and charts, shown in turn.

    A section with no parts shows nothing: a page leaves out what does not apply to it.
    """

    parts: tuple[object, ...] = ()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for part in self.parts:
            display(part)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __repr__(self) -> str:
        return "\n\n".join(repr(part) for part in self.parts)

"""Charts in the Government Analysis Function style, carrying their own alt text.

Each chart states its message in the title, the measure, area and period in a subtitle,
and its source underneath; all three are HTML text beside the image, so they reflow and
read at any width. The image is drawn twice: wide for a desk and narrow for a phone, each
with its text sized for the width it is shown at, and both sit in one <picture> with an
<img alt="..."> so the alt text survives into the exported pages. Meaning is never carried
by colour alone (the assessed area is also marked by shape and a label).
"""

from __future__ import annotations

import base64
import functools
import html
import io
import math
import struct
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # Charts are rendered to PNG; no display is needed or wanted.
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.collections import PatchCollection  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap, Normalize  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from PIL import Image  # noqa: E402  (a dependency of matplotlib)

PALETTE = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
HIGHLIGHT = PALETTE[0]
MUTED = "#BFBFBF"
DARK_TEXT = "#0B0C0C"
POLICE_SOURCE = "Source: data.police.uk street-level crime (Open Government Licence v3.0)"
NARROW_MEDIA = "(max-width: 40rem)"
# Charts are flat colours and their anti-aliased edges: a palette this size, chosen to cover
# them all, keeps every colour within 10 of 255 at a third of the bytes of a full-colour PNG.
PNG_COLOURS = 128
LINE_EM = 1.3  # a line of text, in ems
_TEXT_PATHS = TextToPath()


@dataclass(frozen=True)
class Layout:
    """The width an image is drawn for and the size of its text.

    Both layouts draw 100 dpi per CSS pixel of the width they are shown at, so a size in
    points reads the same on a phone and a desk: `text` points show as `text * 100 / 72`
    CSS px. The narrow image has two image pixels per CSS pixel, sharp on a phone's screen.
    """

    name: str
    width: float  # inches, 1 inch showing as 100 CSS px
    dpi: int
    text: float  # points, every text in the image

    @property
    def narrow(self) -> bool:
        return self.name == "narrow"

    @property
    def width_pt(self) -> float:
        return self.width * 72

    @property
    def line_pt(self) -> float:
        return LINE_EM * self.text


WIDE = Layout("wide", 9.0, 100, 10.5)  # shown at up to 900 CSS px: 14.6 px text
NARROW = Layout("narrow", 3.6, 200, 8.5)  # shown at ~360 CSS px on a 390 px phone: 11.8 CSS px text


@dataclass(frozen=True)
class Picture:
    """One drawn image: its PNG bytes and its smallest text, in image pixels."""

    png: bytes
    min_text_px: float

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in pixels, read from the PNG header."""
        return struct.unpack(">II", self.png[16:24])

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class Chart:
    """A chart drawn for a desk and for a phone, with the text a screen reader needs.

    In HTML each image states its smallest text in image pixels (`data-min-text-px`: on the
    `<img>` for the wide image, on the `<source>` for the narrow one), so a browser can check
    the text as shown: that times the image's displayed width over its natural width.
    """

    wide: Picture
    narrow: Picture
    alt: str
    title: str
    subtitle: str
    source: str

    def _repr_html_(self) -> str:
        wide_w, wide_h = self.wide.size
        narrow_w, narrow_h = self.narrow.size
        return (
            '<figure class="chart">'
            # The title as text, not a heading, so the page's heading order stays as it is.
            '<figcaption style="margin-bottom:0.5rem">'
            f'<p class="chart-title" style="font-weight:bold;font-size:1.05rem;margin:0">{html.escape(self.title)}</p>'
            f'<p class="chart-subtitle" style="margin:0.25rem 0 0;color:#3d3d3d">{html.escape(self.subtitle)}</p>'
            "</figcaption><picture>"
            f'<source media="{NARROW_MEDIA}" srcset="{self.narrow.data_uri}" width="{narrow_w}" height="{narrow_h}" '
            f'data-min-text-px="{self.narrow.min_text_px:.1f}">'
            f'<img src="{self.wide.data_uri}" alt="{html.escape(self.alt)}" width="{wide_w}" height="{wide_h}" '
            f'data-min-text-px="{self.wide.min_text_px:.1f}" style="max-width:100%;height:auto">'
            "</picture>"
            f'<p class="chart-source" style="font-size:0.875rem;color:#3d3d3d;margin:0.25rem 0 0">'
            f"{html.escape(self.source)}</p></figure>"
        )

    def __repr__(self) -> str:
        return f"Chart: {self.alt}"


def _chart(draw: Callable[[Layout], plt.Figure], title: str, subtitle: str, source: str, alt: str) -> Chart:
    """Draw a chart for each layout and keep the texts that go beside it."""
    return Chart(_picture(draw, WIDE), _picture(draw, NARROW), alt, title, subtitle, source)


def _picture(draw: Callable[[Layout], plt.Figure], layout: Layout) -> Picture:
    """Draw, measure the smallest text drawn, and encode as a palette PNG with no date or software in it."""
    _style(layout)
    fig = draw(layout)
    try:
        fig.canvas.draw()
        sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        # Copied out of the canvas's buffer before the figure is closed.
        pixels = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())
    finally:
        plt.close(fig)
    image = pixels.quantize(PNG_COLOURS, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return Picture(buffer.getvalue(), min(sizes) * layout.dpi / 72)


def _style(layout: Layout) -> None:
    sns.set_theme(
        style="whitegrid",
        palette=PALETTE,
        rc={
            "font.family": "DejaVu Sans",
            "font.size": layout.text,
            "axes.labelsize": layout.text,
            "xtick.labelsize": layout.text,
            "ytick.labelsize": layout.text,
            "legend.fontsize": layout.text,
            "axes.edgecolor": "#3D3D3D",
            "grid.color": "#E5E5E5",
            "figure.dpi": layout.dpi,
            # Names come from data: a "$" in one must print as a dollar, not start mathtext.
            "text.parse_math": False,
        },
    )


def _figure(layout: Layout, height: float) -> tuple[plt.Figure, plt.Axes]:
    return plt.subplots(figsize=(layout.width, height), layout="constrained")


@functools.lru_cache(maxsize=8192)
def _width_pt(line: str, size: float) -> float:
    """The width of one line of text in points, as drawn."""
    font = FontProperties(family="DejaVu Sans", size=size)
    return _TEXT_PATHS.get_text_width_height_descent(line, font, ismath=False)[0]


def _widest(text: str, size: float) -> float:
    return max(_width_pt(line, size) for line in text.split("\n"))


def _wrap(text: str, width_pt: float, size: float) -> str:
    """Wrap at word breaks so each line is at most `width_pt` wide (a longer word keeps a line of its own)."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and _width_pt(f"{lines[-1]} {word}", size) <= width_pt:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines) or str(text)


def _wrap_into(text: str, lines: int, size: float) -> str:
    """Wrap into at most `lines` lines of about equal width (more only where a single word is wider)."""
    width = max(_widest(_wrap(text, 0, size), size), _width_pt(str(text), size) / lines)
    wrapped = _wrap(text, width, size)
    while _lines(wrapped) > lines:
        width *= 1.1
        wrapped = _wrap(text, width, size)
    return wrapped


def _lines(text: str) -> int:
    return text.count("\n") + 1


def _rows_with_labels_above(
    ax: plt.Axes, labels: Sequence[str], layout: Layout, row_pt: float, gap_pt: float = 0.0, bold: Sequence[bool] = ()
) -> list[float]:
    """Put each row's name on its own line(s) above the row, so the plot keeps the full width.

    The y axis runs downwards in units of one row's height (`row_pt` points), with `gap_pt`
    above each name to set it apart from the row before; returns the top of each row's
    plot band. The figure must give the axes about `_rows_height` for the names to sit in
    their gaps.
    """
    tops, y = [], 0.0
    for i, label in enumerate(labels):
        wrapped = _wrap(label, layout.width_pt - 20, layout.text)
        y += (gap_pt + _lines(wrapped) * layout.line_pt) / row_pt
        ax.text(
            0,
            y - 0.04,
            wrapped,
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="bottom",
            fontsize=layout.text,
            fontweight="bold" if bold and bold[i] else "normal",
            color=DARK_TEXT,
        )
        tops.append(y)
        y += 1
    ax.set_ylim(y, 0)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return tops


def _rows_height(labels: Sequence[str], layout: Layout, row_pt: float, gap_pt: float = 0.0) -> float:
    """Points taken by rows of `row_pt` each with its name above (see `_rows_with_labels_above`)."""
    return sum(
        gap_pt + _lines(_wrap(label, layout.width_pt - 20, layout.text)) * layout.line_pt + row_pt for label in labels
    )


def _month_ticks(ax: plt.Axes, months: Sequence[str], layout: Layout) -> None:
    """Label months so they never crowd: at most 4 labels on a phone and 12 on a desk."""
    step = math.ceil(len(months) / (4 if layout.narrow else 12))
    ax.set_xticks(range(len(months)))
    ax.set_xticklabels([m if i % step == 0 else "" for i, m in enumerate(months)])
    if not layout.narrow:
        ax.tick_params(axis="x", rotation=45)


def monthly_chart(monthly: pd.DataFrame, title: str, subtitle: str, measure: str, source: str = POLICE_SOURCE) -> Chart:
    """Counts per month, one line per crime type plus the total when there are several.

    Parameters
    ----------
    monthly
        Index of months (YYYY-MM), one column per crime type.
    measure
        The y axis label, e.g. "Recorded offences per month".
    """
    long = monthly.copy()
    long.index = [pd.Period(m, freq="M").strftime("%b %Y") for m in long.index]
    if long.shape[1] > 1:
        long["All"] = long.sum(axis=1)
    markers = ["o", "s", "^", "D", "v", "P", "X"]

    def draw(layout: Layout) -> plt.Figure:
        fig, ax = _figure(layout, 3.6 + 0.25 * math.ceil(long.shape[1] / 2) if layout.narrow else 4.6)
        for i, column in enumerate(long.columns):
            ax.plot(
                range(len(long)),
                long[column],
                marker=markers[i % len(markers)],
                markersize=5 if layout.narrow else 6,
                linewidth=2.5 if column == "All" else 1.8,
                color=PALETTE[4] if column == "All" else PALETTE[i % len(PALETTE)],
                label=column,
            )
        _month_ticks(ax, list(long.index), layout)
        ax.set_ylabel(measure)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(5 if layout.narrow else 8, integer=True))
        if long.shape[1] > 1:
            if layout.narrow:
                fig.legend(frameon=False, loc="outside lower left", ncols=2)
            else:
                ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
        return fig

    alt = (
        f"Line chart. {subtitle}. "
        + "; ".join(
            f"{c}: from {long[c].iloc[0]:,} in {long.index[0]} to {long[c].iloc[-1]:,} in {long.index[-1]}, "
            f"highest {long[c].max():,} in {long[c].idxmax()}"
            for c in long.columns
        )
        + "."
    )
    return _chart(draw, title, subtitle, source, alt)


def rate_comparison_chart(rates: pd.DataFrame, title: str, subtitle: str, source: str) -> Chart:
    """Rate per 1,000 residents per area with 95% intervals, the assessed area marked.

    Parameters
    ----------
    rates
        Columns area, rate, lower, upper, is_area (as from `PriorityEvidence.rates`).
    """
    table = rates.sort_values("rate", ascending=True, ignore_index=True)
    labels = [f"{a}  (assessed)" if is_area else a for a, is_area in zip(table["area"], table["is_area"])]
    measure = "Rate per 1,000 residents (95% confidence interval)"

    def draw(layout: Layout) -> plt.Figure:
        row_pt, gap_pt = 14, 6
        if layout.narrow:
            fig, ax = _figure(layout, (_rows_height(labels, layout, row_pt, gap_pt) + 80) / 72)
            tops = _rows_with_labels_above(ax, labels, layout, row_pt, gap_pt, list(table["is_area"]))
            ys = [top + 0.5 for top in tops]
            # A faint line through each row leads the eye from the name to its dot.
            ax.set_yticks(ys)
            ax.tick_params(axis="y", labelleft=False, length=0)
        else:
            fig, ax = _figure(layout, 0.38 * len(table) + 1.2)
            ys = list(range(len(table)))
            ax.set_yticks(ys, labels)
            for label, is_area in zip(ax.get_yticklabels(), table["is_area"]):
                if is_area:
                    label.set_fontweight("bold")
            ax.invert_yaxis()
        ys = np.array(ys)
        # The other areas in one call and the assessed area in another: two artists, not one per area.
        for assessed, colour, marker, size in ((False, MUTED, "o", 6), (True, HIGHLIGHT, "D", 8)):
            rows = (table["is_area"] == assessed).to_numpy()
            ax.errorbar(
                table["rate"][rows],
                ys[rows],
                xerr=[(table["rate"] - table["lower"])[rows], (table["upper"] - table["rate"])[rows]],
                fmt=marker,
                color=colour,
                ecolor=colour,
                markersize=size * (0.8 if layout.narrow else 1),
                capsize=3,
            )
        ax.set_xlabel(_wrap(measure, layout.width_pt - 20, layout.text))
        ax.set_xlim(left=0)
        ax.xaxis.set_major_locator(MaxNLocator(5 if layout.narrow else 10))
        return fig

    area_row = table[table["is_area"]].iloc[0]
    alt = (
        f"Dot plot, lowest rate at the top. {subtitle}. "
        f"{area_row['area']} is marked with a diamond at {area_row['rate']:.2f} per 1,000 "
        f"(95% interval {area_row['lower']:.2f} to {area_row['upper']:.2f}); "
        f"rates range from {table['rate'].min():.2f} in {table['area'].iloc[0]} "
        f"to {table['rate'].max():.2f} in {table['area'].iloc[-1]}."
    )
    return _chart(draw, title, subtitle, source, alt)


def _column_labels(names: Sequence[str], cell_pt: float, layout: Layout) -> tuple[list[str], int]:
    """Column names that fit their cells and never overprint, and their rotation.

    Across when every word fits its column in at most three lines; else upright, wrapped
    into as many lines as the column is wide, so each name stands over its own column.
    """
    across = [_wrap(name, cell_pt - 4, layout.text) for name in names]
    if all(_widest(label, layout.text) <= cell_pt - 4 and _lines(label) <= 3 for label in across):
        return across, 0
    lines = max(1, int(cell_pt / (1.15 * layout.line_pt)))
    return [_wrap_into(name, lines, layout.text) for name in names], 90


def _header_pt(labels: Sequence[str], rotation: int, layout: Layout) -> float:
    """The height the column labels take above the grid."""
    if rotation:
        return max(_widest(label, layout.text) for label in labels)
    return max(map(_lines, labels)) * layout.line_pt


def _runs(values: np.ndarray, texts: np.ndarray) -> list[tuple[int, int]]:
    """Each cell of a row as (column, width): neighbouring cells without data and with one text run together."""
    runs: list[tuple[int, int]] = []
    for j, (value, text) in enumerate(zip(values, texts)):
        start = runs[-1][0] if runs else -1
        if runs and np.isnan(value) and np.isnan(values[start]) and text == texts[start]:
            runs[-1] = (start, runs[-1][1] + 1)
        else:
            runs.append((j, 1))
    return runs


def _cell_text_colour(rgb: tuple[float, float, float]) -> str:
    """Dark text on light cells, white on dark ones, whichever contrasts more (WCAG's relative luminance).

    Dark text and white contrast equally with a cell of luminance 0.1875; either way the
    contrast is then at least 4.4 to 1.
    """
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return DARK_TEXT if luminance > 0.1875 else "white"


ROW_NAME_PT = 170  # row names on a desk wrap at this width
KEY_PT = 80  # the colour key and margins at the right of a desk's grid


def annotated_heatmap(
    values: pd.DataFrame,
    labels: pd.DataFrame,
    title: str,
    subtitle: str,
    source: str,
    scale: tuple[float, float],
    scale_label: str,
    alt: str,
    columns_label: str = "",
) -> Chart:
    """A grid whose every cell prints its value, so colour is never the only carrier.

    On a desk the row names sit to the left and a colour key to the right; on a phone each
    row's name sits above it, so the cells take the full width, and the printed values are
    the key. Column names wrap, or stand upright when a word is wider than its column.

    Parameters
    ----------
    values
        Numbers to colour (NaN for no data, drawn as a hatched grey cell; neighbours in a row
        with the same text merge, so it is said once).
    labels
        The text printed in each cell.
    columns_label
        What the columns are, printed above their names (blank: the names say it).
    """
    grid = values.astype(float).to_numpy()
    cell_text = labels.to_numpy()
    n_rows, n_columns = grid.shape
    cmap = LinearSegmentedColormap.from_list("gaf_blue", ["#F2F6FA", "#5694CA", HIGHLIGHT])
    norm = Normalize(*scale)
    row_names = [str(r) for r in values.index]
    faces = cmap(norm(grid)).reshape(-1, 4)
    inks = [DARK_TEXT if np.isnan(v) else _cell_text_colour(face[:3]) for v, face in zip(grid.ravel(), faces)]

    def draw(layout: Layout) -> plt.Figure:
        if layout.narrow:
            cell_pt = (layout.width_pt - 12) / n_columns
            row_pt = max(24.0, min(cell_pt, 32.0))
        else:
            row_pt = 30.0
            names_pt = max(_widest(_wrap(name, ROW_NAME_PT, layout.text), layout.text) for name in row_names)
            cell_pt = (layout.width_pt - names_pt - KEY_PT) / n_columns
        columns, rotation = _column_labels(list(values.columns), cell_pt, layout)
        header_pt = _header_pt(columns, rotation, layout) + (layout.line_pt if columns_label else 0)
        if layout.narrow:
            body_pt = _rows_height(row_names, layout, row_pt)
        else:
            body_pt = n_rows * row_pt
        fig, ax = _figure(layout, (header_pt + body_pt + 30) / 72)
        if layout.narrow:
            tops = _rows_with_labels_above(ax, row_names, layout, row_pt)
        else:
            tops = list(range(n_rows))
            ax.set_ylim(n_rows, 0)
            ax.set_yticks([t + 0.5 for t in tops], [_wrap(name, ROW_NAME_PT, layout.text) for name in row_names])
            key = fig.colorbar(plt.cm.ScalarMappable(norm, cmap), ax=ax, shrink=0.8, label=scale_label, aspect=30)
            key.locator = MaxNLocator(5, steps=[1, 2, 2.5, 5, 10])
        cells, texts = [], []  # texts: (x, y, text, width in columns, colour)
        gaps = []  # a run of neighbouring cells without data, saying so once
        for i, top in enumerate(tops):
            for j, span in _runs(grid[i], cell_text[i]):
                if np.isnan(grid[i, j]):
                    gaps.append(plt.Rectangle((j, top), span, 1))
                    texts.append((j + span / 2, top + 0.5, cell_text[i, j], span, DARK_TEXT))
                else:
                    cells.append(plt.Rectangle((j, top), 1, 1, facecolor=faces[i * n_columns + j]))
                    texts.append((j + 0.5, top + 0.5, cell_text[i, j], 1, inks[i * n_columns + j]))
        ax.add_collection(PatchCollection(cells, match_original=True, edgecolor="white"))
        ax.add_collection(PatchCollection(gaps, facecolor="#E5E5E5", edgecolor="white"))
        ax.add_collection(PatchCollection(gaps, facecolor="none", edgecolor=MUTED, hatch="///", linewidth=0))
        for x, y, text, span, ink in texts:
            if str(text):
                ax.text(
                    x,
                    y,
                    _wrap(str(text), span * cell_pt - 4, layout.text),
                    ha="center",
                    va="center",
                    fontsize=layout.text,
                    color=ink,
                    linespacing=1.0,
                )
        ax.set_xlim(0, n_columns)
        ax.xaxis.tick_top()
        ax.set_xticks([j + 0.5 for j in range(n_columns)])
        if rotation:
            ax.set_xticklabels(columns, rotation=rotation, ha="left", va="center", rotation_mode="anchor")
        else:
            ax.set_xticklabels(columns)
        ax.xaxis.set_label_position("top")
        ax.set_xlabel(columns_label)
        ax.tick_params(length=0)
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        return fig

    return _chart(draw, title, subtitle, source, alt)


def rank_interval_chart(ranking: pd.DataFrame, title: str, subtitle: str, source: str) -> Chart:
    """Each priority's rank with its 90% rank interval; candidates drawn hollow and labelled.

    Parameters
    ----------
    ranking
        Columns rank, title, rank_lower, rank_upper, candidate (as ranking.csv).
    """
    labels = [f"{t} (candidate)" if c else t for t, c in zip(ranking["title"], ranking["candidate"])]
    measure = "Rank (1 = highest priority); line: 90% rank interval"

    def draw(layout: Layout) -> plt.Figure:
        row_pt, gap_pt = 14, 6
        if layout.narrow:
            fig, ax = _figure(layout, (_rows_height(labels, layout, row_pt, gap_pt) + 80) / 72)
            ys = [top + 0.5 for top in _rows_with_labels_above(ax, labels, layout, row_pt, gap_pt)]
        else:
            fig, ax = _figure(layout, 0.45 * len(ranking) + 1.2)
            ys = list(ranking["rank"])
            ax.set_yticks(ys, labels)
            ax.invert_yaxis()
        for y, (_, row) in zip(ys, ranking.iterrows()):
            ax.plot(
                [row["rank_lower"], row["rank_upper"]],
                [y, y],
                color=HIGHLIGHT,
                linewidth=3,
                alpha=0.5,
                solid_capstyle="round",
            )
            ax.plot(
                row["rank"],
                y,
                "o",
                markersize=7 if layout.narrow else 9,
                color=HIGHLIGHT,
                markerfacecolor="white" if row["candidate"] else HIGHLIGHT,
            )
        ax.set_xticks(range(1, len(ranking) + 1))
        ax.set_xlim(0.5, len(ranking) + 0.5)
        ax.set_xlabel(_wrap(measure, layout.width_pt - 20, layout.text))
        return fig

    alt = (
        "Chart of ranks with 90% intervals. "
        + "; ".join(
            f"{t}: rank {r}, interval {lo} to {hi}"
            for t, r, lo, hi in zip(ranking["title"], ranking["rank"], ranking["rank_lower"], ranking["rank_upper"])
        )
        + "."
    )
    return _chart(draw, title, subtitle, source, alt)


def grouped_bars(frame: pd.DataFrame, title: str, subtitle: str, measure: str, source: str = POLICE_SOURCE) -> Chart:
    """Horizontal bars per row (e.g. priority), one per column, each labelled with its value and hatched.

    Parameters
    ----------
    frame
        Index: the groups; columns: the series, in the order to draw them.
    """
    hatches = ["", "//", "..", "xx", "\\\\"]
    groups = [str(g) for g in frame.index]

    def draw(layout: Layout) -> plt.Figure:
        bar_pt = 14 if layout.narrow else 16
        group_pt = bar_pt * len(frame.columns) / 0.8
        legend_pt = math.ceil(len(frame.columns) / (1 if layout.narrow else 2)) * layout.line_pt
        if layout.narrow:
            fig, ax = _figure(layout, (_rows_height(groups, layout, group_pt, 6) + legend_pt + 60) / 72)
            tops = [top + 0.1 for top in _rows_with_labels_above(ax, groups, layout, group_pt, 6)]
        else:
            fig, ax = _figure(layout, (len(groups) * (group_pt + 12) + legend_pt + 60) / 72)
            tops = [i - 0.4 for i in range(len(groups))]
            ax.set_yticks(range(len(groups)), groups)
            ax.invert_yaxis()
        height = 0.8 / len(frame.columns)
        for j, column in enumerate(frame.columns):
            bars = ax.barh(
                [top + (j + 0.5) * height for top in tops],
                frame[column],
                height=height,
                color=PALETTE[j % len(PALETTE)],
                hatch=hatches[j % len(hatches)],
                edgecolor="white",
                label=column,
            )
            ax.bar_label(bars, labels=[f"{v:,.0f}" for v in frame[column]], padding=3, fontsize=layout.text)
        # Room at the right for the longest bar's value.
        ax.set_xlim(0, frame.to_numpy().max() * (1.25 if layout.narrow else 1.12))
        ax.xaxis.set_major_locator(MaxNLocator(4 if layout.narrow else 8))
        ax.set_xlabel(measure)
        fig.legend(frameon=False, loc="outside lower left", ncols=1 if layout.narrow else 2)
        return fig

    alt = (
        f"Bar chart. {subtitle}. "
        + "; ".join(
            f"{group}: " + ", ".join(f"{c.lower()} {frame.loc[group, c]:,.0f}" for c in frame.columns)
            for group in frame.index
        )
        + "."
    )
    return _chart(draw, title, subtitle, source, alt)


KM_PER_DEGREE = 111.2  # a degree of latitude, and of longitude scaled by cos(latitude)
RING = PALETTE[3]  # orange rings stand out on the light and the dark hexagons alike


@dataclass(frozen=True)
class HexBins:
    """Records summed into hexagons over a district: a regular grid in km-true coordinates.

    x is longitude scaled by the cosine of the district's mean latitude, so a unit of x is as
    long on the ground as a unit of y (a degree of latitude) and hexagons stay regular on
    the map. The lattice is matplotlib's `hexbin` one (two interleaved rectangular grids, a
    point in the hexagon whose centre is nearest), so `Axes.hexbin` over the centres, with
    the same `gridsize` and `extent`, draws exactly these hexagons.
    """

    centres: np.ndarray  # (bins, 2): x, y of each hexagon holding at least one LSOA point
    sums: np.ndarray  # records in each
    members: tuple[tuple[int, ...], ...]  # the points (row positions) in each
    gridsize: tuple[int, int]
    extent: tuple[float, float, float, float]

    @property
    def width_km(self) -> float:
        """A hexagon's width across its flat sides, in km."""
        return (self.extent[1] - self.extent[0]) / self.gridsize[0] * KM_PER_DEGREE

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray, weights: np.ndarray, across: int) -> HexBins:
        """Bin points with these weights into hexagons, `across` of them over the wider of the two spans."""
        span_x, span_y = np.ptp(x) or 0.01, np.ptp(y) or 0.01
        # Hexagons `side` wide lie in rows sqrt(3) * side apart: regular on an equal-aspect map.
        side = max(span_x, span_y * 2 / math.sqrt(3)) / across
        nx, ny = math.ceil(span_x / side) + 1, math.ceil(span_y / (math.sqrt(3) * side)) + 1
        x0 = x.min() - (nx * side - span_x) / 2
        y0 = y.min() - (ny * math.sqrt(3) * side - span_y) / 2
        extent = (x0, x0 + nx * side, y0, y0 + ny * math.sqrt(3) * side)
        sx, sy = side, math.sqrt(3) * side
        ix, iy = (x - x0) / sx, (y - y0) / sy
        # The nearest centre on each lattice, in hexbin's metric (rows are sqrt(3) apart).
        first = np.stack([np.round(ix), np.round(iy)], axis=1)
        second = np.stack([np.floor(ix) + 0.5, np.floor(iy) + 0.5], axis=1)
        d1 = (ix - first[:, 0]) ** 2 + 3 * (iy - first[:, 1]) ** 2
        d2 = (ix - second[:, 0]) ** 2 + 3 * (iy - second[:, 1]) ** 2
        cell = np.where((d1 < d2)[:, None], first, second)
        keys, which = np.unique(cell, axis=0, return_inverse=True)
        which = which.ravel()
        sums = np.bincount(which, weights=weights, minlength=len(keys))
        members = tuple(tuple(np.flatnonzero(which == i)) for i in range(len(keys)))
        centres = np.column_stack([x0 + keys[:, 0] * sx, y0 + keys[:, 1] * sy])
        return cls(centres, sums, members, (nx, ny), extent)


def _nice_km(span_km: float) -> int:
    """A round length for a scale bar about a fifth of the map's width."""
    return next((k for k in (20, 10, 5, 2) if k <= span_km / 4), 1)


def hotspot_map(
    points: pd.DataFrame,
    counts: pd.Series,
    hotspots: pd.DataFrame,
    title: str,
    subtitle: str,
    source: str = POLICE_SOURCE,
    noun: str = "offences",
    threshold: int = 0,
    left_off: Collection[str] = (),
) -> Chart:
    """Where a district's records are: hexagonal bins of the records at their neighbourhoods' mean points.

    Each neighbourhood (LSOA) adds its count at the mean of its records' anonymised points,
    so no single record is ever placed. There is no basemap: the hexagons draw the district.
    Hotspots are ringed in orange and numbered by rank; a scale bar gives distance.

    Parameters
    ----------
    points
        Columns lsoa_code, longitude, latitude: each LSOA's mean point (`Tables.lsoa_points`),
        and lsoa_name where the alt text may name a busy hexagon's neighbourhood by it.
    counts
        Records per LSOA of the district (index lsoa_code); an LSOA without a point is not drawn.
    hotspots
        Columns rank, lsoa_code, lsoa_name: the hotspots to ring, numbered by `rank`.
    noun
        What is counted ("offences", "incidents"), for the colour key and the alt text.
    threshold
        On a sensitive subject, the disclosure threshold: hexagons holding 1 to threshold - 1
        records are not drawn (the subtitle says so) and the alt text gives no total. 0 draws all.
    left_off
        LSOAs whose counts are withheld (on a sensitive subject, small or withheld beside them):
        left off the map, since a hexagon's sum beside the shown counts could give them back.
    """
    counts = counts.drop(index=[c for c in counts.index if c in set(left_off)])
    placed = points.set_index("lsoa_code").loc[lambda p: p.index.isin(counts.index)]
    placed = placed.assign(records=counts.reindex(placed.index))
    weights = placed["records"].to_numpy(dtype=float)
    latitude = placed["latitude"].to_numpy(dtype=float)
    x = placed["longitude"].to_numpy(dtype=float) * math.cos(math.radians(latitude.mean()))
    bins = HexBins.of(x, latitude, weights, across=12)
    withheld = (bins.sums > 0) & (bins.sums < threshold)
    shown = ~withheld
    ringed = hotspots[hotspots["lsoa_code"].isin(placed.index)]
    rings = [(int(r), placed.index.get_loc(code)) for r, code in zip(ringed["rank"], ringed["lsoa_code"])]
    measure = f"Recorded {noun} per hexagon"
    cmap = LinearSegmentedColormap.from_list("gaf_blue", ["#F2F6FA", "#5694CA", HIGHLIGHT])
    top = max(float(bins.sums[shown].max()) if shown.any() else 1.0, 1.0)
    if withheld.any():
        subtitle = f"{subtitle}; hexagons with fewer than {threshold} {noun} are not drawn"
    if len(left_off):
        subtitle = f"{subtitle}; neighbourhoods whose counts are withheld are left off"
    x0, x1, y0, y1 = bins.extent
    ratio = (y1 - y0) / (x1 - x0)

    def draw(layout: Layout) -> plt.Figure:
        key_pt = 3.2 * layout.line_pt
        if layout.narrow:
            height = layout.width * ratio + key_pt / 72 + 0.2
        else:
            height = min(max((layout.width - 1.6) * ratio + 0.3, 3.0), 6.5)
        fig, ax = _figure(layout, height)
        drawn = ax.hexbin(
            bins.centres[shown, 0],
            bins.centres[shown, 1],
            C=bins.sums[shown],
            reduce_C_function=np.sum,
            gridsize=bins.gridsize,
            extent=bins.extent,
            cmap=cmap,
            norm=Normalize(0, top),
            edgecolors="white",
            linewidths=0.5,
        )
        ax.set_aspect("equal")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        key = fig.colorbar(
            drawn,
            ax=ax,
            orientation="horizontal" if layout.narrow else "vertical",
            shrink=0.9 if layout.narrow else 0.6,
            aspect=25,
            pad=0.02,
        )
        key.set_label(measure)
        key.locator = MaxNLocator(4 if layout.narrow else 6, integer=True)
        key.update_ticks()
        _scale_bar(ax, bins, layout)
        if rings:
            at = np.array([[x[i], latitude[i]] for _, i in rings])
            ax.scatter(at[:, 0], at[:, 1], s=(1.5 * layout.text) ** 2, facecolors="none", edgecolors="white", lw=4)
            ax.scatter(at[:, 0], at[:, 1], s=(1.5 * layout.text) ** 2, facecolors="none", edgecolors=RING, lw=2)
            _number_rings(fig, ax, at, [r for r, _ in rings], layout)
        return fig

    alt = _hotspot_alt(
        bins, shown, placed, ringed, subtitle, noun, threshold, int(counts.sum()), withheld.any() or len(left_off) > 0
    )
    return _chart(draw, title, subtitle, source, alt)


def _scale_bar(ax: plt.Axes, bins: HexBins, layout: Layout) -> None:
    """A bar of a round number of km in the lower left corner."""
    x0, x1, y0, y1 = bins.extent
    km = _nice_km((x1 - x0) * KM_PER_DEGREE)
    length = km / KM_PER_DEGREE
    left, base = x0 + 0.02 * (x1 - x0), y0 + 0.03 * (y1 - y0)
    ax.plot([left, left + length], [base, base], color=DARK_TEXT, lw=2, solid_capstyle="butt")
    ax.annotate(
        f"{km} km",
        (left + length / 2, base),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=layout.text,
        color=DARK_TEXT,
    )


def _number_rings(fig: plt.Figure, ax: plt.Axes, at: np.ndarray, ranks: list[int], layout: Layout) -> None:
    """Number each ring beside it, in the first of eight places that overlaps no ring or number set so far.

    Rings in a town centre can touch: each number is led to its ring by a short line.
    """
    fig.draw_without_rendering()  # lays the figure out (equal-aspect limits), so data map to final pixels
    to_px = ax.transData.transform
    px_per_pt = fig.dpi / 72
    radius = 0.75 * layout.text * px_per_pt + 2
    centres = to_px(at)
    taken = [(cx - radius, cy - radius, cx + radius, cy + radius) for cx, cy in centres]
    box = ax.get_window_extent()
    directions = [(1, 1), (-1, 1), (1, -1), (-1, -1), (1.4, 0), (-1.4, 0), (0, 1.4), (0, -1.4)]
    for (cx, cy), rank in zip(centres, ranks):
        text = str(rank)
        w = _width_pt(text, layout.text) * px_per_pt + 4
        h = layout.text * px_per_pt + 2
        best = None
        for distance in (1.0, 1.8, 2.6):
            for dx, dy in directions:
                mx, my = cx + dx * distance * radius * 1.3, cy + dy * distance * radius * 1.3
                rect = (mx - w / 2, my - h / 2, mx + w / 2, my + h / 2)
                inside = box.x0 <= rect[0] and rect[2] <= box.x1 and box.y0 <= rect[1] and rect[3] <= box.y1
                clashes = sum(not (rect[2] < t[0] or t[2] < rect[0] or rect[3] < t[1] or t[3] < rect[1]) for t in taken)
                score = clashes + (0 if inside else 10)
                if best is None or score < best[0]:
                    best = (score, mx, my, rect)
            if best[0] == 0:
                break
        _, mx, my, rect = best
        taken.append(rect)
        ax.annotate(
            text,
            ax.transData.inverted().transform((cx, cy)),
            xytext=((mx - cx) / px_per_pt, (my - cy) / px_per_pt),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=layout.text,
            fontweight="bold",
            color=DARK_TEXT,
            arrowprops={"arrowstyle": "-", "color": DARK_TEXT, "lw": 0.8, "shrinkA": 0, "shrinkB": radius / px_per_pt},
            path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
        ).set_in_layout(False)  # placed for this layout: the layout must not move for it


def _hotspot_alt(
    bins: HexBins,
    shown: np.ndarray,
    placed: pd.DataFrame,
    ringed: pd.DataFrame,
    subtitle: str,
    noun: str,
    threshold: int,
    total: int,
    withheld: bool,
) -> str:
    """The map in words: how many records and hotspots, and where the three highest hexagons are."""
    names = dict(zip(ringed["lsoa_code"], ringed["lsoa_name"]))
    ranks = dict(zip(ringed["lsoa_code"], ringed["rank"]))
    weights = dict(zip(placed.index, placed["records"]))
    labels = dict(zip(placed.index, placed["lsoa_name"])) if "lsoa_name" in placed else {}
    order = [i for i in np.argsort(-bins.sums, kind="stable") if shown[i] and bins.sums[i] > 0][:3]
    places = []
    for i in order:
        codes = [placed.index[m] for m in bins.members[i]]
        inside = [f"hotspot {ranks[c]}, {names[c]}" for c in sorted((c for c in codes if c in ranks), key=ranks.get)]
        busiest = max(codes, key=lambda c: weights[c])
        where = (
            "; ".join(inside) if inside else f"no hotspot; its busiest neighbourhood is {labels.get(busiest, busiest)}"
        )
        # On a sensitive subject a hexagon's figure is not given: the shown ones and a total could be solved.
        places.append(f"{bins.sums[i]:,.0f} {noun} ({where})" if not threshold else where)
    count = f"{len(ringed)} hotspot{'s' if len(ringed) != 1 else ''}"
    listed = ", ".join(f"{r} {n}" for r, n in zip(ringed["rank"], ringed["lsoa_name"]))
    text = f"Map of hexagons about {bins.width_km:.1f} km across, shaded by recorded {noun}. {subtitle}. "
    if not withheld:
        text += f"{total:,} {noun} in {len(placed)} neighbourhoods (LSOAs). "
    text += f"{count.capitalize()} ringed and numbered" + (f": {listed}. " if listed else ". ")
    if places:
        text += "The highest hexagons, darkest first: " + " | ".join(places) + "."
    return text

"""Charts in the Government Analysis Function style, carrying their own alt text.

Each chart states its message in the title, the measure, area and period in a subtitle,
and its source underneath. It is shown as an HTML <figure> with an <img alt="..."> so the
alt text survives into the exported pages, and meaning is never carried by colour alone
(the assessed area is also marked by shape and a label).
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # Charts are rendered to PNG; no display is needed or wanted.
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

PALETTE = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
HIGHLIGHT = PALETTE[0]
MUTED = "#BFBFBF"
POLICE_SOURCE = "Source: data.police.uk street-level crime (Open Government Licence v3.0)"


@dataclass(frozen=True)
class Chart:
    """A rendered chart with the text a screen reader needs."""

    png: bytes
    alt: str
    caption: str

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (
            '<figure class="chart">'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}" '
            'style="max-width:100%;height:auto">'
            f"<figcaption>{html.escape(self.caption)}</figcaption></figure>"
        )

    def __repr__(self) -> str:
        return f"Chart: {self.alt}"


def _style() -> None:
    sns.set_theme(
        style="whitegrid",
        palette=PALETTE,
        rc={
            "font.family": "DejaVu Sans",
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.edgecolor": "#3D3D3D",
            "grid.color": "#E5E5E5",
            # Names come from data: a "$" in one must print as a dollar, not start mathtext.
            "text.parse_math": False,
        },
    )


def _figure(width: float, height: float) -> tuple[plt.Figure, plt.Axes]:
    _style()
    return plt.subplots(figsize=(width, height), layout="constrained")


def _render(fig: plt.Figure, ax: plt.Axes, title: str, subtitle: str, source: str) -> bytes:
    """Title (the message), subtitle (measure, area, period) and source line, then PNG bytes."""
    fig.suptitle(title, x=0.01, ha="left", fontsize=13, fontweight="bold")
    ax.set_title(subtitle, loc="left", fontsize=10, fontweight="normal", color="#3D3D3D")
    fig.supxlabel(source, x=0.01, ha="left", fontsize=8, color="#3D3D3D")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def monthly_chart(monthly: pd.DataFrame, title: str, subtitle: str, measure: str, source: str = POLICE_SOURCE) -> Chart:
    """Counts per month, one line per crime type plus the total when there are several.

    Parameters
    ----------
    monthly
        Index of months (YYYY-MM), one column per crime type.
    measure
        The y axis label, e.g. "Recorded offences per month".
    """
    fig, ax = _figure(9, 4.6)
    long = monthly.copy()
    long.index = [pd.Period(m, freq="M").strftime("%b %Y") for m in long.index]
    if long.shape[1] > 1:
        long["All"] = long.sum(axis=1)
    markers = ["o", "s", "^", "D", "v", "P", "X"]
    for i, column in enumerate(long.columns):
        ax.plot(
            long.index,
            long[column],
            marker=markers[i % len(markers)],
            linewidth=2.5 if column == "All" else 1.8,
            color=PALETTE[4] if column == "All" else PALETTE[i % len(PALETTE)],
            label=column,
        )
    ax.set_ylabel(measure)
    ax.set_xlabel("")
    ax.set_ylim(bottom=0)
    ax.tick_params(axis="x", rotation=45)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    alt = (
        f"Line chart. {subtitle}. "
        + "; ".join(
            f"{c}: from {long[c].iloc[0]:,} in {long.index[0]} to {long[c].iloc[-1]:,} in {long.index[-1]}, "
            f"highest {long[c].max():,} in {long[c].idxmax()}"
            for c in long.columns
        )
        + "."
    )
    return Chart(_render(fig, ax, title, subtitle, source), alt, f"{title}. {subtitle}.")


def rate_comparison_chart(rates: pd.DataFrame, title: str, subtitle: str, source: str) -> Chart:
    """Rate per 1,000 residents per area with 95% intervals, the assessed area marked.

    Parameters
    ----------
    rates
        Columns area, rate, lower, upper, is_area (as from `PriorityEvidence.rates`).
    """
    table = rates.sort_values("rate", ascending=True, ignore_index=True)
    fig, ax = _figure(9, 0.38 * len(table) + 2)
    for y, row in table.iterrows():
        colour = HIGHLIGHT if row["is_area"] else MUTED
        ax.errorbar(
            row["rate"],
            y,
            xerr=[[row["rate"] - row["lower"]], [row["upper"] - row["rate"]]],
            fmt="D" if row["is_area"] else "o",
            color=colour,
            ecolor=colour,
            markersize=8 if row["is_area"] else 6,
            capsize=3,
        )
    labels = [f"{a}  (assessed)" if is_area else a for a, is_area in zip(table["area"], table["is_area"])]
    ax.set_yticks(range(len(table)), labels)
    for label, is_area in zip(ax.get_yticklabels(), table["is_area"]):
        if is_area:
            label.set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_xlabel("Rate per 1,000 residents (95% confidence interval)")
    ax.set_xlim(left=0)
    area_row = table[table["is_area"]].iloc[0]
    alt = (
        f"Dot plot, lowest rate at the top. {subtitle}. "
        f"{area_row['area']} is marked with a diamond at {area_row['rate']:.2f} per 1,000 "
        f"(95% interval {area_row['lower']:.2f} to {area_row['upper']:.2f}); "
        f"rates range from {table['rate'].min():.2f} in {table['area'].iloc[0]} "
        f"to {table['rate'].max():.2f} in {table['area'].iloc[-1]}."
    )
    return Chart(_render(fig, ax, title, subtitle, source), alt, f"{title}. {subtitle}.")


def annotated_heatmap(
    values: pd.DataFrame,
    labels: pd.DataFrame,
    title: str,
    subtitle: str,
    source: str,
    scale: tuple[float, float],
    scale_label: str,
    alt: str,
) -> Chart:
    """A grid whose every cell prints its value, so colour is never the only carrier.

    Parameters
    ----------
    values
        Numbers to colour (NaN for no data, drawn as a hatched grey cell).
    labels
        The text printed in each cell.
    """
    from matplotlib.colors import LinearSegmentedColormap

    fig, ax = _figure(10, 0.5 * len(values) + 2.4)
    cmap = LinearSegmentedColormap.from_list("gaf_blue", ["#F2F6FA", "#5694CA", HIGHLIGHT])
    cmap.set_bad("#E5E5E5")
    sns.heatmap(
        values.astype(float),
        annot=labels.to_numpy(),
        fmt="",
        cmap=cmap,
        vmin=scale[0],
        vmax=scale[1],
        linewidths=1,
        linecolor="white",
        cbar_kws={"label": scale_label, "shrink": 0.6},
        ax=ax,
        annot_kws={"fontsize": 10},
    )
    for (row, column), missing in pd.DataFrame(values.isna().to_numpy()).stack().items():
        if missing:
            # seaborn leaves missing cells blank: hatch them and say so in words.
            ax.add_patch(plt.Rectangle((column, row), 1, 1, fill=False, hatch="///", edgecolor="#BFBFBF", lw=0))
            ax.text(
                column + 0.5, row + 0.5, labels.iat[row, column], ha="center", va="center", fontsize=9, color="#3D3D3D"
            )
    ax.set_xlabel("")
    ax.set_ylabel("")
    # Column names wrap onto short lines, so neighbours do not run into each other.
    ax.set_xticks(ax.get_xticks(), [textwrap.fill(str(c), 10, break_long_words=False) for c in values.columns])
    ax.tick_params(axis="x", rotation=0)
    ax.tick_params(axis="y", rotation=0)
    return Chart(_render(fig, ax, title, subtitle, source), alt, f"{title}. {subtitle}.")


def rank_interval_chart(ranking: pd.DataFrame, title: str, subtitle: str, source: str) -> Chart:
    """Each priority's rank with its 90% rank interval; candidates drawn hollow and labelled.

    Parameters
    ----------
    ranking
        Columns rank, title, rank_lower, rank_upper, candidate (as ranking.csv).
    """
    fig, ax = _figure(9, 0.45 * len(ranking) + 2)
    for _, row in ranking.iterrows():
        y = row["rank"]
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
            markersize=9,
            color=HIGHLIGHT,
            markerfacecolor="white" if row["candidate"] else HIGHLIGHT,
        )
    labels = [f"{t} (candidate)" if c else t for t, c in zip(ranking["title"], ranking["candidate"])]
    ax.set_yticks(list(ranking["rank"]), labels)
    ax.invert_yaxis()
    ax.set_xticks(range(1, len(ranking) + 1))
    ax.set_xlim(0.5, len(ranking) + 0.5)
    ax.set_xlabel("Rank (1 = highest priority); line: 90% rank interval")
    alt = (
        "Chart of ranks with 90% intervals. "
        + "; ".join(
            f"{t}: rank {r}, interval {lo} to {hi}"
            for t, r, lo, hi in zip(ranking["title"], ranking["rank"], ranking["rank_lower"], ranking["rank_upper"])
        )
        + "."
    )
    return Chart(_render(fig, ax, title, subtitle, source), alt, f"{title}. {subtitle}.")


def grouped_bars(frame: pd.DataFrame, title: str, subtitle: str, measure: str, source: str = POLICE_SOURCE) -> Chart:
    """Horizontal bars per row (e.g. priority), one per column, each labelled with its value and hatched.

    Parameters
    ----------
    frame
        Index: the groups; columns: the series, in the order to draw them.
    """
    hatches = ["", "//", "..", "xx", "\\\\"]
    fig, ax = _figure(9, 0.9 * len(frame) * max(1, len(frame.columns) / 2) + 2)
    height = 0.8 / len(frame.columns)
    for j, column in enumerate(frame.columns):
        ys = [i + j * height for i in range(len(frame))]
        bars = ax.barh(
            ys,
            frame[column],
            height=height,
            color=PALETTE[j % len(PALETTE)],
            hatch=hatches[j % len(hatches)],
            edgecolor="white",
            label=column,
        )
        ax.bar_label(bars, labels=[f"{v:,.0f}" for v in frame[column]], padding=3, fontsize=9)
    ax.set_yticks([i + height * (len(frame.columns) - 1) / 2 for i in range(len(frame))], frame.index)
    ax.invert_yaxis()
    ax.set_xlabel(measure)
    ax.legend(frameon=False, loc="lower right")
    alt = (
        f"Bar chart. {subtitle}. "
        + "; ".join(
            f"{group}: " + ", ".join(f"{c.lower()} {frame.loc[group, c]:,.0f}" for c in frame.columns)
            for group in frame.index
        )
        + "."
    )
    return Chart(_render(fig, ax, title, subtitle, source), alt, f"{title}. {subtitle}.")

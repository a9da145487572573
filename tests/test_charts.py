"""Charts: a wide and a narrow image in one <picture>, text legible at the width each is shown at.

A phone at 390 px shows the narrow image about 360 CSS px wide; a desk shows the wide one at
up to 900. Text must show at 10 CSS px or more at those widths, and column names of a grid
must never run into each other.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import params_facts as facts
from assess import charts
from assess.pages import score_heatmap

PHONE_CSS_PX = 360  # the width a 390 px phone gives a chart
DESK_CSS_PX = 900
FLOOR_CSS_PX = 10

AREAS = facts.comparators()
ISSUES = [
    "Serious and acquisitive crime",
    "Anti-social behaviour",
    "Domestic abuse",
    "Safeguarding",
    "Doorstep crime, scams and cyber crime",
    "Substance misuse",
    "Violence and sexual offences (candidate)",
    "Criminal damage and arson (candidate)",
    "Shoplifting (candidate)",
]
HOSTILE = 'Hythe & "Rye" <East>'


def county_grid() -> pd.DataFrame:
    """Scores of 13 areas on 9 issues, as the county page draws them, one cell without data."""
    values = pd.DataFrame(
        np.random.default_rng(3).integers(1, 6, (len(AREAS), len(ISSUES))).astype(float), index=AREAS, columns=ISSUES
    )
    values.iloc[2, 3] = np.nan
    return values


def rates(assessed: str = "Sevenoaks") -> pd.DataFrame:
    rate = np.linspace(6.0, 15.0, len(AREAS))
    return pd.DataFrame(
        {
            "area": [assessed if a == "Sevenoaks" else a for a in AREAS],
            "rate": rate,
            "lower": rate - 0.5,
            "upper": rate + 0.5,
            "is_area": [a == "Sevenoaks" for a in AREAS],
        }
    )


def hotspot_inputs(seed: int = 1) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """80 LSOA points around Sevenoaks, 20 of them in a town, three of the town's LSOAs busy and ringed."""
    rng = np.random.default_rng(seed)
    codes = [f"E0100{i:04d}" for i in range(80)]
    spread = np.r_[np.full(20, 0.008), np.full(60, 0.06)]
    points = pd.DataFrame(
        {
            "lsoa_code": codes,
            "longitude": 0.19 + rng.normal(0, 1, 80) * spread,
            "latitude": 51.27 + rng.normal(0, 1, 80) * spread * 0.7,
            "lsoa_name": [f"Sevenoaks {i:03d}A" for i in range(80)],
        }
    )
    counts = pd.Series(rng.poisson(20, 80), index=codes)
    counts.iloc[[3, 7, 11]] = [150, 120, 90]
    ringed = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "lsoa_code": [codes[3], codes[7], codes[11]],
            "lsoa_name": ["Town 003A", "Town 007A", "Town 011A"],
        }
    )
    return points, counts, ringed


def every_chart() -> dict[str, charts.Chart]:
    months = [f"2022-{m:02d}" for m in range(1, 13)]
    monthly = pd.DataFrame({"Burglary": range(30, 42), "Robbery": range(12), "Vehicle crime": range(70, 82)}, months)
    ranking = pd.DataFrame(
        {
            "rank": range(1, 10),
            "title": [i.removesuffix(" (candidate)") for i in ISSUES],
            "rank_lower": [1, 1, 1, 2, 3, 4, 5, 6, 7],
            "rank_upper": [3, 4, 5, 6, 7, 8, 9, 9, 9],
            "candidate": ["candidate" in i for i in ISSUES],
        }
    )
    chance = pd.DataFrame(np.full((9, 9), 1 / 9), index=ISSUES, columns=[str(r) for r in range(1, 10)])
    bars = pd.DataFrame(
        {
            "Baseline (quarterly average)": [320.0, 268, 40],
            "Previous quarter": [336, 322, 55],
            "This quarter": [391, 232, 53],
        },
        index=ISSUES[:2] + ISSUES[5:6],
    )
    return {
        "monthly": charts.monthly_chart(monthly, "Burglary peaked in May", "Recorded offences per month", "Offences"),
        "rates": charts.rate_comparison_chart(rates(), "Sevenoaks has a high rate", "Rate per 1,000", "Source: x"),
        "ranking": charts.rank_interval_chart(ranking, "Serious crime ranks first", "Rank with interval", "Source: x"),
        "scores": score_heatmap(county_grid().iloc[:9, :6], "Scores", "Grid of scores", "2022"),
        "county": score_heatmap(county_grid(), "Volume: where each area stands", "Grid of volume scores", "2022"),
        "chance": charts.annotated_heatmap(
            chance, chance.map(lambda p: f"{p:.0%}"), "How sure", "Chance", "Source: x", (0, 1), "Chance", "alt"
        ),
        "bars": charts.grouped_bars(bars, "Substance misuse moved most", "Recorded per quarter", "Recorded"),
        "hotspots": charts.hotspot_map(
            *hotspot_inputs(), "Three hotspots in the town", "Recorded offences per hexagon"
        ),
    }


@pytest.fixture(scope="module")
def drawn() -> dict[str, charts.Chart]:
    return every_chart()


def picture_parts(markup: str) -> dict[str, dict[str, str]]:
    """The attributes of the <source> and the <img> of a chart's HTML."""

    def attributes(tag: str) -> dict[str, str]:
        element = re.search(rf"<{tag} ([^>]*)>", markup)
        assert element, f"no <{tag}> in the chart"
        return {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', element.group(1))}

    return {"source": attributes("source"), "img": attributes("img")}


def decode(uri: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(uri[len(prefix) :])))
    image.load()
    return image


@pytest.mark.parametrize("name", ["monthly", "rates", "ranking", "scores", "county", "chance", "bars", "hotspots"])
def test_both_images_decode_at_their_widths_with_text_of_10_css_px(drawn, name):
    markup = drawn[name]._repr_html_()
    assert markup.count("<picture>") == 1 and markup.count("<img ") == 1 and markup.count("<source ") == 1
    parts = picture_parts(markup)
    assert parts["source"]["media"] == "(max-width: 40rem)"
    narrow, wide = decode(parts["source"]["srcset"]), decode(parts["img"]["src"])
    # The narrow image is drawn for a phone, at two image pixels per CSS pixel.
    assert 2 * 340 <= narrow.width <= 2 * 390
    assert wide.width == DESK_CSS_PX
    assert (int(parts["source"]["width"]), int(parts["source"]["height"])) == narrow.size
    assert (int(parts["img"]["width"]), int(parts["img"]["height"])) == wide.size
    narrow_px, wide_px = float(parts["source"]["data-min-text-px"]), float(parts["img"]["data-min-text-px"])
    assert narrow_px * PHONE_CSS_PX / narrow.width >= FLOOR_CSS_PX
    assert wide_px * DESK_CSS_PX / wide.width >= FLOOR_CSS_PX


def test_min_text_px_is_the_smallest_text_drawn():
    """A chart with a 6 pt note states 6 pt in image pixels: the figure's real fonts are measured."""

    def draw(layout: charts.Layout):
        fig, ax = charts.plt.subplots(figsize=(layout.width, 2))
        ax.text(0.5, 0.5, "small note", fontsize=6)
        ax.text(0.5, 0.2, " ", fontsize=2)  # blank text draws nothing and does not count
        return fig

    chart = charts._chart(draw, "t", "s", "src", "alt")
    assert chart.wide.min_text_px == pytest.approx(6 * charts.WIDE.dpi / 72)
    assert chart.narrow.min_text_px == pytest.approx(6 * charts.NARROW.dpi / 72)


def test_title_and_subtitle_are_text_once_and_the_source_is_shown(drawn):
    chart = drawn["rates"]
    markup = chart._repr_html_()
    assert markup.count(chart.title) == 1
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", markup, re.S).group(1)
    assert caption.count(chart.title) == 1 and chart.subtitle in caption
    assert 'class="chart-title"' in caption and "<h" not in caption  # text, not a heading
    assert f">{chart.source}</p>" in markup.split("</picture>")[1]


def test_names_are_escaped_in_alt_text_title_and_source():
    chart = charts.rate_comparison_chart(rates(HOSTILE), f"{HOSTILE} is high", f"Rate, {HOSTILE}", f"Source: {HOSTILE}")
    markup = chart._repr_html_()
    assert "<East>" not in markup and '"Rye"' not in markup
    alt = picture_parts(markup)["img"]["alt"]
    assert alt.startswith("Dot plot") and HOSTILE in alt
    for text in (chart.title, chart.subtitle, chart.source):
        assert f">{html.escape(text)}</p>" in markup


def test_same_input_same_bytes(drawn):
    for name, chart in every_chart().items():
        assert chart._repr_html_() == drawn[name]._repr_html_(), name


@pytest.fixture
def kept_open(monkeypatch):
    """The figures charts draw, kept open to inspect, closed when the test ends."""
    figures: list = []
    close = charts.plt.close
    monkeypatch.setattr(charts.plt, "close", figures.append)
    yield figures
    for fig in figures:
        close(fig)


def test_grid_column_names_never_overprint(kept_open):
    """The county grid's 9 long issue names, at a desk's and a phone's width, each keep to their column."""
    figures = kept_open
    score_heatmap(county_grid(), "Volume", "Grid of volume scores", "2022")
    assert len(figures) == 2
    for fig in figures:
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        boxes = [label.get_window_extent(renderer) for label in ax.get_xticklabels() if label.get_text()]
        assert len(boxes) == len(ISSUES)
        for a, b in itertools.combinations(boxes, 2):
            assert not a.overlaps(b)
        figure_box = fig.bbox
        assert all(figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1 and box.y1 <= figure_box.y1 for box in boxes)


def test_a_phone_gets_few_month_labels_and_the_legend_below(kept_open):
    figures = kept_open
    months = [f"2022-{m:02d}" for m in range(1, 13)] + [f"2023-{m:02d}" for m in range(1, 13)]
    charts.monthly_chart(pd.DataFrame({"A": range(24), "B": range(24)}, months), "t", "s", "m")
    wide, narrow = figures
    assert len([t for t in narrow.axes[0].get_xticklabels() if t.get_text()]) <= 4
    assert len([t for t in wide.axes[0].get_xticklabels() if t.get_text()]) <= 12
    assert narrow.legends and not narrow.axes[0].get_legend()  # under the plot, not beside it


def test_neighbouring_cells_without_data_say_so_once(kept_open):
    """A row with three gaps side by side prints "no data" once over them, at both widths."""
    values = pd.DataFrame(
        [[4.0, np.nan, np.nan, np.nan, 2.0], [np.nan, 3.0, np.nan, 1.0, 5.0]], ["A", "B"], list("VWXYZ")
    )
    score_heatmap(values, "Scores", "Grid of scores", "2022")
    for fig in kept_open:
        texts = [t.get_text().replace("\n", " ") for t in fig.axes[0].texts]
        assert texts.count("no data") == 3  # one for row A's run, two for row B's separate gaps


def test_hotspot_bins_are_those_matplotlib_draws_from_the_points_themselves(kept_open):
    """The hexagons summed by `HexBins` and drawn from their centres equal hexbin over the LSOA points."""
    points, counts, ringed = hotspot_inputs()
    charts.hotspot_map(points, counts, ringed, "t", "s")
    drawn = kept_open[0].axes[0].collections[0]
    x = points["longitude"] * np.cos(np.radians(points["latitude"].mean()))
    bins = charts.HexBins.of(x.to_numpy(), points["latitude"].to_numpy(), counts.to_numpy(float), across=12)
    _, ax = charts.plt.subplots()
    direct = ax.hexbin(
        x, points["latitude"], C=counts, reduce_C_function=np.sum, gridsize=bins.gridsize, extent=bins.extent
    )
    assert sorted(direct.get_array()) == sorted(drawn.get_array()) == sorted(bins.sums)
    assert sum(drawn.get_array()) == counts.sum()
    charts.plt.close(ax.figure)


def test_hotspot_alt_text_names_the_top_hotspot_the_records_and_the_hotspots():
    points, counts, ringed = hotspot_inputs()
    alt = charts.hotspot_map(points, counts, ringed, "t", "Recorded offences").alt
    assert f"{counts.sum():,} offences in 80 neighbourhoods" in alt
    assert "3 hotspots ringed and numbered: 1 Town 003A, 2 Town 007A, 3 Town 011A" in alt
    highest = alt.split("The highest hexagons, darkest first: ")[1].split(" | ")[0]
    assert "Town 003A" in highest or "Town 007A" in highest


def test_hexagons_under_the_threshold_are_not_drawn_on_a_sensitive_subject(kept_open):
    points, counts, ringed = hotspot_inputs()
    counts.iloc[40:] = 1  # the countryside's LSOAs: 1 record each, few to a hexagon
    chart = charts.hotspot_map(points, counts, ringed, "t", "Recorded offences", threshold=5)
    assert chart.subtitle.endswith("hexagons with fewer than 5 offences are not drawn")
    for fig in kept_open:
        sums = fig.axes[0].collections[0].get_array()
        assert len(sums) and not ((sums > 0) & (sums < 5)).any()
    x = points["longitude"] * np.cos(np.radians(points["latitude"].mean()))
    bins = charts.HexBins.of(x.to_numpy(), points["latitude"].to_numpy(), counts.to_numpy(float), across=12)
    assert ((bins.sums > 0) & (bins.sums < 5)).any()  # there were such hexagons to withhold
    # No total and no hexagon's figure: with the colours they could give a withheld one back.
    assert f"{counts.sum():,}" not in chart.alt and " offences (" not in chart.alt
    # Without the threshold every hexagon is drawn.
    kept_open.clear()
    charts.hotspot_map(points, counts, ringed, "t", "Recorded offences")
    assert len(kept_open[0].axes[0].collections[0].get_array()) == len(bins.sums)

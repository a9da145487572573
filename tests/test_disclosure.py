"""Disclosure control: small counts on sensitive subjects never reach a page or a workbook."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from assess.config import DEFAULT_DATA_DIR
from assess.disclosure import suppress_grid
from assess.evidence import Evidence
from assess.pages import PriorityPage


class TestSuppressGrid:
    def test_primary_only_without_totals(self):
        assert suppress_grid([[3, 10, 0]], 5, False, False).tolist() == [[True, False, False]]

    def test_zero_is_shown(self):
        assert not suppress_grid([[0, 0, 9]], 5, True, True).any()

    def test_secondary_along_a_shown_total(self):
        # 3 alone hidden beside a shown total 16 would be 16 - 13: the smallest other (6) goes too.
        assert suppress_grid([[3, 6, 7]], 5, True, False).tolist() == [[True, True, False]]

    def test_rows_and_columns_until_stable(self):
        hidden = suppress_grid([[3, 10, 13], [20, 30, 50]], 5, True, True)
        assert hidden.tolist() == [[True, True, False], [True, True, False]]
        # No row or column with a shown total is left with exactly one hidden cell.
        assert all(row.sum() != 1 for row in hidden) and all(col.sum() != 1 for col in hidden.T)


@pytest.fixture
def small_sensitive(tmp_path):
    """Violence and sexual offences (a sensitive crime type) with small counts in one area."""
    months = [str(p) for p in pd.period_range("2022-01", "2022-12", freq="M")]
    rows = []
    for area, base in (("Sevenoaks", 0), ("Dover", 40), ("Thanet", 55), ("Swale", 3)):
        for i, month in enumerate(months):
            rows.append({"area": area, "month": month, "crime_type": "Violence and sexual offences",
                         "count": base + (i % 3) if area != "Sevenoaks" else [2, 7, 0][i % 3]})
            rows.append({"area": area, "month": month, "crime_type": "Burglary", "count": 20})
    pd.DataFrame(rows).to_csv(tmp_path / "counts.csv", index=False)
    population = pd.read_csv(DEFAULT_DATA_DIR / "population.csv")
    population[population["area"].isin(["Sevenoaks", "Dover", "Thanet", "Swale"])].to_csv(
        tmp_path / "population.csv", index=False)
    evidence = Evidence.load(None, "Sevenoaks", tmp_path)
    return PriorityPage(evidence, "violence")


def shown_numbers(display) -> set[int]:
    text = display._repr_html_()
    return {int(n.replace(",", "")) for n in re.findall(r"<td>([\d,]+)</td>", text)}


class TestSensitivePage:
    def test_monthly_counts_below_five_are_hidden(self, small_sensitive):
        html = small_sensitive.monthly_table()._repr_html_()
        assert "fewer than 5" in html
        assert not {1, 2, 3, 4} & shown_numbers(small_sensitive.monthly_table())

    def test_monthly_chart_is_withheld_but_not_the_yearly_comparison(self, small_sensitive):
        assert "withheld" in repr(small_sensitive.monthly_chart())
        # Yearly counts per area are all 5 or more here, so the comparison can be drawn.
        assert "withheld" not in repr(small_sensitive.comparison_chart())

    def test_rates_of_hidden_counts_are_hidden(self, small_sensitive):
        table = small_sensitive.comparison_table().frame.set_index("Rank (1 = lowest rate)")
        swale = table[table["Area"] == "Swale"]
        # Swale's yearly count is large (3 to 5 a month), so it stays; no row shows a small count.
        assert not any(isinstance(v, (int, np.integer)) and 0 < v < 5 for v in table["Offences"])
        assert len(swale) == 1

    def test_headline_is_not_suppressed_when_the_total_is_large(self, small_sensitive):
        assert "Police recorded 36 offences" in small_sensitive.headline().text


def test_nothing_identifying_reaches_a_page(default_run, kent_2022_files):
    """No Crime ID, street name or coordinate from the raw files appears in any page."""
    _, out = default_run
    raw = pd.read_csv(kent_2022_files[0])
    sevenoaks = raw[raw["LSOA name"].str.startswith("Sevenoaks", na=False)]
    crime_ids = set(sevenoaks["Crime ID"].dropna())
    streets = set(sevenoaks["Location"].dropna()) - {"On or near ", "On or near"}
    coordinates = {f"{v:.6f}" for v in pd.concat([sevenoaks["Longitude"], sevenoaks["Latitude"]]).dropna()}
    assert crime_ids and streets and coordinates
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not any(c in text for c in crime_ids), page.name
        assert not any(s in text for s in streets), page.name
        assert not any(c in text for c in coordinates), page.name


def test_embedded_safeguarding_figures_are_suppressed(default_run):
    _, out = default_run
    text = re.sub(r"<[^>]+>", " ", (out / "40_safeguarding.html").read_text(encoding="utf-8"))
    # The plan's 2 trafficking offences, 4 CSE reports and 3 Prevent cases are all below 5.
    for indicator in ("Trafficking offences reported to police", "Child sexual exploitation reports"):
        assert re.search(re.escape(indicator) + r"\s+Sevenoaks\s+Oct 2019 to Sep 2020\s+fewer than 5", text)

"""End to end on planted signals: street-level files in, the planted signals found, the rest not.

Synthetic data.police.uk street-level files for the eleven Surrey districts, 2022, with
background crime proportional to each district's real population (Poisson noise, fixed
seed) and two planted signals:

(a) drug offences in Waverley rising steadily, 5 to 60 a month;
(b) burglary in Woking at three times the rate of the rest of the county.

The files go through the real reader, the counts and population through `Evidence.load`,
and the scores through `Results`, as a user's would.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assess.config import DEFAULT_DATA_DIR
from assess.data.counts import write_counts
from assess.data.geography import Geography
from assess.data.police_uk import read_street_files
from assess.data.population import read_population
from assess.evidence import Evidence
from assess.results import Results
from conftest import street_row

SURREY = (
    "Elmbridge",
    "Epsom and Ewell",
    "Guildford",
    "Mole Valley",
    "Reigate and Banstead",
    "Runnymede",
    "Spelthorne",
    "Surrey Heath",
    "Tandridge",
    "Waverley",
    "Woking",
)
MONTHS = tuple(f"2022-{m:02d}" for m in range(1, 13))
FORCE = "Surrey Police"
# Background recorded crime per 1,000 residents a year (about 25,000 records in all).
RATES = {
    "Anti-social behaviour": 5.0,
    "Violence and sexual offences": 5.0,
    "Burglary": 2.0,
    "Vehicle crime": 3.0,
    "Robbery": 0.3,
    "Drugs": 1.5,
    "Shoplifting": 2.0,
    "Criminal damage and arson": 2.0,
}
WAVERLEY_DRUGS = [5 + 5 * i for i in range(12)]  # 5, 10, ..., 60
WOKING_BURGLARY_TIMES = 3.0
LSOAS_PER_DISTRICT = 4
SEED = 20220101


def surrey_population() -> pd.DataFrame:
    population = read_population(DEFAULT_DATA_DIR / "population.csv")
    chosen = population[population["area"].isin(SURREY) & (population["year"] == 2020)]
    assert sorted(chosen["area"]) == sorted(SURREY)
    return chosen


def planted_counts(population: pd.Series, rng: np.random.Generator) -> dict[tuple[str, str, str], int]:
    """Records per (district, month, crime type), background and planted."""
    counts = {}
    for district in SURREY:
        for crime_type, rate in RATES.items():
            if crime_type == "Burglary" and district == "Woking":
                rate *= WOKING_BURGLARY_TIMES
            mean = population[district] * rate / 1000 / 12
            for i, month in enumerate(MONTHS):
                if crime_type == "Drugs" and district == "Waverley":
                    counts[(district, month, crime_type)] = WAVERLEY_DRUGS[i]
                else:
                    counts[(district, month, crime_type)] = int(rng.poisson(mean))
    return counts


@pytest.fixture
def surrey(tmp_path, write_street):
    """A data folder of counts ingested from planted street-level files, and population."""
    population = surrey_population()
    planted = planted_counts(population.set_index("area")["population"], np.random.default_rng(SEED))
    lsoas = {
        d: [(f"E0199{n:02d}{j:03d}", f"{d} {j + 1:03d}{'ABCD'[j]}") for j in range(LSOAS_PER_DISTRICT)]
        for n, d in enumerate(SURREY)
    }
    files, serial = [], 0
    for month in MONTHS:
        rows = []
        for (district, m, crime_type), count in planted.items():
            if m != month:
                continue
            for _ in range(count):
                code, name = lsoas[district][serial % LSOAS_PER_DISTRICT]
                crime_id = "" if crime_type == "Anti-social behaviour" else f"{serial:064x}"
                rows.append(
                    street_row(
                        month=month,
                        lsoa_code=code,
                        lsoa_name=name,
                        crime_type=crime_type,
                        crime_id=crime_id,
                        force=FORCE,
                    )
                )
                serial += 1
        files.append(write_street(f"{month}-surrey-street.csv", rows))
    counts, report = read_street_files(files, Geography.from_dir(DEFAULT_DATA_DIR))
    folder = tmp_path / "data"
    write_counts(counts, folder / "counts.csv")
    population.to_csv(folder / "population.csv", index=False)
    return folder, planted, report


def scoring_for(folder, area: str) -> Results:
    return Results(Evidence.load(params_file=None, area=area, data_dir=folder))


class TestPlantedSignals:
    def test_the_reader_places_every_record(self, surrey):
        folder, planted, report = surrey
        assert report.total_rows == sum(planted.values())
        assert 15_000 < report.total_rows < 40_000
        assert sum(report.not_placed.values()) == 0
        assert report.forces == {"Surrey"}  # the force area named by "Surrey Police"
        counts = pd.read_csv(folder / "counts.csv")
        assert sorted(counts["area"].unique()) == sorted(SURREY)
        assert counts["count"].sum() == sum(planted.values())
        drugs = counts[(counts["area"] == "Waverley") & (counts["crime_type"] == "Drugs")]
        assert drugs.sort_values("month")["count"].tolist() == WAVERLEY_DRUGS
        burglary = counts[counts["crime_type"] == "Burglary"].groupby("area")["count"].sum()
        assert burglary["Woking"] == sum(planted[("Woking", m, "Burglary")] for m in MONTHS)

    def test_waverley_rising_drug_offences_score_5_as_a_significant_rise(self, surrey):
        folder, _, _ = surrey
        waverley = scoring_for(folder, "Waverley")
        assert waverley.assessment.comparators == tuple(sorted(SURREY))
        assert (waverley.assessment.period_start, waverley.assessment.period_end) == ("2022-01", "2022-12")
        trend = waverley.criteria["substance_misuse"]["trend"]
        assert trend.score == 5, trend
        assert "significant rise" in trend.reason, trend.reason
        # Planted in Waverley alone, so it shows against the county's shared pattern.
        assert "share-of-county trend test (Cochran-Armitage) over 12 months (2022-01 to 2022-12)" in trend.evidence
        # The written criteria table carries the same verdict.
        table = waverley.criteria_table()
        row = table[(table["priority"] == "substance_misuse") & (table["criterion"] == "trend")].iloc[0]
        assert row["score"] == 5 and row["reason"] == trend.reason

    def test_woking_burglary_is_above_the_funnel(self, surrey):
        folder, _, _ = surrey
        comparison = scoring_for(folder, "Woking").criteria["serious_acquisitive"]["comparison"]
        assert comparison.score >= 4, comparison
        assert "rank 11 of 11" in comparison.evidence
        assert "above the county" in comparison.reason

    def test_an_unplanted_district_is_in_line(self, surrey):
        folder, _, _ = surrey
        elmbridge = scoring_for(folder, "Elmbridge").criteria
        trend = elmbridge["substance_misuse"]["trend"]
        assert trend.score == 3, trend
        assert "no significant trend" in trend.reason
        comparison = elmbridge["serious_acquisitive"]["comparison"]
        assert comparison.score == 3, comparison
        assert "in line with the county" in comparison.reason

    def test_each_signal_stays_in_its_own_priority_and_district(self, surrey):
        folder, _, _ = surrey
        assert scoring_for(folder, "Woking").criteria["substance_misuse"]["trend"].score == 3
        waverley = scoring_for(folder, "Waverley").criteria
        assert waverley["serious_acquisitive"]["comparison"].score == 3
        assert waverley["serious_acquisitive"]["trend"].score == 3

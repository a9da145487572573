"""The embedded default in data/ is exactly what the derivation makes from the raw files."""

from __future__ import annotations

import pandas as pd
import pytest

from assess.config import DEFAULT_DATA_DIR
from assess.data.derive import derive_default
from conftest import SHARED_DATA

DERIVED = [
    "counts.csv",
    "districts.csv",
    "district_aliases.csv",
    "harm_weights.csv",
    "lsoa_counts.csv",
    "lsoa_lookup.csv",
    "lsoa_points.csv",
    "population.csv",
    "partners/defra-flytipping.csv",
    "partners/phe-fingertips.csv",
]


@pytest.fixture(scope="module")
def derived(tmp_path_factory, kent_2022_files):
    out = tmp_path_factory.mktemp("derived")
    derive_default(SHARED_DATA, out)
    return out


@pytest.mark.parametrize("name", DERIVED)
def test_committed_table_matches_a_fresh_derivation(derived, name):
    assert (derived / name).read_bytes() == (DEFAULT_DATA_DIR / name).read_bytes(), (
        f"data/{name} differs from the raw files: run python scripts/derive_default_data.py"
    )


class TestPublishedFigures:
    """Figures quoted by the publishers (see ../shared/data/SOURCES.md)."""

    def test_sevenoaks_mid_2019_and_mid_2020_population(self):
        population = pd.read_csv(DEFAULT_DATA_DIR / "population.csv")
        sevenoaks = population[population["area_code"] == "E07000111"].set_index("year")["population"]
        assert sevenoaks.to_dict() == {2019: 120_750, 2020: 121_387}

    def test_every_english_lsoa_once(self):
        lookup = pd.read_csv(DEFAULT_DATA_DIR / "lsoa_lookup.csv")
        assert len(lookup) == 32_844 and lookup["lsoa_code"].is_unique
        assert lookup["lsoa_code"].str.startswith("E01").all()

    def test_kent_counts_are_in_its_thirteen_districts(self):
        counts = pd.read_csv(DEFAULT_DATA_DIR / "counts.csv")
        districts = pd.read_csv(DEFAULT_DATA_DIR / "districts.csv")
        kent = set(districts.loc[districts["force"] == "Kent", "area_code"])
        assert set(counts["area_code"]) == kent and len(kent) == 13

    def test_partner_tables_carry_the_code_after_the_name(self):
        for name in ("defra-flytipping.csv", "phe-fingertips.csv"):
            table = pd.read_csv(DEFAULT_DATA_DIR / "partners" / name)
            assert list(table.columns[2:4]) == ["area", "area_code"]
            assert table.groupby("area")["area_code"].nunique().max() == 1

    def test_no_harm_weight_for_asb(self):
        weights = pd.read_csv(DEFAULT_DATA_DIR / "harm_weights.csv")
        assert len(weights) == 13 and "Anti-social behaviour" not in set(weights["crime_type"])

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
    "harm_weights.csv",
    "lsoa_lookup.csv",
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

    def test_sevenoaks_mid_2020_population(self):
        population = pd.read_csv(DEFAULT_DATA_DIR / "population.csv")
        assert population.set_index("area").loc["Sevenoaks", "population"] == 121_387

    def test_kent_has_thirteen_districts_and_their_lsoas(self):
        lookup = pd.read_csv(DEFAULT_DATA_DIR / "lsoa_lookup.csv")
        assert lookup["area"].nunique() == 13
        assert lookup["lsoa_code"].is_unique

    def test_no_harm_weight_for_asb(self):
        weights = pd.read_csv(DEFAULT_DATA_DIR / "harm_weights.csv")
        assert len(weights) == 13 and "Anti-social behaviour" not in set(weights["crime_type"])

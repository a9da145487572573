"""Shared fixtures: where the raw open data lives, and small hand-made police files."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from assess.config import PROJECT_ROOT
from assess.data.police_uk import STREET_COLUMNS

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
KENT_DIR = SHARED_DATA / "police-uk" / "kent"


@pytest.fixture(scope="session")
def kent_2022_files() -> list[Path]:
    files = sorted(KENT_DIR.glob("2022-*-street.csv"))
    if len(files) != 12:
        pytest.skip(f"the shared Kent 2022 files are not at {KENT_DIR}")
    return files


def street_row(
    month="2022-01",
    lsoa_code="E01024445",
    lsoa_name="Sevenoaks 001A",
    crime_type="Burglary",
    crime_id="abc123",
    force="Kent Police",
) -> dict[str, str]:
    """One data.police.uk street-level record with realistic values."""
    return {
        "Crime ID": crime_id,
        "Month": month,
        "Reported by": force,
        "Falls within": force,
        "Longitude": "0.19",
        "Latitude": "51.27",
        "Location": "On or near High Street",
        "LSOA code": lsoa_code,
        "LSOA name": lsoa_name,
        "Crime type": crime_type,
        "Last outcome category": "Under investigation",
        "Context": "",
    }


@pytest.fixture
def write_street(tmp_path):
    """Write records (dicts from `street_row`) as a street-level CSV; returns its path."""

    def write(name: str, rows: list[dict[str, str]], columns=STREET_COLUMNS) -> Path:
        path = tmp_path / name
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write


def assess(*args: str) -> subprocess.CompletedProcess:
    """Run the `assess` command as a user would."""
    return subprocess.run([sys.executable, "-m", "assess.cli", *args], capture_output=True, text=True)


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """One full run on the embedded default, shared by the tests that read its output."""
    out = tmp_path_factory.mktemp("run") / "sevenoaks"
    result = assess("run", "--out", str(out), "--as-of", "2022-12-31")
    return result, out


def pytest_collection_modifyitems(config, items):
    """Notebook cells (nbval) are end to end; a test reading the full run must say it is.

    Tests carry `@pytest.mark.e2e` (or a module's `pytestmark`) themselves; nbval's items
    cannot, so they are marked here. A test that uses `default_run` without the mark would
    slip a full run into `make test-fast`: that is a usage error, not a silent slowdown.
    """
    unmarked = []
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.e2e)
        elif "default_run" in getattr(item, "fixturenames", ()) and item.get_closest_marker("e2e") is None:
            unmarked.append(item.nodeid)
    if unmarked:
        raise pytest.UsageError("mark these @pytest.mark.e2e (they use default_run): " + ", ".join(unmarked))


def sensitive_asb_in_small_numbers(run, busy: int | None = None):
    """The run with anti-social behaviour made sensitive and Sevenoaks' neighbourhoods holding 0 to 2
    incidents each (all in December); `busy`, if given, puts that many in one neighbourhood so a table
    has a row to show beside the withheld ones."""
    from dataclasses import replace

    from assess.context import RunContext
    from assess.evidence import Evidence

    assessment = replace(
        run.assessment,
        priorities=tuple(replace(p, sensitive=True) if p.key == "asb" else p for p in run.assessment.priorities),
    )
    lsoa = run.tables.lsoa_counts.copy()
    mask = (lsoa["area"] == "Sevenoaks") & (lsoa["crime_type"] == "Anti-social behaviour")
    december = mask & (lsoa["month"] == "2022-12")
    lsoa.loc[mask & ~december, "count"] = 0
    lsoa.loc[december, "count"] = lsoa.loc[december, "count"].clip(upper=2)
    if busy is not None:
        lsoa.loc[lsoa[december].index[0], "count"] = busy
    return RunContext(Evidence(assessment, replace(run.tables, lsoa_counts=lsoa)))

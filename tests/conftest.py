"""Shared fixtures: where the raw open data lives, and small hand-made police files."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from assess import outputs
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


def assess(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the `assess` command as a user would (from `cwd`, if given)."""
    return subprocess.run([sys.executable, "-m", "assess.cli", *args], capture_output=True, text=True, cwd=cwd)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes (and every folder), to prove nothing changed."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else b"<dir>")
        for p in sorted(folder.rglob("*"))
    }


def made_by_assess(folder: Path, files: dict[str, str]) -> Path:
    """A folder as an earlier run leaves it: these files and the assess marker."""
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    outputs.write_marker(folder)
    return folder


# The embedded default's run, as the tests that share one run it.
DEFAULT_RUN = ("run", "--as-of", "2022-12-31")


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """One full run on the embedded default, shared by the tests that read its output.

    It is typed as a user would, from a folder of its own with a relative `--out reports/sevenoaks`,
    so the run's output is also where the command was run (test_outputs checks that).
    """
    home = tmp_path_factory.mktemp("run")
    result = assess(*DEFAULT_RUN, "--out", "reports/sevenoaks", cwd=home)
    return result, home / "reports" / "sevenoaks"


@dataclass(frozen=True)
class KilledRun:
    """The default run killed once it had begun writing over an earlier output, then run again to the end."""

    out: Path
    started: bool  # the killed run had begun writing before it was killed
    before: dict[str, bytes]  # the earlier output before the killed run
    after_kill: dict[str, bytes]  # the earlier output once the killed run was gone
    rerun: subprocess.CompletedProcess


@pytest.fixture(scope="session")
def killed_then_rerun(tmp_path_factory) -> KilledRun:
    """A run killed mid way and the next run over the same folder: shared by test_outputs (the kill
    loses nothing, the rerun tidies up) and test_provenance (the rerun matches `default_run` byte for
    byte), so the second full run of the default is made once."""
    root = tmp_path_factory.mktemp("killed")
    earlier = made_by_assess(root / "out", {"index.html": "earlier assessment"})
    before = snapshot(earlier)
    command = [sys.executable, "-m", "assess.cli", *DEFAULT_RUN, "--out", str(earlier)]
    run = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    # Wait for the first notebook in the staging folder: long enough for a loaded machine (2 cores
    # shared by several runs took over 30 s to get there).
    deadline = time.monotonic() + 180
    try:
        while not (started := bool(list(root.glob(".out.partial-*/*.ipynb")))) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    after_kill = snapshot(earlier)
    return KilledRun(earlier, started, before, after_kill, assess(*DEFAULT_RUN, "--out", str(earlier)))


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

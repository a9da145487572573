"""A corpus of bad inputs: each refused with one clear line, exit status 2, nothing written."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import params_facts as facts
from assess.cli import main
from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS
from params_facts import EXAMPLE_AREA

GOOD_COUNTS = (DEFAULT_DATA_DIR / "counts.csv").read_text().splitlines()


def counts_with(*lines: str) -> Callable[[Path, Path], None]:
    def change(data: Path, params: Path) -> None:
        (data / "counts.csv").write_text("\n".join(GOOD_COUNTS[:50] + list(lines)) + "\n")

    return change


def write(name: str, content: bytes | str) -> Callable[[Path, Path], None]:
    def change(data: Path, params: Path) -> None:
        target = (data if not name.endswith(".yaml") else params) / name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    return change


def setting(**changes) -> Callable[[Path, Path], None]:
    def change(data: Path, params: Path) -> None:
        path = params / "assessment.yaml"
        settings = yaml.safe_load(path.read_text())
        for key, value in changes.items():
            parent = settings
            *parents, last = key.split(".")
            for part in parents:
                parent = parent[part]
            parent[last] = value
        path.write_text(yaml.safe_dump(settings))

    return change


CORPUS = {
    "wrong columns": (
        write("counts.csv", "district,when,what,n\nSevenoaks,2022-01,Drugs,3\n"),
        ["counts.csv", "missing column(s) area_code, month, crime_type, count"],
    ),
    "missing counts file": (lambda d, p: (d / "counts.csv").unlink(), ["counts.csv", "file not found"]),
    "truncated row": (counts_with("E07000111,Sevenoaks,2022-01"), ["counts.csv", "row 51", "empty"]),
    "empty file": (write("counts.csv", ""), ["counts.csv", "empty"]),
    "binary garbage": (write("counts.csv", bytes(range(256)) * 8), ["counts.csv"]),
    "wrong encoding": (
        write(
            "counts.csv", "area_code,area,month,crime_type,count\nE07000111,Caf\xe9,2022-01,Drugs,3\n".encode("latin-1")
        ),
        ["counts.csv", "UTF-8"],
    ),
    "impossible month": (counts_with("E07000111,Sevenoaks,2022-13,Drugs,4"), ["row 51", "'2022-13'", "YYYY-MM"]),
    "unknown crime type": (
        counts_with("E07000111,Sevenoaks,2022-01,Fraud,4"),
        ["row 51", "unknown crime type 'Fraud'"],
    ),
    "negative count": (counts_with("E07000108,Dover,2023-01,Drugs,-4"), ["row 51", "whole number 0 or more"]),
    "non-numeric count": (counts_with("E07000108,Dover,2023-01,Drugs,many"), ["row 51", "'many'"]),
    "fractional count": (counts_with("E07000108,Dover,2023-01,Drugs,2.5"), ["row 51", "whole number"]),
    "duplicate row": (counts_with(GOOD_COUNTS[1]), ["row 51", "appears twice"]),
    "area code a digit short": (
        counts_with("E0700011,Sevenoaks,2022-01,Drugs,3"),
        ["counts.csv", "row 51", "'area_code'", "'E0700011'"],
    ),
    "area name in the area code": (
        counts_with("Sevenoaks,Sevenoaks,2022-01,Drugs,3"),
        ["counts.csv", "row 51", "'area_code'", "'Sevenoaks'"],
    ),
    "blank area code": (counts_with(",Sevenoaks,2022-01,Drugs,3"), ["counts.csv", "row 51", "'area_code' is empty"]),
    "one name for two area codes": (
        counts_with("E07000998,Elsewhere,2022-01,Drugs,3", "E07000999,Elsewhere,2022-01,Drugs,3"),
        ["counts.csv", "'Elsewhere' is given to E07000998 and E07000999"],
    ),
    "population missing an area": (
        write("population.csv", "area_code,area,year,population\nE07000111,Sevenoaks,2020,121387\n"),
        ["population.csv", "no population for"],
    ),
    "population not a number": (
        write("population.csv", "area_code,area,year,population\nE07000111,Sevenoaks,2020,lots\n"),
        ["population.csv", "row 2", "'lots'"],
    ),
    "harm weight for an unknown type": (
        write("harm_weights.csv", "crime_type,weight,unit,source\nFraud,3,days,x\n"),
        ["harm_weights.csv", "unknown crime type 'Fraud'"],
    ),
    "unknown area": (setting(area="Atlantis"), ["field 'area'", "unknown area 'Atlantis'"]),
    "invalid YAML": (
        write("assessment.yaml", "area: Sevenoaks\nperiod: [2022-01\n"),
        ["assessment.yaml", "invalid YAML"],
    ),
    "unknown setting": (setting(colour="red"), ["field 'colour'", "unknown setting"]),
    "negative weight": (setting(**{"scoring.weights.harm": -1}), ["field 'scoring.weights.harm'"]),
    "all weights zero": (
        setting(**{"scoring.weights": dict.fromkeys(facts.criteria(), 0)}),
        ["field 'scoring.weights'", "at least one criterion"],
    ),
    "a period with no data": (
        setting(period={"start": "2030-01", "end": "2030-12"}),
        ["field 'period'", "no counts for 12 months (2030-01 to 2030-12)"],
    ),
    "partner return with a bad date": (
        write(
            "partners/late.csv",
            "indicator,priority,area,period_start,period_end,value,unit,source\n"
            "X,asb,Sevenoaks,31/03/2022,2022-06-30,4,count,CSU\n",
        ),
        ["late.csv", "row 2", "period_start", "YYYY-MM-DD"],
    ),
    "action with a bad deadline": (
        write(
            f"{EXAMPLE_AREA}/actions.yaml",
            "actions:\n  - {id: '1', priority: asb, action: a, lead: b, by_when: soon}\n",
        ),
        ["actions.yaml", "by_when"],
    ),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_refused_with_one_line(case, tmp_path, capsys):
    data, params, out = tmp_path / "data", tmp_path / "params", tmp_path / "out"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    shutil.copytree(DEFAULT_PARAMS.parent, params)
    setting(data_dir=str(data))(data, params)
    change, fragments = CORPUS[case]
    change(data, params)

    status = main(["run", "--params", str(params / "assessment.yaml"), "--out", str(out)])

    error = capsys.readouterr().err
    assert status == 2, error
    assert error.startswith("assess: error: ") and error.count("\n") == 1, error
    assert "Traceback" not in error
    for fragment in fragments:
        assert fragment in error, error
    assert not out.exists()
    assert not list(tmp_path.glob(".out.partial-*"))


def test_bad_as_of(capsys, tmp_path):
    assert main(["run", "--as-of", "31/12/2022", "--out", str(tmp_path / "o")]) == 2
    assert "--as-of" in capsys.readouterr().err


def test_count_of_cases():
    assert len(CORPUS) >= 20

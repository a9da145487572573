"""Every area of a county in one run, and the notebooks on a Dask cluster."""

from __future__ import annotations

import shutil

import pytest
import yaml

import params_facts as facts
from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS
from conftest import assess

pytestmark = pytest.mark.e2e


AREAS = ("Dover", "Sevenoaks", "Thanet")


@pytest.fixture
def small_county(tmp_path):
    """The default parameters cut to three areas and fewer resamples, to keep the test quick."""
    params = tmp_path / "params"
    shutil.copytree(DEFAULT_PARAMS.parent, params)
    settings = yaml.safe_load((params / "assessment.yaml").read_text())
    settings.update(data_dir=str(DEFAULT_DATA_DIR), comparators=list(AREAS))
    settings["scoring"]["draws"] = 200
    (params / "assessment.yaml").write_text(yaml.safe_dump(settings))
    return params / "assessment.yaml"


def test_all_areas_renders_every_area_and_a_county_summary(small_county, tmp_path):
    out = tmp_path / "county-run"
    result = assess("run", "--params", str(small_county), "--all-areas", "--out", str(out), "--as-of", "2022-12-31")
    assert result.returncode == 0, result.stderr
    assert f"wrote {len(AREAS) * facts.page_count()} pages" in result.stdout
    assert "county/index.html" in result.stdout
    for area in (a.lower() for a in AREAS):
        assert (out / area / "index.html").is_file() and (out / area / "ranking.csv").is_file()
        assert (out / area / "90_scoring.html").is_file()
    summary = (out / "county" / "index.html").read_text()
    assert "Rank of each issue in each area" in summary
    for area in AREAS:
        assert f">{area}</th>" in summary and f'href="../{area.lower()}/index.html"' in summary
    assert summary.count('<figure class="chart">') == len(facts.criteria())  # one grid per criterion
    assert not list(out.glob(".*partial*"))


def test_notebooks_run_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = tmp_path / "dask"
        result = assess(
            "run",
            "--monitoring",
            "--quarter-end",
            "2022-09",
            "--scheduler",
            cluster.scheduler_address,
            "--out",
            str(out),
        )
    assert result.returncode == 0, result.stderr
    assert "quarter Jul to Sep 2022" in (out / "95_monitoring.html").read_text()


def test_unreachable_scheduler_is_one_line(tmp_path):
    result = assess("run", "--monitoring", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "cannot reach a Dask scheduler" in result.stderr
    assert result.stderr.count("\n") == 1

"""Provenance and reproducibility: the manifest, identical results from identical inputs, the workbook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import assess.cache
from assess.config import DEFAULT_PARAMS
from assess.evidence import Evidence
from assess.provenance import sha256
from assess.results import Results


@pytest.mark.e2e
def test_manifest_records_every_input(default_run):
    _, out = default_run
    manifest = json.loads((out / "manifest.json").read_text())
    inputs = {entry["path"].rsplit("/", 1)[-1]: entry for entry in manifest["inputs"]}
    for name in (
        "counts.csv",
        "population.csv",
        "harm_weights.csv",
        "sevenoaks-action-plan-2021-22.csv",
        "assessment.yaml",
        "priorities.yaml",
        "judgements.yaml",
        "actions.yaml",
        "measures.yaml",
        "indicators.yaml",
    ):
        assert name in inputs, name
    for entry in manifest["inputs"]:
        assert entry["sha256"] == sha256(Path(entry["path"])), entry["path"]
    assert manifest["parameters"]["area"] == "Sevenoaks" and manifest["parameters"]["as_of"] == "2022-12-31"
    assert manifest["versions"]["pandas"] and manifest["versions"]["python"]
    assert len(manifest["git_commit"]) >= 40 or manifest["git_commit"] == "unknown"
    assert manifest["run_metadata"]["timings_seconds"]["total"] > 0
    outputs = {o["file"]: o["sha256"] for o in manifest["outputs"]}
    assert outputs["ranking.csv"] == sha256(out / "ranking.csv")


@pytest.mark.e2e
def test_same_inputs_give_byte_identical_results(tmp_path, monkeypatch):
    """Two scorings from scratch (separate caches, so the Monte Carlo really runs twice)."""
    files = []
    for run in ("first", "second"):
        monkeypatch.setattr(assess.cache, "CACHE_DIR", tmp_path / f"cache-{run}")
        out = tmp_path / run
        out.mkdir()
        files.append(Results(Evidence.load(DEFAULT_PARAMS)).write(out))
    for first, second in zip(*files):
        assert first.read_bytes() == second.read_bytes(), first.name


@pytest.mark.e2e
def test_two_runs_give_byte_identical_outputs(default_run, killed_then_rerun):
    """Every file of a second run matches the first, but the manifest's labelled run metadata.

    The second is the run made over a killed one's leftovers (shared with test_outputs): what the
    kill left must not show in it either.
    """
    _, first = default_run
    second = killed_then_rerun.out
    assert killed_then_rerun.rerun.returncode == 0, killed_then_rerun.rerun.stderr
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    differ = [n for n in names if (first / n).read_bytes() != (second / n).read_bytes()]
    assert differ == ["manifest.json"]
    manifests = [json.loads((folder / "manifest.json").read_text()) for folder in (first, second)]
    for manifest in manifests:
        manifest.pop("run_metadata")
    assert manifests[0] == manifests[1]


@pytest.mark.e2e
def test_a_kept_notebook_reruns_where_it_lies(default_run, tmp_path):
    """The kept notebook names its parameters file relative to itself, so it runs as it is."""
    import shutil

    import papermill

    _, out = default_run
    copy = tmp_path / "moved"
    shutil.copytree(out, copy)
    notebook = json.loads((copy / "20_asb.ipynb").read_text())
    injected = next(c for c in notebook["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    assert 'params_file = "assessment.yaml"' in "".join(injected["source"])
    papermill.execute_notebook(
        str(copy / "20_asb.ipynb"), str(tmp_path / "rerun.ipynb"), cwd=str(copy), progress_bar=False
    )

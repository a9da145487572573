"""The manifest of a run: exactly what went in, so a result can be traced and reproduced."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from assess import __version__
from assess.config import PROJECT_ROOT

# The packages whose versions can change a result.
PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "seaborn",
    "pyarrow",
    "python-calamine",
    "openpyxl",
    "pydantic",
    "PyYAML",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit() -> str:
    """The project's commit, with '+changes' when the work tree differs from it; 'unknown' outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+changes" if dirty else "")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "assess": __version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_manifest(
    out: Path, inputs: Iterable[Path], parameters: dict[str, Any], timings: dict[str, float], outputs: Iterable[Path]
) -> Path:
    """Write `manifest.json`: inputs with sha256, parameters, versions, commit, outputs.

    Everything but `run_metadata` (when the run happened and how long it took) is the same
    for the same inputs, code and packages, so two manifests can be compared directly.
    """
    manifest = {
        "git_commit": git_commit(),
        "inputs": [{"path": str(p), "bytes": p.stat().st_size, "sha256": sha256(p)} for p in sorted(set(inputs))],
        "parameters": parameters,
        "versions": package_versions(),
        "outputs": [{"file": p.relative_to(out).as_posix(), "sha256": sha256(p)} for p in sorted(outputs)],
        "run_metadata": {
            "about": "when this run happened and how long it took: differs from run to run",
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        },
    }
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    return path


# What papermill records of when and where a notebook ran; the kept notebooks leave it out.
_RUN_KEYS = ("start_time", "end_time", "duration", "output_path", "input_path")


def tidy_executed_notebook(path: Path) -> None:
    """Strip from an executed notebook what depends on when, where and in which kernel it ran.

    Timestamps and durations, the staging path, and execution counts that carry on from
    earlier notebooks in a reused kernel would make two runs of the same inputs differ.
    Execution counts are renumbered from 1, as a fresh kernel would number them.
    """
    notebook = json.loads(path.read_text(encoding="utf-8"))
    papermill = notebook.get("metadata", {}).get("papermill", {})
    for key in _RUN_KEYS:
        papermill.pop(key, None)
    count = 0
    for cell in notebook.get("cells", []):
        metadata = cell.get("metadata", {})
        metadata.pop("papermill", None)
        metadata.pop("execution", None)
        if "injected-parameters" in metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random one
        if cell.get("cell_type") != "code":
            continue
        if cell.get("execution_count") is not None:
            count += 1
            cell["execution_count"] = count
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = cell["execution_count"]
    # nbformat's own layout, so Jupyter rewrites the file unchanged.
    path.write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")

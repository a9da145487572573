"""The manifest of a run: exactly what went in, so a result can be traced and reproduced."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from assess import __version__
from assess.config import PROJECT_ROOT

# The packages whose versions can change a result.
PACKAGES = ("pandas", "numpy", "scipy", "matplotlib", "seaborn", "pyarrow", "python-calamine", "openpyxl",
            "pydantic", "PyYAML", "papermill", "nbconvert", "nbclient", "ipykernel")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit() -> str:
    """The project's commit, with '+changes' when the work tree differs from it; 'unknown' outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
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


def write_manifest(out: Path, inputs: Iterable[Path], parameters: dict[str, Any],
                   timings: dict[str, float], outputs: Iterable[Path]) -> Path:
    """Write `manifest.json`: inputs with sha256, parameters, versions, commit, timings, outputs."""
    manifest = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "inputs": [{"path": str(p), "bytes": p.stat().st_size, "sha256": sha256(p)} for p in sorted(set(inputs))],
        "parameters": parameters,
        "versions": package_versions(),
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        "outputs": [{"file": p.name, "sha256": sha256(p)} for p in sorted(outputs)],
    }
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    return path

"""The workbook's speed and memory, measured against baselines in the same run.

    .venv/bin/python bench/run_bench.py                 # everything (about 10 minutes)
    .venv/bin/python bench/run_bench.py --quick         # skip all areas and the national ingest

Measures, on this machine and in one run:
  (a) `assess run` on the embedded default;
  (b) the floor: as many notebooks that only import the same libraries and draw one chart,
      executed and exported the same way (papermill in worker kernels, in-process HTML);
  (c) the naive way: the papermill and `jupyter nbconvert` command lines, one notebook
      after another;
  (d) `assess run --all-areas` on the 13 Kent areas;
  (e) ingesting a force-year of street files (the 12 real Kent files): the reader alone, and
      `assess ingest` cold as a user runs it (start-up, the counts and the small-area tables written);
  (f) ingesting a synthetic national year (about 6 million rows, 43 forces).
and prints ratios against the targets and the peak memory (largest process) of each.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KENT = ROOT.parent / "shared" / "data" / "police-uk" / "kent"

FLOOR_NOTEBOOK = """
import json, sys
cells = [
    {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "params_file = ''\\nas_of = ''",
     "outputs": [], "execution_count": None},
    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source":
     "import numpy, pandas, scipy.stats, matplotlib\\nmatplotlib.use('Agg')\\nimport matplotlib.pyplot as plt\\n"
     "import seaborn, assess.pages\\nfig, ax = plt.subplots()\\nseaborn.lineplot(x=range(12), y=range(12), ax=ax)\\n"
     "plt.show()"},
]
json.dump({"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
           "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}, open(sys.argv[1], "w"))
"""


def measured(command: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """Wall seconds and peak memory (MB, the largest process in its tree) of a command."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True); "
        "s = time.perf_counter() - t; "
        "print(r.returncode, s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); "
        "sys.stderr.write(r.stderr[-2000:] if r.returncode else '')"
    )
    done = subprocess.run([sys.executable, "-c", probe, *command], cwd=cwd, capture_output=True, text=True)
    code, seconds, peak = done.stdout.split()
    if code != "0":
        raise SystemExit(f"benchmark step failed: {' '.join(command)}\n{done.stderr}")
    return float(seconds), float(peak)


def pages_of_a_run() -> list[tuple[Path, str, dict[str, str]]]:
    """Each page of the default run: its notebook, its output name and its own parameters."""
    sys.path.insert(0, str(ROOT / "src"))
    from assess.batch import page_tasks
    from assess.config import DEFAULT_PARAMS
    from assess.context import RunContext

    tasks = page_tasks(RunContext.load(DEFAULT_PARAMS).assessment, {}, Path("."))
    return [(task.notebook, task.output_name, task.parameters) for task in tasks]


def floor(work: Path, count: int) -> tuple[float, float]:
    folder = work / "floor"
    folder.mkdir()
    for i in range(count):
        subprocess.run([sys.executable, "-c", FLOOR_NOTEBOOK, str(folder / f"floor_{i}.ipynb")], check=True)
    script = (
        "import sys; from pathlib import Path; from assess.executor import NotebookTask, run_tasks; "
        "out = Path(sys.argv[1]); nbs = sorted(out.glob('floor_*.ipynb')); "
        "(out / 'done').mkdir(); "
        "run_tasks([NotebookTask(nb, {}, out / 'done') for nb in nbs], progress=False)"
    )
    return measured([sys.executable, "-c", script, str(folder)])


def naive(work: Path, pages: list[tuple[Path, str, dict[str, str]]]) -> tuple[float, float]:
    """papermill, then jupyter nbconvert, on the command line, one page after another."""
    out = work / "naive"
    out.mkdir()
    params = ROOT / "params" / "assessment.yaml"
    script = " && ".join(
        f"{BIN / 'papermill'} {nb} {out / name}.ipynb -p params_file {params} -p as_of 2022-12-31 "
        + "".join(f"-p {key} {value} " for key, value in own.items())
        + f"--cwd {nb.parent} --no-progress-bar -k python3 && "
        f"{BIN / 'jupyter'} nbconvert --to html --no-input {out / name}.ipynb"
        for nb, name, own in pages
    )
    return measured(["bash", "-c", script])


def ingest(files: list[Path], out: Path) -> tuple[float, float]:
    """In-process time of the reader alone (the command's start-up is not the reader's cost)."""
    script = (
        "import sys, time, json; from pathlib import Path; "
        "from assess.config import DEFAULT_DATA_DIR; from assess.data.geography import Geography; "
        "from assess.data.police_uk import read_street_files; g = Geography.from_dir(DEFAULT_DATA_DIR); "
        "files = [Path(l) for l in open(sys.argv[1]).read().split()]; t = time.perf_counter(); "
        "counts, report = read_street_files(files, g); "
        "print(json.dumps({'seconds': time.perf_counter() - t, 'rows': report.total_rows}))"
    )
    listing = out / "files.txt"
    listing.write_text("\n".join(map(str, files)))
    done = subprocess.run([sys.executable, "-c", script, str(listing)], capture_output=True, text=True, check=True)
    _, peak = measured([sys.executable, "-c", script, str(listing)])
    result = json.loads(done.stdout)
    return result["seconds"], peak, result["rows"]


def ingest_command(files: list[Path], out: Path) -> tuple[float, float]:
    """Wall time and peak memory of `assess ingest` in a new process, writing counts and small-area tables."""
    return measured([str(BIN / "assess"), "ingest", *map(str, files), "--out", str(out / "ingest" / "counts.csv")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip --all-areas and the national ingest")
    parser.add_argument("--national-rows", type=int, default=6_000_000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="assess-bench-") as folder:
        work = Path(folder)
        pages = pages_of_a_run()
        shutil.rmtree(ROOT / ".cache", ignore_errors=True)  # measure a cold run, Monte Carlo included
        run_s, run_mb = measured([str(BIN / "assess"), "run", "--out", str(work / "run"), "--as-of", "2022-12-31"])
        floor_s, floor_mb = floor(work, len(pages))
        naive_s, naive_mb = naive(work, pages)
        rows += [
            ("assess run (default, cold)", run_s, run_mb, f"{run_s / floor_s:.2f}x the floor (target <= 1.5x)"),
            (f"floor: {len(pages)} import-and-chart notebooks", floor_s, floor_mb, ""),
            (
                "naive: papermill + nbconvert CLIs in turn",
                naive_s,
                naive_mb,
                f"assess run is {naive_s / run_s:.1f}x faster (target >= 3x)",
            ),
        ]
        kent = sorted(KENT.glob("2022-*-street.csv"))
        if kent:
            seconds, peak, count = ingest(kent, work)
            rows.append(
                (
                    f"ingest a force-year ({count:,} rows)",
                    seconds,
                    peak,
                    f"target <= 1 s: {'met' if seconds <= 1 else 'missed'}",
                )
            )
            seconds, peak = ingest_command(kent, work)
            rows.append((f"assess ingest a force-year (cold, {count:,} rows)", seconds, peak, "the command as run"))
        if not args.quick:
            shutil.rmtree(ROOT / ".cache", ignore_errors=True)
            all_s, all_mb = measured(
                [str(BIN / "assess"), "run", "--all-areas", "--out", str(work / "all"), "--as-of", "2022-12-31"]
            )
            rows.append(
                (
                    "assess run --all-areas (13 Kent areas, cold)",
                    all_s,
                    all_mb,
                    f"target <= 120 s: {'met' if all_s <= 120 else 'missed'}",
                )
            )
            sys.path.insert(0, str(ROOT / "bench"))
            from synthetic import write_national_year

            started = time.perf_counter()
            files = write_national_year(work / "national", args.national_rows)
            print(f"(wrote {len(files)} synthetic files in {time.perf_counter() - started:.0f} s)")
            seconds, peak, count = ingest(files, work)
            rows.append(
                (
                    f"ingest a national year ({count:,} rows, {len(files)} files)",
                    seconds,
                    peak,
                    f"targets <= 60 s and <= 2,048 MB: {'met' if seconds <= 60 and peak <= 2048 else 'missed'}",
                )
            )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'seconds':>8}  {'peak MB':>8}  against")
    for name, seconds, peak, note in rows:
        print(f"{name:<{width}}  {seconds:8.1f}  {peak:8.0f}  {note}")


if __name__ == "__main__":
    main()

"""The workbook's speed and memory, measured against baselines in the same run.

    .venv/bin/python bench/run_bench.py                      # all but the national run (about 15 minutes)
    .venv/bin/python bench/run_bench.py --quick              # the default run, its floors, the naive way, ingest
    .venv/bin/python bench/run_bench.py --quick --national   # and the national run (tens of minutes)
    .venv/bin/python bench/run_bench.py --quick --national-forces 2   # the first 2 forces only (a check)
    .venv/bin/python bench/run_bench.py --quick --dask       # and Dask scaling on 1 and 2 workers

Measures, on this machine and in one run, cold (the `.cache` cleared before each run):
  (a) `assess run` on the embedded default, against
  (b) the floor (issue 15): as many notebooks that only import the same libraries and draw
      one chart, executed by papermill in a new kernel each, one process per core, and
      exported to HTML in-process the same way (bench/floor.py); target: within 1.0x;
  (b') the floor with kernels reused: the same notebooks through the project's executor
      (one kernel per worker for all its notebooks); for information;
  (c) the naive way: the papermill and `jupyter nbconvert` command lines, one notebook
      after another; target: `assess run` at least 3x faster;
  (d) `assess run --all-areas` on the 13 Kent areas; target: 60 s;
  (e) ingesting a force-year of street files (the 12 real Kent files): the reader alone, and
      `assess ingest` cold as a user runs it (start-up, the counts and the small-area tables written);
  (e') the Monte Carlo alone for each Kent area (4,000 draws, every source of uncertainty), CPU
      seconds per area, and the largest standard error of any chance shown; targets 6 s and 0.01;
  (f) ingesting a synthetic national year of street files (about 6 million rows, 43 forces);
      targets 60 s and 2,048 MB;
  (g) with --national: `assess run --all-areas --data-dir` on a synthetic national counts
      table (every district of England and Wales in 2022, each force's districts compared
      within their force; bench/synthetic.py); targets 30 minutes and 2,048 MB;
  (h) with --dask (and by default without --quick): `assess run --all-areas --scheduler` on a
      local Dask cluster of 1 and then 2 single-threaded worker processes, on the default
      parameters cut to 3 areas; seconds per worker count and the speed-up.
Prints each measure's seconds, the peak memory of its largest process and the verdict
against its target (met, or missed by how much). Wall times: on a shared machine they vary.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KENT = ROOT.parent / "shared" / "data" / "police-uk" / "kent"
DASK_AREAS = ("Dover", "Sevenoaks", "Thanet")
# Every command measured runs this checkout's package, whatever the environment has installed.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))

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


def floor_notebooks(folder: Path, count: int) -> Path:
    """Write `count` import-and-chart notebooks into a new `folder`."""
    folder.mkdir()
    for i in range(count):
        subprocess.run([sys.executable, "-c", FLOOR_NOTEBOOK, str(folder / f"floor_{i}.ipynb")], check=True)
    return folder


def floor(work: Path, count: int) -> tuple[float, float]:
    """The issue's floor: papermill with a new kernel per notebook, one process per core (bench/floor.py)."""
    folder = floor_notebooks(work / "floor", count)
    return measured([sys.executable, str(ROOT / "bench" / "floor.py"), str(folder)])


def floor_kernels_reused(work: Path, count: int) -> tuple[float, float]:
    """The same notebooks through the project's executor, each worker keeping one kernel for all its notebooks."""
    folder = floor_notebooks(work / "floor-reused", count)
    script = (
        "import sys; from pathlib import Path; from assess.executor import NotebookTask, run_tasks; "
        "out = Path(sys.argv[1]); nbs = sorted(out.glob('floor_*.ipynb')); "
        "(out / 'done').mkdir(); "
        "run_tasks([NotebookTask(nb, {}, out / 'done') for nb in nbs], progress=False)"
    )
    return measured([sys.executable, "-c", script, str(folder)])


def cold_run(*options: str) -> tuple[float, float]:
    """Wall time and peak memory of `assess run` with the Monte Carlo cache cleared first."""
    shutil.rmtree(ROOT / ".cache", ignore_errors=True)
    return measured([str(BIN / "assess"), "run", "--as-of", "2022-12-31", *options])


def national_run(work: Path, forces: int | None) -> tuple[float, float, int, int]:
    """`assess run --all-areas` on a synthetic national counts table (no parameters file: each force
    apart); seconds, peak MB, and the forces and districts it held."""
    from synthetic import districts_of_year, write_national_counts

    folder = work / "national-counts"
    write_national_counts(folder, forces=forces)
    districts = districts_of_year(2022, forces)
    seconds, peak = cold_run("--all-areas", "--data-dir", str(folder), "--out", str(work / "national-run"))
    return seconds, peak, districts["force"].nunique(), len(districts)


def small_county(work: Path) -> Path:
    """The default parameters cut to a few areas (as tests/test_scale.py does); the assessment file."""
    import yaml

    from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS

    params = work / "small-county"
    shutil.copytree(DEFAULT_PARAMS.parent, params)
    settings = yaml.safe_load((params / "assessment.yaml").read_text())
    settings.update(data_dir=str(DEFAULT_DATA_DIR), comparators=list(DASK_AREAS))
    (params / "assessment.yaml").write_text(yaml.safe_dump(settings))
    return params / "assessment.yaml"


def dask_scaling(work: Path, workers: tuple[int, ...] = (1, 2)) -> dict[int, tuple[float, float]]:
    """Seconds and peak MB of the same `--all-areas --scheduler` run on a local cluster of k worker
    processes (one thread each), cold each time; the cluster's start is not timed."""
    import distributed

    params = small_county(work)
    timed = {}
    for k in workers:
        with distributed.LocalCluster(
            n_workers=k, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            timed[k] = cold_run(
                "--params",
                str(params),
                "--all-areas",
                "--scheduler",
                cluster.scheduler_address,
                "--out",
                str(work / f"dask-{k}"),
            )
    return timed


SIMULATION = """
import json, time
from assess.config import DEFAULT_PARAMS
from assess.context import RunContext
from assess.uncertainty import simulate_ranks
first = RunContext.load(DEFAULT_PARAMS)
seconds, errors = [], []
for area in first.assessment.comparators:
    results = first.for_area(area).results
    started = time.process_time()
    drawn = simulate_ranks(results.cube, results._police_draws(), results.criteria, results.weights,
                           results.assessment.rules, results.order, results.tie_break)
    seconds.append(time.process_time() - started)
    errors.append(drawn.largest_error)
print(json.dumps({"seconds": seconds, "error": max(errors), "draws": drawn.draws}))
"""


def simulation() -> tuple[float, float, float, int, int]:
    """The Monte Carlo alone for each of the 13 Kent areas (CPU seconds, uncached): the mean and the
    slowest area's seconds, the largest standard error of any chance shown, the draws, the areas."""
    done = subprocess.run([sys.executable, "-c", SIMULATION], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    seconds = result["seconds"]
    return sum(seconds) / len(seconds), max(seconds), result["error"], result["draws"], len(seconds)


def verdict(value: float, limit: float, unit: str, digits: int = 1) -> str:
    """'met' or 'missed by' how much, of a measure against its upper limit."""
    if value <= limit:
        return f"met ({limit - value:,.{digits}f}{unit} to spare)"
    return f"missed by {value - limit:,.{digits}f}{unit} ({value / limit - 1:.0%} over)"


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
    parser.add_argument("--quick", action="store_true", help="skip --all-areas, the national ingest and Dask")
    parser.add_argument("--national-rows", type=int, default=6_000_000)
    parser.add_argument(
        "--national", action="store_true", help="time `assess run --all-areas` on every district of England and Wales"
    )
    parser.add_argument(
        "--national-forces", type=int, default=None, metavar="N", help="the national run on the first N forces only"
    )
    parser.add_argument("--dask", action="store_true", help="time Dask scaling (run by default without --quick)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="assess-bench-") as folder:
        work = Path(folder)
        pages = pages_of_a_run()
        run_s, run_mb = cold_run("--out", str(work / "run"))
        floor_s, floor_mb = floor(work, len(pages))
        reused_s, reused_mb = floor_kernels_reused(work, len(pages))
        naive_s, naive_mb = naive(work, pages)
        rows += [
            (
                "assess run (default, cold)",
                run_s,
                run_mb,
                f"{run_s / floor_s:.2f}x the floor, target 1.0x: {verdict(run_s / floor_s, 1.0, 'x', 2)}; "
                f"{run_s / reused_s:.2f}x the floor with kernels reused",
            ),
            (f"floor: {len(pages)} import-and-chart notebooks, a kernel each", floor_s, floor_mb, ""),
            (f"floor with kernels reused: the same {len(pages)}", reused_s, reused_mb, "for information"),
            (
                "naive: papermill + nbconvert CLIs in turn",
                naive_s,
                naive_mb,
                f"assess run is {naive_s / run_s:.1f}x faster, target 3x: "
                + ("met" if naive_s / run_s >= 3 else f"missed by {3 - naive_s / run_s:.1f}x"),
            ),
        ]
        mean_s, slowest_s, error, draws, areas = simulation()
        rows.append(
            (
                f"Monte Carlo per area ({draws:,} draws, mean of {areas} Kent areas, CPU)",
                mean_s,
                float("nan"),
                f"6 s: {verdict(slowest_s, 6, ' s')} (slowest area {slowest_s:.1f} s); "
                f"largest error of a chance shown {error:.4f}, target 0.01: {verdict(error, 0.01, '', 4)}",
            )
        )
        kent = sorted(KENT.glob("2022-*-street.csv"))
        if kent:
            seconds, peak, count = ingest(kent, work)
            rows.append((f"ingest a force-year ({count:,} rows)", seconds, peak, f"1 s: {verdict(seconds, 1, ' s')}"))
            seconds, peak = ingest_command(kent, work)
            rows.append((f"assess ingest a force-year (cold, {count:,} rows)", seconds, peak, "the command as run"))
        if not args.quick:
            all_s, all_mb = cold_run("--all-areas", "--out", str(work / "all"))
            rows.append(
                ("assess run --all-areas (13 Kent areas, cold)", all_s, all_mb, f"60 s: {verdict(all_s, 60, ' s')}")
            )
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
                    f"60 s: {verdict(seconds, 60, ' s')}; 2,048 MB: {verdict(peak, 2048, ' MB')}",
                )
            )
        if args.national or args.national_forces:
            seconds, peak, forces, districts = national_run(work, args.national_forces)
            whole = args.national_forces is None
            rows.append(
                (
                    f"assess run --all-areas, national ({forces} forces, {districts} districts, cold)",
                    seconds,
                    peak,
                    f"30 min: {verdict(seconds / 60, 30, ' min')}; 2,048 MB: {verdict(peak, 2048, ' MB')}"
                    if whole
                    else "a subset: the targets are for all 43 forces",
                )
            )
        if args.dask or not args.quick:
            timed = dask_scaling(work)
            for k, (seconds, peak) in timed.items():
                speed_up = timed[1][0] / seconds
                rows.append(
                    (
                        f"--all-areas --scheduler, {len(DASK_AREAS)} areas, {k} Dask worker{'s' if k > 1 else ''}",
                        seconds,
                        peak,
                        f"speed-up {speed_up:.2f}x over 1 worker" if k > 1 else "",
                    )
                )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'seconds':>8}  {'peak MB':>8}  against")
    for name, seconds, peak, note in rows:
        print(f"{name:<{width}}  {seconds:8.1f}  {peak:8.0f}  {note}")


if __name__ == "__main__":
    main()

"""The `assess` command: `ingest` raw police files, `run` the assessment, `init` an area's own
content, and the scoring sheet of the judged criteria (`scoring-sheet` writes it, `read-scores`
reads it back as the area's judgements.yaml).

A user's mistake (bad file, bad parameter) is one line on stderr and exit status 2,
never a traceback. Ctrl-C or SIGTERM stops the run, its workers and kernels, and leaves
earlier output as it was: one line and exit status 130.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from assess.errors import AssessError, ConfigError, OutputError

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a command stopped by Ctrl-C


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assess", description="Strategic Assessment Workbook")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser(
        "ingest",
        help="read data.police.uk downloads into a counts table",
        description="Read data.police.uk street-level crime (any forces, any months) as downloaded: "
        "*-street.csv files, gzipped (.csv.gz), the zip archive, or folders of them; write the tidy "
        "counts table: area_code, area, month, crime_type, count.",
    )
    ingest.add_argument(
        "files", nargs="+", type=Path, metavar="PATH", help="*-street.csv(.gz) files, zip archives or folders"
    )
    ingest.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="counts CSV to write; lsoa_counts.csv and lsoa_points.csv are written beside it",
    )
    ingest.add_argument(
        "--lookup-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder with the reference tables (districts, district_changes, forces, lsoa_lookup, "
        "district_aliases; default: the embedded data/)",
    )

    run = commands.add_parser(
        "run",
        help="run the assessment notebooks and render HTML",
        description="Execute the notebooks of every page for an area and write HTML, executed "
        "notebooks and an index under rendered/<force>/<period>/<area>/.",
    )
    run.add_argument(
        "--params",
        type=Path,
        default=None,
        metavar="FILE",
        help="assessment parameters (default: params/assessment.yaml, unless "
        "--data-dir is given alone: then every area in the data is compared "
        "over its latest 12 months)",
    )
    which = run.add_mutually_exclusive_group()
    which.add_argument("--area", default=None, metavar="NAME", help="district to assess")
    which.add_argument(
        "--all-areas",
        action="store_true",
        help="assess every area of the county (each force in the data, without a parameters file) and write "
        "a county summary per force (rendered/<force>/<period>/county/)",
    )
    run.add_argument(
        "--data-dir", type=Path, default=None, metavar="DIR", help="folder with counts.csv and population.csv"
    )
    run.add_argument(
        "--period",
        type=_period,
        default=None,
        metavar="START:END",
        help="first and last month to assess, e.g. 2022-01:2022-12 (default: the parameters file's, "
        "else the latest 12 months in the data)",
    )
    run.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder")
    run.add_argument(
        "--workers", type=int, default=None, metavar="N", help="notebooks run at once (default: one per core)"
    )
    run.add_argument(
        "--as-of",
        default="",
        metavar="YYYY-MM-DD",
        help="date the action plan is judged at: actions due before it count as overdue, and partners' status "
        "reports after it are left out (default: the last day of the assessment period; 'today' for today)",
    )
    run.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the notebooks on a Dask distributed cluster (e.g. tcp://host:8786) instead of local worker processes",
    )
    run.add_argument(
        "--monitoring",
        action="store_true",
        help="run only the quarterly monitoring page (into rendered/<force>/monitoring_<quarter-end>/<area>/)",
    )
    run.add_argument(
        "--quarter-end",
        default="",
        metavar="YYYY-MM",
        help="last month of the quarter to monitor (default: the end of the assessment period)",
    )
    sheet = commands.add_parser(
        "scoring-sheet",
        help="write the scoring sheet partners fill in for the judged criteria",
        description="Write an Excel workbook partners fill in at a scoring workshop: one row per issue, "
        "judged criterion and partner, for a score (1-5), a confidence and a rationale. Judgements "
        "already recorded are filled in. Read it back with `assess read-scores`.",
    )
    sheet.add_argument("--out", type=Path, required=True, metavar="FILE", help="workbook to write (.xlsx)")
    _area_options(sheet)
    _partner_option(sheet, "a partner who scores (repeat for each); those who have judged already are always included")
    sheet.add_argument("--force", action="store_true", help="replace FILE if it exists")

    scores = commands.add_parser(
        "read-scores",
        help="read a filled-in scoring sheet and write judgements.yaml",
        description="Check every filled-in row of a scoring sheet and write the judgements file the "
        "assessment loads: the area's areas/<code>/judgements.yaml unless --out says otherwise. Nothing is "
        "written if a row is wrong.",
    )
    scores.add_argument("sheet", type=Path, metavar="SHEET", help="the filled-in workbook (.xlsx)")
    scores.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help="judgements file to write (.yaml; default: the area's judgements.yaml, replaced if it holds none yet)",
    )
    _area_options(scores)
    scores.add_argument("--force", action="store_true", help="replace FILE if it exists")

    init = commands.add_parser(
        "init",
        help="start an area's own content: judgements, action plan, measures, partner returns",
        description="Write a starter folder of an area's own content (areas/<ONS code>/ beside the parameters "
        "file): a README on each file, empty judgements, actions and measures with an example each, a partners/ "
        "folder for its returns, and the scoring sheet for its partners to fill in. Existing files are left alone "
        "unless --force.",
    )
    init.add_argument("area", metavar="AREA", help="the district, by name or ONS code")
    init.add_argument("--params", type=Path, default=None, metavar="FILE", help=PARAMS_HELP)
    _partner_option(init, "a partner who scores, given rows on the scoring sheet (repeat for each)")
    init.add_argument("--force", action="store_true", help="replace the starter files where the folder has them")
    return parser


def _area_options(command: argparse.ArgumentParser) -> None:
    """Which area's judgements a command works on, and the parameters file naming the areas' folder."""
    command.add_argument("--params", type=Path, default=None, metavar="FILE", help=PARAMS_HELP)
    command.add_argument("--area", default=None, metavar="AREA", help=AREA_HELP)


def _partner_option(command: argparse.ArgumentParser, help: str) -> None:
    command.add_argument("--partner", action="append", default=[], metavar="NAME", help=help)


def _period(text: str) -> tuple[str, str]:
    """'2022-01:2022-12' -> ('2022-01', '2022-12'); anything else is refused by argparse with this message."""
    parts = text.split(":")
    if len(parts) != 2 or not all(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", part) for part in parts):
        raise argparse.ArgumentTypeError(f"{text!r} is not START:END written YYYY-MM:YYYY-MM, e.g. 2022-01:2022-12")
    return parts[0], parts[1]


PARAMS_HELP = "assessment parameters naming the priorities and criteria (default: params/assessment.yaml)"
AREA_HELP = "the district whose judgements these are, by name or ONS code (default: the parameters file's area)"


def main(argv: Sequence[str] | None = None) -> int:
    with _stop_on_signals():
        try:
            args = _parser().parse_args(argv)
            if args.command == "ingest":
                return _ingest(args)
            if args.command == "scoring-sheet":
                return _scoring_sheet(args)
            if args.command == "read-scores":
                return _read_scores(args)
            if args.command == "init":
                return _init(args)
            return _run(args)
        except AssessError as exc:
            print(f"assess: error: {exc}", file=sys.stderr)
            return EXIT_USER_ERROR
        except KeyboardInterrupt:
            print("assess: interrupted; earlier output left as it was", file=sys.stderr)
            return EXIT_INTERRUPTED


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Make SIGTERM stop the command as Ctrl-C does, and a second signal wait for the first.

    Both raise KeyboardInterrupt in the main thread, so every clean-up on the way out runs:
    the workers and their kernels are stopped (`executor.NotebookPool`) and staging folders
    removed (`outputs.Destination`). Further signals are then ignored, so that a second
    Ctrl-C cannot cut that clean-up short, until the process exits. Without an interrupt the
    caller's handlers are put back (tests call `main` in-process). Signal handlers can only
    be set in the main thread; elsewhere nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.getsignal(number) for number in stops}
    interrupted = False

    def stop(number: int, frame: object) -> None:
        nonlocal interrupted
        interrupted = True
        for each in stops:
            signal.signal(each, signal.SIG_IGN)
        raise KeyboardInterrupt

    for number in stops:
        signal.signal(number, stop)
    try:
        yield
    finally:
        if not interrupted:
            for number, handler in previous.items():
                signal.signal(number, handler)


def _ingest(args: argparse.Namespace) -> int:
    from assess.config import DEFAULT_DATA_DIR
    from assess.data.counts import COUNT_COLUMNS, write_counts
    from assess.data.geography import Geography
    from assess.data.police_uk import LSOA_COUNT_COLUMNS, LSOA_POINT_COLUMNS, MIN_POINT_RECORDS, ingest_street_files
    from assess.data.small_areas import write_lsoa_counts, write_lsoa_points
    from assess.outputs import check_table_destination

    # The small-area tables go beside the counts, where `assess run` looks for them.
    lsoa_counts_path = args.out.with_name("lsoa_counts.csv")
    lsoa_points_path = args.out.with_name("lsoa_points.csv")
    check_table_destination(args.out, ",".join(COUNT_COLUMNS))
    check_table_destination(lsoa_counts_path, ",".join(LSOA_COUNT_COLUMNS))
    check_table_destination(lsoa_points_path, ",".join(LSOA_POINT_COLUMNS))
    geography = Geography.from_dir(args.lookup_dir or DEFAULT_DATA_DIR)
    ingested = ingest_street_files(args.files, geography)
    counts, report = ingested.counts, ingested.report
    with _faults_as_one_line():
        write_lsoa_counts(ingested.lsoa_counts, lsoa_counts_path)
        write_lsoa_points(ingested.lsoa_points, lsoa_points_path)
        write_counts(counts, args.out)
    for line in report.summary_lines():
        print(line)
    print("records per area:")
    for (code, area), total in counts.groupby(["area_code", "area"])["count"].sum().sort_index(level=1).items():
        print(f"  {area} ({code}): {total:,}")
    print(
        f"wrote {len(ingested.lsoa_counts):,} rows for {ingested.lsoa_counts['lsoa_code'].nunique():,} LSOAs "
        f"to {lsoa_counts_path}, and the mean points of {len(ingested.lsoa_points):,} LSOAs with at least "
        f"{MIN_POINT_RECORDS} located records to {lsoa_points_path}"
    )
    areas, forces = counts["area_code"].nunique(), len(report.forces)
    print(
        f"wrote {len(counts):,} rows for {areas} area{'' if areas == 1 else 's'} of {forces} "
        f"force{'' if forces == 1 else 's'} to {args.out}"
    )
    return 0


@contextmanager
def _faults_as_one_line() -> Iterator[None]:
    """A full disk, a read-only folder or a missing permission is the user's to fix: one line."""
    from assess.outputs import os_error_line

    try:
        yield
    except OSError as exc:
        raise OutputError(os_error_line(exc)) from None


def _run(args: argparse.Namespace) -> int:
    if args.all_areas and args.monitoring:
        raise ConfigError("--all-areas and --monitoring: run the monitoring one area at a time")
    # The workers start first, and warm their kernels while this process imports and reads the inputs.
    from assess.executor import notebook_pool

    progress = sys.stderr.isatty()
    workers = notebook_pool(args.workers, args.scheduler, progress, args.monitoring, one_area=not args.all_areas)
    with _faults_as_one_line(), workers as pool:
        from assess.batch import RunOptions, run_all_areas, run_assessment
        from assess.config import DEFAULT_PARAMS

        # --data-dir alone means "assess this data on its own terms", not the Kent defaults.
        params = args.params or (None if args.data_dir else DEFAULT_PARAMS)
        options = RunOptions(
            params_file=params,
            data_dir=args.data_dir,
            out_dir=args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=progress,
            as_of=args.as_of,
            quarter_end=args.quarter_end,
            period=args.period,
        )
        if args.all_areas:
            result = run_all_areas(options, pool)
        else:
            result = run_assessment(options, args.area, monitoring_only=args.monitoring, pool=pool)
    print(result.summary)
    for county in result.counties[1:]:
        print(f"county summary: {county / 'index.html'}")
    print(f"open {result.index}")
    return 0


def _scoring_sheet(args: argparse.Namespace) -> int:
    from assess.scoring_sheet import sheet_params, sheet_partners, write_sheet

    params = sheet_params(args.params, args.area)
    partners = sheet_partners(params, args.partner)
    with _faults_as_one_line():
        path = write_sheet(params, partners, args.out, args.force)
    issues, criteria = len(params.priorities), len(params.criteria.judged)
    print(
        f"wrote {path}: {issues} issue{'' if issues == 1 else 's'}, {criteria} judged "
        f"criteri{'on' if criteria == 1 else 'a'}, {len(partners)} partner{'' if len(partners) == 1 else 's'} to score"
    )
    return 0


def _read_scores(args: argparse.Namespace) -> int:
    from assess.scoring_sheet import read_sheet, sheet_params, write_judgements

    params = sheet_params(args.params, args.area)
    judgements = read_sheet(args.sheet, params)
    # The area's own file may be replaced while it holds no judgements (as `assess init` leaves it).
    out, force = args.out or params.judgements_file, args.force or (args.out is None and not params.judgements)
    with _faults_as_one_line():
        path = write_judgements(judgements, params, out, args.sheet, force)
    count = sum(len(panel) for by_criterion in judgements.values() for panel in by_criterion.values())
    print(f"wrote {count} judgements for {len(judgements)} issues to {path}")
    return 0


def _init(args: argparse.Namespace) -> int:
    from assess.starter import init_area

    with _faults_as_one_line():
        started = init_area(args.area, args.params, args.partner, args.force)
    print(f"wrote {started.folder}: {', '.join(started.files)}")
    print(
        f"next: partners fill in {started.folder / 'scoring-sheet.xlsx'} "
        f"({', '.join(started.partners)}); `assess read-scores` reads it back into judgements.yaml"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The scoring sheet partners fill in at a scoring workshop, and reading it back as judgements.yaml.

`write_sheet` writes a workbook: instructions (the 1-5 scale and what each confidence means,
from params), a Scores sheet with one row per priority, judged criterion and partner, taken
in that order so that a workshop can go through the issues one at a time, and the issues and
criteria it lists. Existing judgements are filled in. Partners fill in the score, the
confidence and the rationale; a partner who leaves all three blank has not judged that one.

`read_sheet` checks every filled-in row, the first mistake being one line naming the sheet,
row and column and what to fix, and `write_judgements` writes a judgements.yaml that the
assessment loads: never a partial file, and never over an existing one unless asked. The
judgements are an area's own: those of `areas/<code>/judgements.yaml`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assess.cells import FORMULA_STARTS, inert
from assess.config import (
    DEFAULT_PARAMS,
    AssessmentModel,
    Criteria,
    JudgementModel,
    Priority,
    areas_dir_for,
    criteria_file_for,
    load_criteria,
    load_judgements,
    load_priorities,
    parse_model,
    partner_name,
)
from assess.criteria.judged import kept_share
from assess.errors import ConfigError, InputError, OutputError
from assess.local import JUDGEMENTS, area_code_of
from assess.params_file import load_yaml

INSTRUCTIONS = "Instructions"
SCORES_SHEET = "Scores"
ISSUES = "Issues"
CRITERIA = "Criteria"
# Column headings of the Scores sheet; the reader finds its columns by these.
PARTNER, PRIORITY_KEY, ISSUE, SUMMARY = "Partner", "Priority key", "Issue", "What it covers"
CRITERION_KEY, CRITERION, SCORE, CONFIDENCE, RATIONALE = (
    "Criterion key",
    "Criterion",
    "Score (1-5)",
    "Confidence",
    "Rationale",
)
COLUMNS = (PARTNER, PRIORITY_KEY, ISSUE, SUMMARY, CRITERION_KEY, CRITERION, SCORE, CONFIDENCE, RATIONALE)
WIDTHS = {PARTNER: 26, PRIORITY_KEY: 20, ISSUE: 30, SUMMARY: 50, CRITERION_KEY: 14, CRITERION: 26, RATIONALE: 70}
CONFIDENCE_LEVELS = ("high", "medium", "low")
CONFIDENCE_MEANING = {
    "high": "firm evidence for the score: a survey, figures, or a view every partner at the table shares",
    "medium": "some evidence, or the considered view of those who work on the issue",
    "low": "an informed guess: little evidence either way",
}
# Rows below the filled ones keep the drop-downs, for a partner added at the workshop.
SPARE_ROWS = 200
# The largest sheet read: a workshop of 50 partners scoring 40 issues on 4 criteria is 8,000 rows.
MAX_ROWS = 20_000
_TO_FILL = PatternFill("solid", fgColor="FFF2CC")


@dataclass(frozen=True)
class SheetParams:
    """What the sheet is made from and checked against: the issues, the criteria, the area's judgements so far."""

    priorities: tuple[Priority, ...]
    criteria: Criteria
    judgements: Mapping[str, Mapping[str, tuple[JudgementModel, ...]]]
    spread: Mapping[str, float]
    # Where the area's judgements are (or will be): areas/<code>/judgements.yaml.
    judgements_file: Path
    # The parameters files read: an output must never replace one (but the judgements, on purpose).
    inputs: tuple[Path, ...] = ()


def sheet_params(params_file: Path | None = None, area: str | None = None) -> SheetParams:
    """The issues and criteria a parameters file names, and an area's judgements so far (no data are read).

    The area is the one given (a name or an ONS code), else the parameters file's. Its
    judgements file not there yet is no judgements: the sheet is how it is made.
    """
    path = Path(params_file or DEFAULT_PARAMS).resolve()
    model = parse_model(AssessmentModel, load_yaml(path), path)
    priorities = load_priorities((path.parent / model.priorities_file).resolve())
    criteria = load_criteria(criteria_file_for(path, model))
    code = area_code_of(area or model.area, "--area" if area else f"{path}: field 'area'")
    judgements_file = areas_dir_for(path) / code / JUDGEMENTS
    judgements = {}
    if judgements_file.is_file():
        judgements = load_judgements(judgements_file, priorities, criteria)
    inputs = (path, (path.parent / model.priorities_file).resolve(), criteria_file_for(path, model).resolve())
    return SheetParams(priorities, criteria, judgements, model.scoring.judgement_spread, judgements_file, inputs)


def sheet_partners(params: SheetParams, named: Iterable[str] = ()) -> list[str]:
    """The partners the sheet has rows for: those who have judged already, then those named, each once."""
    partners: dict[str, str] = {}
    judged_by = (j.judged_by for by_criterion in params.judgements.values() for p in by_criterion.values() for j in p)
    for name in (*judged_by, *named):
        name = " ".join(name.split())
        if name:
            partners.setdefault(partner_name(name), name)
    if not partners:
        raise ConfigError("no partners to score: name each with --partner NAME (no judgements are recorded yet)")
    return list(partners.values())


def write_sheet(params: SheetParams, partners: list[str], out: Path, force: bool = False) -> Path:
    """Write the scoring sheet to `out` (.xlsx), in one step: an existing file is replaced only with `force`."""
    book = Workbook()
    _instructions(book.active, params)
    _scores(book.create_sheet(SCORES_SHEET), params, partners)
    _reference(
        book.create_sheet(ISSUES),
        ("Key", "Issue", "Kind", "What it covers"),
        [
            (p.key, p.title, "candidate issue" if p.is_candidate else "priority", " ".join(p.summary.split()))
            for p in params.priorities
        ],
        (20, 34, 16, 90),
    )
    _reference(
        book.create_sheet(CRITERIA),
        ("Key", "Criterion", "What to judge"),
        [(c.key, c.label, _question(c.label)) for c in params.criteria.judged],
        (16, 30, 90),
    )
    return _replace(out, force, lambda temporary: book.save(temporary), (*params.inputs, params.judgements_file))


def _question(label: str) -> str:
    return f"{label}: from 1 (least reason to make the issue a priority) to 5 (most)."


def _instructions(sheet, params: SheetParams) -> None:
    judged = [c.label for c in params.criteria.judged]
    lines = [
        ("Scoring sheet: the judged criteria of the strategic assessment",),
        (),
        (
            f"Each partner scores every issue on {len(judged)} criteria that are matters of judgement: "
            f"{', '.join(judged)}.",
        ),
        (
            f"Fill in the yellow columns of the '{SCORES_SHEET}' sheet: {SCORE}, {CONFIDENCE} and {RATIONALE}, "
            "one row per issue, criterion and partner. Leave all three blank where a partner does not judge.",
        ),
        ("A partner not listed adds rows below with their name, the priority key and the criterion key.",),
        (
            "The published score of each issue on each criterion is the median of the partners' scores; "
            "where partners disagree, the rank simulation and the scoring page show it.",
        ),
        (f"The issues are described in the '{ISSUES}' sheet, the criteria in the '{CRITERIA}' sheet.",),
        (),
        ("Score", "Meaning"),
        ("1", "least reason to make the issue a priority"),
        ("2", "less reason than most"),
        ("3", "as much reason as most"),
        ("4", "more reason than most"),
        ("5", "most reason to make the issue a priority"),
        (),
        ("Confidence", "Meaning", "In the rank simulation"),
        *[(level, CONFIDENCE_MEANING[level], _kept(params.spread, level)) for level in CONFIDENCE_LEVELS],
        (),
        ("When done, read the sheet back: assess read-scores SHEET.xlsx --out judgements.yaml",),
    ]
    sheet.title = INSTRUCTIONS
    for line in lines:
        _append(sheet, list(line))
    sheet["A1"].font = Font(bold=True, size=14)
    for row in (9, 16):
        for cell in sheet[row]:
            cell.font = Font(bold=True)
    for column, width in zip("ABC", (14, 80, 60)):
        sheet.column_dimensions[column].width = width


def _kept(spread: Mapping[str, float], level: str) -> str:
    """What a confidence does in the simulation: how often a mid-scale score is kept as given."""
    kept = kept_share(spread, level)
    return f"the score is kept in {kept:.0%} of draws, otherwise moved (standard deviation {spread[level]:g} points)"


def _scores(sheet, params: SheetParams, partners: list[str]) -> None:
    _append(sheet, list(COLUMNS))
    for priority in params.priorities:
        for criterion in params.criteria.judged:
            given = {
                partner_name(j.judged_by): j for j in params.judgements.get(priority.key, {}).get(criterion.key, ())
            }
            for partner in partners:
                judgement = given.get(partner_name(partner))
                filled = (
                    [judgement.score, judgement.confidence, judgement.rationale.strip()] if judgement else [None] * 3
                )
                summary = " ".join(priority.summary.split())
                _append(
                    sheet, [partner, priority.key, priority.title, summary, criterion.key, criterion.label, *filled]
                )
    last = sheet.max_row + SPARE_ROWS
    _style_scores(sheet, last)
    _validate(sheet, params, last)


def _style_scores(sheet, last: int) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{sheet.max_row}"
    for index, name in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(name, 12)
        wrap = name in (SUMMARY, RATIONALE)
        for (cell,) in sheet.iter_rows(min_row=2, max_row=last, min_col=index, max_col=index):
            if wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if name in (SCORE, CONFIDENCE, RATIONALE):
                cell.fill = _TO_FILL


def _validate(sheet, params: SheetParams, last: int) -> None:
    """Drop-downs and checks as partners type: Excel refuses a score of 7 or a confidence of 'fair'."""
    column = {name: get_column_letter(i) for i, name in enumerate(COLUMNS, start=1)}
    checks = [
        (
            DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True),
            SCORE,
            "A whole number from 1 (least reason to prioritise) to 5 (most).",
        ),
        (
            DataValidation(type="list", formula1='"' + ",".join(CONFIDENCE_LEVELS) + '"', allow_blank=True),
            CONFIDENCE,
            "high, medium or low: how sure the partner is of the score (see Instructions).",
        ),
        (
            DataValidation(type="textLength", operator="greaterThan", formula1="0", allow_blank=True),
            RATIONALE,
            "Why this score: the evidence or experience behind it.",
        ),
        (
            DataValidation(type="list", formula1=f"{ISSUES}!$A$2:$A${len(params.priorities) + 1}", allow_blank=True),
            PRIORITY_KEY,
            f"A key from the '{ISSUES}' sheet.",
        ),
        (
            DataValidation(
                type="list", formula1=f"{CRITERIA}!$A$2:$A${len(params.criteria.judged) + 1}", allow_blank=True
            ),
            CRITERION_KEY,
            f"A key from the '{CRITERIA}' sheet.",
        ),
    ]
    for validation, name, message in checks:
        validation.error = validation.prompt = message
        validation.errorTitle = validation.promptTitle = name
        validation.showErrorMessage = validation.showInputMessage = True
        validation.add(f"{column[name]}2:{column[name]}{last}")
        sheet.add_data_validation(validation)


def _reference(sheet, header: tuple[str, ...], rows: list[tuple], widths: tuple[int, ...]) -> None:
    _append(sheet, list(header))
    for row in rows:
        _append(sheet, list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _append(sheet, values: list) -> None:
    """Add a row; text that could start a formula is made inert and kept as text."""
    sheet.append([inert(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


# --- reading the filled-in sheet back -------------------------------------------------------


def read_sheet(path: Path, params: SheetParams) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The judgements of a filled-in sheet, per priority and criterion in params order, partners in row order."""
    rows = _rows(path)
    header = [_text(v) for v in next(rows, ())]
    where = f"{path}: sheet '{SCORES_SHEET}'"
    column = {}
    for name in (PARTNER, PRIORITY_KEY, CRITERION_KEY, SCORE, CONFIDENCE, RATIONALE):
        if name not in header:
            raise InputError(f"{where}, row 1: no column '{name}'; keep the header row as the sheet was written")
        column[name] = header.index(name)
    priorities = [p.key for p in params.priorities]
    judged = [c.key for c in params.criteria.judged]
    found: dict[tuple[str, str, str], int] = {}
    judgements: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise InputError(f"{where}: more than {MAX_ROWS:,} rows; is it the right file?")
        cells = _Row(where, number, values, column)
        if all(cells.blank(name) for name in (SCORE, CONFIDENCE, RATIONALE)):
            continue  # not judged
        partner = cells.text(PARTNER, "write the partner's name")
        priority = cells.choice(PRIORITY_KEY, priorities, f"one of the keys in the '{ISSUES}' sheet")
        criterion = cells.choice(CRITERION_KEY, judged, f"one of the keys in the '{CRITERIA}' sheet")
        judgement = {
            "score": cells.score(),
            "confidence": cells.choice(CONFIDENCE, list(CONFIDENCE_LEVELS), "high, medium or low", lower=True),
            "rationale": cells.text(RATIONALE, "say why this score: the evidence or experience behind it"),
            "judged_by": partner,
        }
        first = found.setdefault((partner_name(partner), priority, criterion), number)
        if first != number:
            raise InputError(
                f"{cells.at(PARTNER)}: {partner} already scored {priority} on {criterion} in row {first}; keep one row"
            )
        judgements.setdefault((priority, criterion), []).append(judgement)
    if not judgements:
        raise InputError(f"{where}: no row is filled in; give each judged row a {SCORE}, {CONFIDENCE} and {RATIONALE}")
    return {
        p: {c: judgements[p, c] for c in judged if (p, c) in judgements}
        for p in priorities
        if any((p, c) in judgements for c in judged)
    }


def _rows(path: Path):
    """The values of the Scores sheet, row by row."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(
            f"{path}: cannot be read as an Excel workbook (.xlsx) ({type(exc).__name__}); save the sheet as .xlsx"
        ) from None
    if SCORES_SHEET not in book.sheetnames:
        raise InputError(f"{path}: no sheet '{SCORES_SHEET}'; fill in the sheet written by assess scoring-sheet")
    return book[SCORES_SHEET].iter_rows(values_only=True)


class _Row:
    """One row of the Scores sheet, each value checked as it is taken; a mistake is one line."""

    def __init__(self, where: str, number: int, values: tuple, column: dict[str, int]):
        self.where, self.number, self.column = where, number, column
        self.values = values

    def at(self, name: str) -> str:
        return f"{self.where}, row {self.number}, column {get_column_letter(self.column[name] + 1)} ({name})"

    def value(self, name: str) -> Any:
        index = self.column[name]
        return self.values[index] if index < len(self.values) else None

    def blank(self, name: str) -> bool:
        return _text(self.value(name)) == ""

    def text(self, name: str, fix: str) -> str:
        text = _text(self.value(name))
        if not text:
            raise InputError(f"{self.at(name)}: empty; {fix}")
        return text

    def choice(self, name: str, allowed: list[str], what: str, lower: bool = False) -> str:
        text = self.text(name, f"write {what}")
        if lower:
            text = text.lower()
        if text not in allowed:
            shown = text if len(text) <= 40 else text[:40] + "..."
            raise InputError(f"{self.at(name)}: {shown!r} is not {what}")
        return text

    def score(self) -> int:
        value = self.value(SCORE)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            shown = "empty" if _text(value) == "" else repr(value)
            raise InputError(f"{self.at(SCORE)}: {shown}; write a whole number from 1 to 5")
        return value


def _text(value: Any) -> str:
    """A cell as text on one line, with the apostrophe that kept a formula-like text inert taken off."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def write_judgements(
    judgements: Mapping[str, Any], params: SheetParams, out: Path, source: Path, force: bool = False
) -> Path:
    """Write judgements.yaml to `out` in one step, after checking it loads as the assessment will load it."""
    head = (
        f"# Judged scores read by `assess read-scores` from {Path(source).name}: per priority and\n"
        "# judged criterion, one judgement per partner. The published score is their median.\n"
    )
    text = head + yaml.safe_dump({"judgements": judgements}, sort_keys=False, allow_unicode=True, width=100)

    def write(temporary: Path) -> None:
        temporary.write_text(text, encoding="utf-8")
        load_judgements(temporary, params.priorities, params.criteria)

    return _replace(out, force, write, (*params.inputs, Path(source)))


def _replace(out: Path, force: bool, write, inputs: Iterable[Path] = ()) -> Path:
    """Write a file beside `out` and move it into place: a reader never sees half a file.

    Refused: a folder, a file the command reads (even with `force`), an existing file without
    `force`. The file gets the permissions a new file would (or the replaced file's), not
    the private ones of a temporary file.
    """
    out = Path(out)
    if out.is_dir():
        raise OutputError(f"{out}: is a folder; give a file name")
    if any(out.resolve() == Path(source).resolve() for source in inputs):
        raise OutputError(f"{out}: is a file this command reads; write to another file")
    if out.exists() and not force:
        raise OutputError(f"{out}: already exists; pass --force to replace it")
    if not out.parent.is_dir():
        raise OutputError(f"{out.parent}: no such folder")
    mode = out.stat().st_mode & 0o777 if out.exists() else 0o666 & ~current_umask()
    try:
        handle, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=out.suffix)
    except OSError as exc:
        raise OutputError(f"{out}: cannot be written ({exc.strerror})") from None
    os.close(handle)
    temporary = Path(name)
    try:
        try:
            write(temporary)
        except ConfigError as exc:
            # The check reads the temporary file: name the file the user asked for.
            raise ConfigError(str(exc).replace(str(temporary), str(out))) from None
        os.chmod(temporary, mode)
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    return out


def current_umask() -> int:
    """The process's umask (reading it means setting it: it is put straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask

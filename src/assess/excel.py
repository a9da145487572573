"""An Excel workbook for partners: the ranking, criteria, success measures, actions, monitoring,
area comparisons and partner figures, each a filterable table with human headers.

Every table sheet has one header row (frozen, filtered, repeated on every printed page) and
numeric columns that hold numbers: a figure not shown (no data, or withheld under the
disclosure rules) is a blank cell, and the row's Note says why. Disclosure follows the pages:
a small count on a sensitive subject, and anything computed from it, never appears as a number.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from assess import wording
from assess.cells import inert
from assess.config import period_text
from assess.context import RunContext
from assess.criteria.partner import is_stale, period_label
from assess.data.indicators import COUNT_UNIT
from assess.disclosure import SMALL_NUMBERS, WITHHELD
from assess.evidence import Evidence
from assess.monitoring import COMPARED, Monitoring, Quarter, quarter_to_monitor
from assess.pages.plan import ActionPlanPage
from assess.pages.priority import PriorityPage

WORKBOOK = "assessment.xlsx"

# Number formats, one per kind of figure.
SCORE = "0.00"
WHOLE = "0"
PERCENT = "0%"
COUNT = "#,##0"
AVERAGE = "#,##0.0"
RATE = "0.00"
P_VALUE = "0.000"
DATE = "d mmm yyyy"
MONTH = "mmm yyyy"

_HEADER_FILL = PatternFill("solid", start_color="DCE6F1", end_color="DCE6F1")
_WIDEST = 60  # characters: longer text wraps
# The status word stays in the cell; the fill repeats it (Excel's Good, Neutral and Bad styles).
_STATUS_FILLS = {
    "GREEN": ("C6EFCE", "006100"),
    "AMBER": ("FFEB9C", "9C5700"),
    "RED": ("FFC7CE", "9C0006"),
    "OVERDUE": ("FFC7CE", "9C0006"),
}
_STATUS_WORDS = {"green": "GREEN", "amber": "AMBER", "red": "RED"}


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name, what it holds (said on the About sheet), and its table.

    `formats` gives a column's number format, `row_formats` one per row where a column's
    figures differ in kind (partner figures: counts and rates). A sheet whose `frame` has no
    rows says `message` instead, in one line.
    """

    name: str
    about: str
    frame: pd.DataFrame
    formats: Mapping[str, str] = field(default_factory=dict)
    row_formats: Mapping[str, Sequence[str]] = field(default_factory=dict)
    status_column: str = ""
    frozen_columns: int = 0
    message: str = ""


def write_workbook(run: RunContext, out: Path, as_of: date, quarter_end: str = "") -> Path:
    """Write `assessment.xlsx` into `out`: an About sheet, then one sheet per table.

    Parameters
    ----------
    run
        The area's run.
    out
        The output folder; the workbook replaces any earlier one there in one step.
    as_of
        The date actions are judged overdue at.
    quarter_end
        The last month (YYYY-MM) of the quarter monitored, as given to the run; blank for the
        quarter ending with the assessment period.
    """
    sheets = _sheets(run, as_of, quarter_end)
    book = Workbook()
    _write_about(book.active, run.evidence, as_of, sheets)
    heading = f"{run.assessment.area}, {_period(run.evidence)}"
    for sheet in sheets:
        _write_sheet(book.create_sheet(sheet.name), sheet, heading)
    path = out / WORKBOOK
    partial = out / f".{WORKBOOK}.partial"
    partial.write_bytes(_reproducible(book))
    os.replace(partial, path)
    return path


def _sheets(run: RunContext, as_of: date, quarter_end: str = "") -> list[Sheet]:
    """The workbook's table sheets, in order."""
    quarter, _ = quarter_to_monitor(quarter_end, run.evidence)
    return [
        _ranking(run),
        _criteria(run),
        _measures(run, as_of),
        _actions(run, as_of),
        _monitoring(run, quarter),
        _comparisons(run),
        _hotspots(run),
        _partner_figures(run.evidence),
    ]


def _period(evidence: Evidence) -> str:
    return period_text(evidence.assessment.period_start, evidence.assessment.period_end)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


# --- the sheets ---------------------------------------------------------------------------------


def _ranking(run: RunContext) -> Sheet:
    results, criteria = run.results, run.assessment.criteria
    ranking = results.ranking_table()
    frame = pd.DataFrame(
        {
            "Rank": ranking["rank"],
            "Issue": ranking["title"],
            "Priority or candidate": ["candidate" if c else "priority" for c in ranking["candidate"]],
            "Score (1-5)": ranking["score"],
            "90% rank interval, best": ranking["rank_lower"],
            "90% rank interval, worst": ranking["rank_upper"],
            "Chance of the top 3": ranking["probability_top_3"],
            "Chance of the top 3, simulation error": ranking["probability_error"],
            "Criteria with data": ranking["criteria_used"],
            "Provisional (too few criteria)": [_yes(p) for p in ranking["provisional"]],
            "Could rank, best (missing criteria 1-5)": ranking["best_rank"],
            "Could rank, worst (missing criteria 1-5)": ranking["worst_rank"],
        }
    )
    # The matrix of criterion scores, one column per criterion: blank where there is no data.
    for criterion in criteria:
        frame[f"{criterion.label} (1-5)"] = [results.scores[k][criterion.key] for k in ranking["priority"]]
    frame["Note"] = [_missing(run, k) for k in ranking["priority"]]
    formats = {
        "Rank": WHOLE,
        "Score (1-5)": SCORE,
        "90% rank interval, best": WHOLE,
        "90% rank interval, worst": WHOLE,
        "Chance of the top 3": PERCENT,
        "Chance of the top 3, simulation error": "0.0%",
        "Criteria with data": WHOLE,
        "Could rank, best (missing criteria 1-5)": WHOLE,
        "Could rank, worst (missing criteria 1-5)": WHOLE,
        **{f"{c.label} (1-5)": WHOLE for c in criteria},
    }
    draws = results.uncertainty.draws
    about = (
        "Every priority and candidate issue in rank order: its score (1 to 5, the weighted criteria), the range "
        f"of ranks it takes in 90% of {draws:,} simulations, its chance of being in the top 3, and its score "
        "on each criterion."
    )
    return Sheet("Ranking", about, frame, formats, frozen_columns=2)


def _missing(run: RunContext, key: str) -> str:
    """The criteria an issue has no data for, and what that does to its rank."""
    results = run.results
    missing = results.composites[key].missing
    if not missing:
        return ""
    names = ", ".join(run.assessment.criteria[c].label for c in missing)
    best, worst = results.gap_bounds[key]
    return (
        f"No data for {names}: counted as 3 (neutral) in the score; were they anywhere from 1 to 5 it could "
        f"rank {best} to {worst}."
    )


def _criteria(run: RunContext) -> Sheet:
    table = run.results.criteria_table()
    criteria = run.assessment.criteria
    frame = pd.DataFrame(
        {
            "Issue": [run.assessment.priority(k).title for k in table["priority"]],
            "Criterion": [criteria[c].label for c in table["criterion"]],
            "Score (1-5)": [None if pd.isna(s) else int(s) for s in table["score"]],
            "Weight": table["weight"],
            "Evidence": table["evidence"],
            "Reason": table["reason"],
            "Note": ["no data: counted as 3 (neutral) in the score" if pd.isna(s) else "" for s in table["score"]],
        }
    )
    about = "Every issue's score on every criterion, with the criterion's weight, its evidence and the reason."
    return Sheet("Criteria", about, frame, {"Score (1-5)": WHOLE, "Weight": PERCENT}, frozen_columns=2)


def _measures(run: RunContext, as_of: date) -> Sheet:
    results = ActionPlanPage(run, as_of.isoformat()).measure_results()
    frame = pd.DataFrame(
        {
            "Measure": [r.title for r in results],
            "Issue": [run.assessment.priority(r.priority).title if r.priority else "All issues" for r in results],
            "Target": [r.target for r in results],
            "Period": [r.period for r in results],
            "Position or value": ["" if r.value == "no data" else r.value for r in results],
            "Status": [_STATUS_WORDS.get(r.status, r.status) for r in results],
            "Evidence": [r.evidence for r in results],
        },
        columns=["Measure", "Issue", "Target", "Period", "Position or value", "Status", "Evidence"],
    )
    about = (
        "The action plan's success measures, each with its status (GREEN: target met; AMBER: close to it or no "
        "change; RED: not met; no data: the evidence it needs is not in the data) and the evidence behind it."
    )
    empty = (
        f"No success measures are set for {run.assessment.area} yet: the partnership sets them with its action plan."
    )
    return Sheet("Success measures", about, frame, status_column="Status", frozen_columns=1, message=empty)


def _actions(run: RunContext, as_of: date) -> Sheet:
    actions = run.actions_as_of(as_of)
    overdue = f"Overdue at {as_of:%d %b %Y}"
    frame = pd.DataFrame(
        {
            "No.": [a.id for a in actions],
            "Issue": [run.assessment.priority(a.priority).title for a in actions],
            "Action": [a.action for a in actions],
            "Lead": [a.lead for a in actions],
            "Other partners": [a.partners for a in actions],
            # The end of the month it is due in; an ongoing action has no date.
            "Due by": [a.due for a in actions],
            "Status": [a.status for a in actions],
            "Latest update": [a.latest_update for a in actions],
            overdue: ["OVERDUE" if a.is_overdue(as_of) else "no" for a in actions],
            "Note": ["ongoing: no end date" if a.due is None else "" for a in actions],
        },
        columns=[
            "No.",
            "Issue",
            "Action",
            "Lead",
            "Other partners",
            "Due by",
            "Status",
            "Latest update",
            overdue,
            "Note",
        ],
    )
    about = (
        f"The action plan, with the actions overdue at {as_of:%d %B %Y} flagged OVERDUE (due before that date "
        "and not reported complete or cancelled)."
    )
    empty = f"No action plan is held for {run.assessment.area} yet."
    return Sheet("Actions", about, frame, {"Due by": MONTH}, status_column=overdue, frozen_columns=1, message=empty)


def _monitoring(run: RunContext, quarter: Quarter | None) -> Sheet:
    """The monitoring page's counts per quarter, each count a number or blank with the reason in the Note."""
    if quarter is None:
        end = Quarter(run.assessment.period_end)
        missing = run.evidence.missing_months(end.months)
        message = (
            f"No quarter is monitored in this workbook: the police data do not hold every month of the quarter "
            f"{end.label} (missing {', '.join(pd.Period(m, freq='M').strftime('%b %Y') for m in missing)})."
        )
        return Sheet("Monitoring", message, pd.DataFrame(), message=message)
    monitoring = Monitoring(run.evidence, quarter, run.measures)
    words = run.evidence.disclosure.words
    now, baseline = f"This quarter ({quarter.label})", "Baseline (quarterly average)"
    quarters = {"previous": monitoring.previous, "year_before": monitoring.year_before}
    headers = {
        name: (f"{_compared(name).capitalize()} ({quarters[name].label})", f"Significant change on {_compared(name)}")
        for name in COMPARED
    }
    rows = []
    for _, counts in monitoring.priority_counts().iterrows():
        hidden_now = bool(counts["quarter_hidden"])
        row = {"Issue": counts["title"], now: None if hidden_now else int(counts["quarter"])}
        notes = [f"this quarter: {words(counts['quarter'])} ({SMALL_NUMBERS})"] if hidden_now else []
        for name in COMPARED:
            count, significant = headers[name]
            value, said = counts[name], _compared(name)
            missing = value is None or pd.isna(value)
            shown = not missing and not counts[f"{name}_hidden"]
            # The p-value and its verdict, with one count of the pair shown, would give the other back.
            tested = shown and not hidden_now
            row[count] = int(value) if shown else None
            row[significant] = _yes(counts[f"{name}_significant"]) if tested else ""
            row[f"p-value, {said}"] = float(counts[f"{name}_p"]) if tested else None
            if missing:
                notes.append(f"{said}: not in the data")
            elif counts[f"{name}_hidden"]:
                notes.append(f"{said}: {words(value)} ({SMALL_NUMBERS})")
            elif hidden_now:
                notes.append(f"change on {said}: {WITHHELD} ({SMALL_NUMBERS})")
        row[baseline] = None if counts["baseline_hidden"] else float(counts["baseline"])
        if counts["baseline_hidden"]:
            notes.append(f"baseline: {WITHHELD} ({SMALL_NUMBERS})")
        rows.append(row | {"Note": "; ".join(notes)})
    formats = {now: COUNT, baseline: AVERAGE}
    for name in COMPARED:
        formats |= {headers[name][0]: COUNT, f"p-value, {_compared(name)}": P_VALUE}
    about = (
        f"Police-recorded offences and incidents per quarter: {quarter.label} against the previous quarter, the "
        f"same quarter a year earlier and the assessment's quarterly average. {monitoring.reach_note} "
        f"{monitoring.significance_note}"
    )
    empty = "No priority is counted in the police data, so there is no quarter to monitor."
    return Sheet("Monitoring", about, pd.DataFrame(rows), formats, frozen_columns=1, message=empty)


def _compared(compared: str) -> str:
    """A compared quarter's column name in words."""
    return {"previous": "previous quarter", "year_before": "same quarter a year earlier"}[compared]


def _comparisons(run: RunContext) -> Sheet:
    """Each police issue's rate per 1,000 residents in every area compared, as its page's comparison table."""
    rows = []
    for key in run.results.order:
        priority = run.assessment.priority(key)
        if not priority.has_police_data:
            continue
        evidence = run.evidence.for_priority(priority)
        rates, rule = evidence.rates(), evidence.rule
        for _, rate in rates.iterrows():
            # A rate and its interval, times the residents shown beside them, would give the count back.
            hidden = rule.hides(rate["count"])
            rows.append(
                {
                    "Issue": priority.title,
                    "Area": rate["area"],
                    "Assessed area": _yes(rate["is_area"]),
                    "Rank (1 = lowest rate)": int(rate["rank"]),
                    "Areas compared": len(rates),
                    "Recorded offences or incidents": None if hidden else int(rate["count"]),
                    "Residents": int(rate["population"]),
                    "Rate per 1,000 residents": None if hidden else float(rate["rate"]),
                    "95% interval, lower": None if hidden else float(rate["lower"]),
                    "95% interval, upper": None if hidden else float(rate["upper"]),
                    "Note": f"{rule.small} ({SMALL_NUMBERS}): count and rate not shown" if hidden else "",
                }
            )
    frame = pd.DataFrame(rows)
    formats = {
        "Rank (1 = lowest rate)": WHOLE,
        "Areas compared": WHOLE,
        "Recorded offences or incidents": COUNT,
        "Residents": COUNT,
        "Rate per 1,000 residents": RATE,
        "95% interval, lower": RATE,
        "95% interval, upper": RATE,
    }
    about = (
        f"Each issue with police figures: its rate per 1,000 residents ({run.evidence.population_estimate}) in every "
        f"area compared, with the 95% confidence interval and the rank among the {len(run.assessment.comparators)} "
        "areas (1 = lowest rate)."
    )
    empty = "No issue is counted in the police data, so no area is compared."
    return Sheet("Area comparisons", about, frame, formats, frozen_columns=2, message=empty)


def _hotspots(run: RunContext) -> Sheet:
    """Each police priority's neighbourhoods (LSOAs) with the most records, as its page's hotspot table."""
    rows = []
    for priority in run.assessment.pages:
        if not priority.has_police_data:
            continue
        page = PriorityPage(run, priority.key)
        if page.where is None:
            continue
        for _, top in page.hotspot_rows().iterrows():
            hidden, figures_hidden = bool(top["hidden"]), bool(top["figures_hidden"])
            row = {
                "Issue": priority.title,
                "Rank in the area": int(top["rank"]),
                "LSOA code": top["lsoa_code"],
                "Neighbourhood (LSOA)": top["lsoa_name"],
                "IMD 2019 decile (1 = most deprived)": None if pd.isna(top["imd_decile"]) else int(top["imd_decile"]),
                "Deprivation": wording.decile_words(top["imd_decile"]) or "",
                "Recorded offences or incidents": None if hidden else int(top["count"]),
                "Share of the area's records": None if figures_hidden else float(top["share"]),
                "Expected if spread evenly": None if figures_hidden else float(top["expected"]),
                "Times the even spread": None if figures_hidden else float(top["ratio"]),
                "Hotspot (more than chance)": "" if hidden else _yes(top["hotspot"]),
                "p-value (adjusted, Benjamini-Hochberg)": None if figures_hidden else float(top["q_value"]),
            }
            notes = []
            if hidden:
                notes.append(f"{page.evidence.rule.small} ({SMALL_NUMBERS}): count and figures from it not shown")
            elif figures_hidden:
                notes.append(
                    f"share, expectation and p-value {WITHHELD}: the area's total would give back a small count"
                )
            if "previous" in top:
                previous_hidden = bool(top["previous_hidden"])
                row["Same months a year earlier"] = None if previous_hidden else int(top["previous"])
                row["Change"] = top["change"].words(figures=False)
                if previous_hidden:
                    notes.append(f"a year earlier: {page.evidence.rule.small} ({SMALL_NUMBERS})")
            rows.append(row | {"Note": "; ".join(notes)})
    formats = {
        "Rank in the area": WHOLE,
        "IMD 2019 decile (1 = most deprived)": WHOLE,
        "Recorded offences or incidents": COUNT,
        "Share of the area's records": PERCENT,
        "Expected if spread evenly": AVERAGE,
        "Times the even spread": AVERAGE,
        "p-value (adjusted, Benjamini-Hochberg)": P_VALUE,
        "Same months a year earlier": COUNT,
    }
    about = (
        f"Each police issue's ten neighbourhoods (LSOAs) of {run.assessment.area} with the most records: the count "
        "against an even spread over the area's neighbourhoods, whether it is a hotspot (more than chance, exact "
        "Poisson test with the Benjamini-Hochberg false discovery rate at 5%), and the deprivation decile (IMD 2019)."
    )
    empty = (
        f"No counts by neighbourhood are held for {run.assessment.area}: run `assess ingest` on the police downloads "
        "again to add lsoa_counts.csv."
    )
    return Sheet("Hotspots", about, pd.DataFrame(rows), formats, frozen_columns=2, message=empty)


def _partner_figures(evidence: Evidence) -> Sheet:
    assessment = evidence.assessment
    table = evidence.tables.indicators
    hidden = evidence.disclosure.hidden_indicators(table, assessment.comparators)
    order = table.assign(title=[assessment.priority(k).title for k in table["priority"]]).sort_values(
        ["title", "indicator", "area", "period_start"], kind="stable"
    )
    frame = pd.DataFrame(
        {
            "Issue": order["title"],
            "Indicator": order["indicator"],
            "Area": order["area"],
            "Period": [period_label(a, b) for a, b in zip(order["period_start"], order["period_end"])],
            "Period start": [d.date() for d in order["period_start"]],
            "Period end": [d.date() for d in order["period_end"]],
            "Value": [None if hidden[i] else float(v) for i, v in zip(order.index, order["value"])],
            "Unit": order["unit"],
            "Current or older": [
                "older than the assessment period" if is_stale(e, assessment) else "current"
                for e in order["period_end"]
            ],
            "Source": order["source"],
            "Note": [
                f"{evidence.disclosure.words(v)} ({SMALL_NUMBERS})" if hidden[i] else ""
                for i, v in zip(order.index, order["value"])
            ],
        }
    )
    # Counts are whole; other figures (rates, hours) keep a decimal where they have one.
    value_formats = [
        COUNT if unit == COUNT_UNIT or float(v).is_integer() else AVERAGE
        for unit, v in zip(order["unit"], order["value"])
    ]
    about = (
        "Figures partners returned, each with its own period and source. Small counts on sensitive subjects "
        f"are not shown: the Note says '{evidence.disclosure.words(1)}'."
    )
    return Sheet(
        "Partner figures",
        about,
        frame.reset_index(drop=True),
        {"Period start": DATE, "Period end": DATE},
        {"Value": value_formats},
        frozen_columns=2,
        message=f"No partner figures are held for {assessment.area} or the areas compared with it.",
    )


# --- the About sheet ----------------------------------------------------------------------------


def _write_about(sheet: Worksheet, evidence: Evidence, as_of: date, sheets: list[Sheet]) -> None:
    sheet.title = "About"
    assessment = evidence.assessment
    period = _period(evidence)
    _append(sheet, [f"Strategic assessment: {assessment.area}, {period}"])
    sheet["A1"].font = Font(bold=True, size=14)
    _append(sheet, ["The evidence behind the community safety partnership's priorities, as tables to sort and filter."])
    sheet.append([])
    facts = [
        ("Area", assessment.area),
        ("Assessment period", period),
        ("Areas compared", f"{len(assessment.comparators)} areas: {', '.join(assessment.comparators)}"),
        ("Actions judged as of", as_of),
        ("Produced", date.today()),
    ]
    for name, value in facts:
        _append(sheet, [name, value])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        if isinstance(value, date):
            sheet.cell(sheet.max_row, 2).number_format = "d mmmm yyyy"
            sheet.cell(sheet.max_row, 2).alignment = Alignment(horizontal="left")
    _section(sheet, "Contents")
    for table in sheets:
        _append(sheet, [table.name, table.about])
        link = sheet.cell(sheet.max_row, 1)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_sheetname(table.name)}!A1")
        link.style = "Hyperlink"
    _section(sheet, "How to read it")
    for line in _how_to_read(evidence):
        _append(sheet, ["", line])
    _section(sheet, "Sources")
    for line in _sources(evidence, period):
        _append(sheet, ["", line])
    sheet.append([])
    _append(sheet, ["Produced by the Strategic Assessment Workbook from open police data and partners' returns."])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 110
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal=cell.alignment.horizontal)
    _print_settings(sheet, f"{assessment.area}, {period}", "About")


def _section(sheet: Worksheet, title: str) -> None:
    sheet.append([])
    _append(sheet, [title])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)


def _how_to_read(evidence: Evidence) -> list[str]:
    threshold = evidence.assessment.disclosure.threshold
    areas = len(evidence.assessment.comparators)
    return [
        "Rank: 1 is the issue with most reason to be a priority. The score (1 to 5) is the weighted average of "
        "the criteria scores; a criterion with no data counts as 3 (neutral), and the Note says which.",
        "90% rank interval: the best and worst rank the issue takes in 90% of simulations that vary the counts, "
        "the partners' judgements and the weights. Chance of the top 3: the share of simulations in which it "
        "ranks 1, 2 or 3.",
        f"Rank among areas: 1 of {areas} is the lowest rate per 1,000 residents. The 95% interval is the range "
        "the rate could take given chance variation in the counts.",
        "Status of success measures: GREEN (target met), AMBER (close, or no change), RED (not met), no data (the "
        "evidence it needs is not yet in the data). The word is always in the cell; the colour only repeats it.",
        f"Blank figures: a figure with no data, or one not published, is a blank cell and the Note says why. Counts "
        f"from 1 to {threshold - 1} on sensitive subjects are not published ('fewer than {threshold}'), nor any "
        "figure that would give them back, so that no victim can be identified.",
        "Every table can be sorted and filtered from its header row.",
    ]


def _sources(evidence: Evidence, period: str) -> list[str]:
    lines = [
        f"Police recorded crime: data.police.uk street-level crime, {period} (Open Government Licence v3.0).",
        f"Population: ONS mid-year population estimates ({evidence.population_estimate}).",
        f"Harm weights: {evidence.tables.harm_weights['source'].iloc[0]}.",
    ]
    indicators = evidence.tables.indicators
    for source, rows in indicators.groupby("source"):
        lines.append(f"{source}: {rows['period_start'].min():%b %Y} to {rows['period_end'].max():%b %Y}.")
    return lines


# --- writing a table ----------------------------------------------------------------------------


def _append(sheet: Worksheet, values: list) -> None:
    """Add a row; text that could start a formula is made inert and kept as text."""
    sheet.append([inert(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _write_sheet(sheet: Worksheet, table: Sheet, heading: str) -> None:
    """A table with one styled header row, frozen and filtered, its columns formatted and sized."""
    _print_settings(sheet, heading, table.name)
    if table.frame.empty:
        _append(sheet, [table.message])
        sheet.column_dimensions["A"].width = 120
        return
    frame = table.frame
    _append(sheet, list(frame.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in frame.itertuples(index=False):
        _append(sheet, [_cell(v) for v in row])
    last_row, last_column = sheet.max_row, get_column_letter(len(frame.columns))
    for i, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(i)
        cells = [row[0] for row in sheet.iter_rows(min_row=2, min_col=i, max_col=i)]
        per_row = table.row_formats.get(column)
        fixed = table.formats.get(column)
        for n, cell in enumerate(cells):
            if per_row is not None:
                cell.number_format = per_row[n]
            elif fixed:
                cell.number_format = fixed
        if fixed is None and per_row is None:
            # Text: as wide as its longest cell, up to a limit past which it wraps.
            longest = max([len(str(v)) for v in frame[column] if isinstance(v, str)] + [0])
            width = max(10, len(str(column)) // 2 + 2, min(_WIDEST, longest + 2))
        else:
            # Figures: wide enough for the number; the header wraps over two or three lines.
            longest, width = 0, min(20, max(11, len(str(column)) // 2 + 3))
        sheet.column_dimensions[letter].width = width
        if longest > _WIDEST:
            for cell in cells:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = f"{get_column_letter(table.frozen_columns + 1)}2"
    sheet.auto_filter.ref = f"A1:{last_column}{last_row}"
    if table.status_column:
        _status_fills(sheet, list(frame.columns).index(table.status_column) + 1, last_row)


def _status_fills(sheet: Worksheet, column: int, last_row: int) -> None:
    letter = get_column_letter(column)
    cells = f"{letter}2:{letter}{last_row}"
    for word, (fill, font) in _STATUS_FILLS.items():
        sheet.conditional_formatting.add(
            cells,
            CellIsRule(
                operator="equal",
                formula=[f'"{word}"'],
                fill=PatternFill("solid", start_color=fill, end_color=fill),
                font=Font(color=font, bold=True),
            ),
        )


def _print_settings(sheet: Worksheet, heading: str, title: str) -> None:
    """Landscape, one page wide, the header row on every page, the sheet named in the page header."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    # An ampersand starts a header code: doubled, it prints as itself.
    sheet.oddHeader.center.text = f"{title}: {heading}".replace("&", "&&")
    sheet.oddFooter.center.text = "Page &P of &N"


def _cell(value):
    """A table value as a cell: blanks for missing figures, dates as dates, numpy numbers as numbers."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    return value


# Fixed document times: the same inputs give the same bytes (the produced date is in the About sheet).
_DOCUMENT_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# openpyxl stamps the time of saving into the core properties whatever they were set to.
_SAVED_AT = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _reproducible(book: Workbook) -> bytes:
    """The workbook's bytes with no time of writing in them (document properties, zip entries)."""
    book.properties.created = book.properties.modified = _DOCUMENT_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = item.external_attr
            data = source.read(item)
            if item.filename == "docProps/core.xml":
                data = _SAVED_AT.sub(
                    rb"\g<1>" + _DOCUMENT_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data
                )
            target.writestr(entry, data)
    return fixed.getvalue()

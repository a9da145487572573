"""An Excel workbook for partners: the ranking, the criteria, the indicators and the action plan."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from assess.cells import inert
from assess.config import period_text
from assess.context import RunContext
from assess.evidence import Evidence

WORKBOOK = "assessment.xlsx"


def write_workbook(run: RunContext, out: Path, as_of: date) -> Path:
    """Write the workbook: a first sheet saying what each sheet holds, then one sheet per table."""
    evidence, results = run.evidence, run.results
    assessment = evidence.assessment
    period = period_text(assessment.period_start, assessment.period_end)
    sheets = {
        "Ranking": (
            results.ranking_table(),
            "Rank of every priority and candidate issue, its score (1-5), 90% rank interval and chance of the top 3.",
        ),
        "Criteria": (results.criteria_table(), "Every criterion score with its evidence, weight and reason."),
        "Indicators": (
            _indicators(evidence),
            "Partner figures, each with its own period and source; small "
            "counts on sensitive subjects shown as 'fewer than' the threshold.",
        ),
        "Action plan": (_actions(run, as_of), f"The action plan, overdue actions flagged as of {as_of:%d %B %Y}."),
    }
    book = Workbook()
    about = book.active
    about.title = "About"
    _append(about, [f"Strategic assessment: {assessment.area}, {period}"])
    about["A1"].font = Font(bold=True, size=14)
    about.append([])
    _append(about, ["Sheet", "What it holds"])
    for name, (_, description) in sheets.items():
        _append(about, [name, description])
    about.append([])
    _append(about, ["Sources and periods"])
    for line in _sources(evidence, period):
        _append(about, [line])
    about.append([])
    _append(about, [f"Produced {date.today():%d %B %Y} by the Strategic Assessment Workbook."])
    for cell in about[3]:
        cell.font = Font(bold=True)
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 100
    for name, (frame, _) in sheets.items():
        _write_sheet(book.create_sheet(name), frame)
    path = out / WORKBOOK
    path.write_bytes(_reproducible(book))
    return path


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


def _append(sheet, values: list) -> None:
    """Add a row; text that could start a formula is made inert and kept as text."""
    sheet.append([inert(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _write_sheet(sheet, frame: pd.DataFrame) -> None:
    _append(sheet, [str(c) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        _append(sheet, [_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    for i, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))
        if longest > 60:
            for cell in sheet[get_column_letter(i)][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _cell(value):
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "no data"
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _indicators(evidence: Evidence) -> pd.DataFrame:
    table = evidence.tables.indicators.drop(columns=["file"]).copy()
    hidden = evidence.disclosure.hidden_indicators(table, evidence.assessment.comparators)
    table["value"] = table["value"].astype(object)
    table.loc[hidden, "value"] = table.loc[hidden, "value"].map(evidence.disclosure.words)
    return table


def _actions(run: RunContext, as_of: date) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": a.id,
                "priority": a.priority,
                "action": a.action,
                "lead": a.lead,
                "partners": a.partners,
                "by_when": a.due_text,
                "status": a.status,
                "latest_update": a.latest_update,
                "overdue": "OVERDUE" if a.is_overdue(as_of) else "no",
            }
            for a in run.actions
        ]
    )


def _sources(evidence: Evidence, period: str) -> list[str]:
    lines = [
        f"Police recorded crime: data.police.uk street-level crime, {period} (Open Government Licence v3.0).",
        "Population: ONS mid-year population estimates.",
        f"Harm weights: {evidence.tables.harm_weights['source'].iloc[0]}.",
    ]
    indicators = evidence.tables.indicators
    for source, rows in indicators.groupby("source"):
        lines.append(f"{source}: {rows['period_start'].min():%b %Y} to {rows['period_end'].max():%b %Y}.")
    return lines

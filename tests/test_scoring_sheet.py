"""The scoring sheet: `assess scoring-sheet` writes it, partners fill it in, `assess read-scores` reads it back."""

from __future__ import annotations

import shutil
import statistics

import pytest
import yaml
from openpyxl import load_workbook

from assess.cli import main
from assess.config import DEFAULT_PARAMS
from assess.context import RunContext
from assess.scoring_sheet import (
    COLUMNS,
    CONFIDENCE,
    CRITERION_KEY,
    PARTNER,
    PRIORITY_KEY,
    RATIONALE,
    SCORE,
    SCORES_SHEET,
    sheet_params,
)
from params_facts import EXAMPLE_AREA

PARTNERS = ("Kent Police", "Sevenoaks DC", "KFRS", "Clarion Housing")


@pytest.fixture
def params(tmp_path):
    """A copy of the default params, run with a short simulation."""
    folder = tmp_path / "params"
    shutil.copytree(DEFAULT_PARAMS.parent, folder)
    settings = yaml.safe_load((folder / "assessment.yaml").read_text())
    settings["data_dir"] = str(DEFAULT_PARAMS.parent.parent / "data")
    settings["scoring"]["draws"] = 100
    (folder / "assessment.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    return folder / "assessment.yaml"


def cli(*args) -> int:
    return main([str(a) for a in args])


def write(params, out, *partners: str) -> None:
    assert cli("scoring-sheet", "--params", params, "--out", out, *[x for p in partners for x in ("--partner", p)]) == 0


def partner_rows(sheet) -> int:
    """Rows with a partner: the sheet's own, not the spare rows kept ready below them."""
    return sum(row[0] is not None for row in sheet.iter_rows(min_row=2, values_only=True))


def columns(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1]}


def fill(path, scores) -> None:
    """Fill every partner's empty row of the sheet: scores(partner, priority, criterion) -> (score, confidence)."""
    book = load_workbook(path)
    sheet = book[SCORES_SHEET]
    at = columns(sheet)
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row, at[PARTNER])
        if cell.value in PARTNERS:
            score, confidence = scores(cell.value, sheet.cell(row, at[PRIORITY_KEY]).value, row)
            sheet.cell(row, at[SCORE]).value = score
            sheet.cell(row, at[CONFIDENCE]).value = confidence
            sheet.cell(row, at[RATIONALE]).value = f"{cell.value} saw it so."
    book.save(path)


def test_the_sheet_is_ready_for_a_workshop(params, tmp_path):
    out = tmp_path / "scores.xlsx"
    write(params, out, *PARTNERS)
    book = load_workbook(out)
    assert book.sheetnames == ["Instructions", "Scores", "Issues", "Criteria"]
    sheet = book[SCORES_SHEET]
    assert tuple(c.value for c in sheet[1]) == COLUMNS
    assert sheet.freeze_panes == "A2"
    # The default judgements' author, then the four partners; 9 issues, 2 judged criteria each.
    assert partner_rows(sheet) == 9 * 2 * 5
    at = columns(sheet)
    first = [sheet.cell(2, at[name]).value for name in (PARTNER, PRIORITY_KEY, CRITERION_KEY, SCORE, CONFIDENCE)]
    assert first == ["the 2021-22 action plan's reasoning", "serious_acquisitive", "concern", 4, "medium"]
    assert sheet.cell(3, at[SCORE]).value is None
    checks = {str(v.sqref).split(":")[0][0]: v for v in sheet.data_validations.dataValidation}
    assert (checks["G"].type, checks["G"].formula1, checks["G"].formula2) == ("whole", "1", "5")
    assert checks["H"].formula1 == '"high,medium,low"'
    assert checks["I"].type == "textLength"
    instructions = " ".join(str(c) for row in book["Instructions"].iter_rows(values_only=True) for c in row if c)
    assert "kept in 79% of draws" in instructions and "Partnership can add value" in instructions


def test_round_trip_the_assessment_scores_the_medians(params, tmp_path):
    sheet, judgements = tmp_path / "scores.xlsx", params.parent / EXAMPLE_AREA / "judgements.yaml"
    write(params, sheet, *PARTNERS)
    fill(sheet, lambda partner, priority, row: (1 + (row * 7 + len(partner)) % 5, "low"))
    # The area's own judgements are replaced only when asked: they hold the default ones.
    assert cli("read-scores", sheet, "--params", params) == 2
    assert cli("read-scores", sheet, "--params", params, "--force") == 0

    written = yaml.safe_load(judgements.read_text())["judgements"]
    run = RunContext.load(params)
    for priority, by_criterion in written.items():
        for criterion, panel in by_criterion.items():
            # The four partners, and the default judgement where there is one.
            assert [j["judged_by"] for j in panel][-4:] == list(PARTNERS)
            expected = statistics.median_low([j["score"] for j in panel])
            assert run.results.scores[priority][criterion] == expected
            assert len(run.assessment.judgements[priority][criterion]) == len(panel)
    assert len(written) == 9 and sum(len(p) for c in written.values() for p in c.values()) > 9 * 2 * 4


def test_text_that_looks_like_a_formula_is_written_inert_and_read_back_as_typed(params, tmp_path):
    sheet, out = tmp_path / "scores.xlsx", tmp_path / "judgements.yaml"
    judgements = yaml.safe_load((params.parent / EXAMPLE_AREA / "judgements.yaml").read_text())
    judgements["judgements"]["asb"]["concern"]["rationale"] = "=HYPERLINK(x)"
    (params.parent / EXAMPLE_AREA / "judgements.yaml").write_text(yaml.safe_dump(judgements))
    write(params, sheet)
    book = load_workbook(sheet)
    cells = [c for row in book[SCORES_SHEET].iter_rows() for c in row if "HYPERLINK" in str(c.value)]
    assert [(c.value, c.data_type) for c in cells] == [("'=HYPERLINK(x)", "s")]
    assert cli("read-scores", sheet, "--params", params, "--out", out) == 0
    assert yaml.safe_load(out.read_text())["judgements"]["asb"]["concern"][0]["rationale"] == "=HYPERLINK(x)"


def edit(path, row: int, **values) -> None:
    book = load_workbook(path)
    sheet = book[SCORES_SHEET]
    at = columns(sheet)
    for name, value in values.items():
        sheet.cell(row, at[name]).value = value
    book.save(path)


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({SCORE: 7}, "row 3, column G (Score (1-5)): 7; write a whole number from 1 to 5"),
        ({SCORE: 3.5}, "row 3, column G (Score (1-5)): 3.5; write a whole number"),
        ({SCORE: None}, "row 3, column G (Score (1-5)): empty; write a whole number"),
        ({CONFIDENCE: "fair"}, "row 3, column H (Confidence): 'fair' is not high, medium or low"),
        ({RATIONALE: "  "}, "row 3, column I (Rationale): empty; say why this score"),
        ({PARTNER: None}, "row 3, column A (Partner): empty; write the partner's name"),
        ({PRIORITY_KEY: "burglary"}, "row 3, column B (Priority key): 'burglary' is not one of the keys"),
        ({CRITERION_KEY: "harm"}, "row 3, column E (Criterion key): 'harm' is not one of the keys"),
        (
            {PARTNER: "The 2021-22 ACTION PLAN's  reasoning"},
            "already scored serious_acquisitive on concern in row 2",
        ),
    ],
)
def test_a_bad_row_is_one_line_and_nothing_is_written(params, tmp_path, capsys, values, says):
    sheet, out = tmp_path / "scores.xlsx", tmp_path / "judgements.yaml"
    write(params, sheet, "Kent Police")
    edit(sheet, 3, **{SCORE: 4, CONFIDENCE: "High", RATIONALE: "Seen.", **values})
    assert cli("read-scores", sheet, "--params", params, "--out", out) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "scores.xlsx: sheet 'Scores', " in error and says in error, error
    assert not out.exists() and list(tmp_path.glob(".judgements*")) == []


def test_an_existing_file_is_replaced_only_with_force(params, tmp_path, capsys):
    sheet, out = tmp_path / "scores.xlsx", tmp_path / "judgements.yaml"
    write(params, sheet)
    out.write_text("keep me")
    assert cli("read-scores", sheet, "--params", params, "--out", out) == 2
    assert "already exists; pass --force" in capsys.readouterr().err and out.read_text() == "keep me"
    assert cli("scoring-sheet", "--params", params, "--out", sheet) == 2
    assert cli("read-scores", sheet, "--params", params, "--out", out, "--force") == 0
    assert "judgements:" in out.read_text()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"not a workbook", "cannot be read as an Excel workbook"),
        (None, "no column 'Score (1-5)'; keep the header row"),
    ],
)
def test_a_file_that_is_not_the_sheet_is_one_line(params, tmp_path, capsys, content, says):
    sheet = tmp_path / "scores.xlsx"
    if content is None:
        write(params, sheet)
        edit(sheet, 1, **{SCORE: "Points"})
    else:
        sheet.write_bytes(content)
    assert cli("read-scores", sheet, "--params", params, "--out", tmp_path / "j.yaml") == 2
    assert says in capsys.readouterr().err


def test_partners_must_be_named_when_none_has_judged(params, tmp_path, capsys):
    # Dover has no judgements of its own (and never Sevenoaks's).
    assert sheet_params(params, "Dover").judgements == {}
    assert cli("scoring-sheet", "--params", params, "--area", "Dover", "--out", tmp_path / "s.xlsx") == 2
    assert "name each with --partner NAME" in capsys.readouterr().err
    assert (
        cli(
            "scoring-sheet",
            "--params",
            params,
            "--area",
            "dover",
            "--out",
            tmp_path / "s.xlsx",
            "--partner",
            "Police",
            "--partner",
            "police",
        )
        == 0
    )
    assert partner_rows(load_workbook(tmp_path / "s.xlsx")[SCORES_SHEET]) == 9 * 2


def test_an_output_is_never_a_folder_or_a_file_the_command_reads(params, tmp_path, capsys):
    sheet = tmp_path / "scores.xlsx"
    write(params, sheet)
    folder = tmp_path / "folder"
    folder.mkdir()
    assert cli("scoring-sheet", "--params", params, "--out", folder, "--force") == 2
    assert f"{folder}: is a folder; give a file name" in capsys.readouterr().err
    before = params.read_bytes()
    assert cli("scoring-sheet", "--params", params, "--out", params, "--force") == 2
    assert "is a file this command reads" in capsys.readouterr().err and params.read_bytes() == before
    kept = sheet.read_bytes()
    assert cli("read-scores", sheet, "--params", params, "--out", sheet, "--force") == 2
    assert "is a file this command reads" in capsys.readouterr().err and sheet.read_bytes() == kept
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_written_files_are_readable_as_the_umask_allows(params, tmp_path):
    import os

    old = os.umask(0o022)
    try:
        sheet = tmp_path / "scores.xlsx"
        write(params, sheet)
        assert cli("read-scores", sheet, "--params", params, "--out", tmp_path / "j.yaml") == 0
    finally:
        os.umask(old)
    assert sheet.stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "j.yaml").stat().st_mode & 0o777 == 0o644

"""Local content is per area: an area's judgements, actions, measures and partner returns are its own.

Sevenoaks's (the embedded example, params/areas/E07000111/) appear on Sevenoaks's pages and
no other's; an area without its own is told what is missing and how to add it, and
`assess init AREA` starts a folder for it.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from assess.cli import main
from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS
from assess.context import RunContext
from assess.data.indicators import INDICATOR_COLUMNS, partner_files, read_indicators
from assess.errors import ConfigError, InputError
from assess.local import district_code, district_name, local_content
from assess.report import write_index
from assess.scoring_sheet import SCORES_SHEET
from params_facts import DEFAULT_RANKING, EXAMPLE_AREA, PARAMS

SEVENOAKS, DOVER = "E07000111", "E07000108"

SEVENOAKS_WORDS = ("Sevenoaks", "Kent", "DAVSS")


@pytest.fixture
def params(tmp_path) -> Path:
    """A copy of the default params folder (Sevenoaks's content included), run with a short simulation."""
    folder = tmp_path / "params"
    shutil.copytree(DEFAULT_PARAMS.parent, folder)
    settings = yaml.safe_load((folder / "assessment.yaml").read_text())
    settings["data_dir"] = str(DEFAULT_DATA_DIR)
    settings["scoring"]["draws"] = 100
    (folder / "assessment.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    return folder / "assessment.yaml"


@pytest.fixture(scope="module")
def sevenoaks() -> RunContext:
    return RunContext.load(DEFAULT_PARAMS)


def cli(*args) -> int:
    return main([str(a) for a in args])


# --- Sevenoaks keeps its own; no other area gets it -----------------------------------------------


def test_sevenoaks_keeps_its_plan_and_its_ranking(sevenoaks):
    local = sevenoaks.assessment.local
    assert local.area_code == SEVENOAKS and local.folder == DEFAULT_PARAMS.parent / "areas" / SEVENOAKS
    assert len(sevenoaks.actions) == 47 and len(sevenoaks.measures) == 7 and sevenoaks.assessment.judgements
    assert local.missing() == []
    assert "sevenoaks-action-plan-2021-22.csv" in set(sevenoaks.tables.indicators["file"])
    # Its own returns inform the trend where police data have none, as before the move.
    assert sevenoaks.assessment.priority("domestic_abuse").indicators_for("trend") == ["DAVSS referrals"]
    assert sevenoaks.results.order == DEFAULT_RANKING
    # Every file of its own content is an input of the run (and so in the manifest).
    assert set(local.files) <= set(sevenoaks.tables.files) | {
        local.judgements_file,
        local.actions_file,
        local.measures_file,
        local.previous_file,
        local.glossary_file,
        local.status_file,
    }


def assert_none_of_sevenoaks(run: RunContext) -> None:
    assessment, indicators = run.assessment, run.tables.indicators
    assert assessment.judgements == {} and run.actions == () and run.measures == ()
    assert not indicators["file"].str.contains("sevenoaks").any()
    assert not indicators["indicator"].str.contains("DAVSS").any()
    assert "West Kent" not in set(indicators["area"])
    assert not [p for p in run.tables.files if SEVENOAKS in str(p)]
    assert all(not p.indicators_for("trend") for p in assessment.priorities)


def test_dover_has_none_of_sevenoaks_content(params):
    dover = RunContext.load(params, "Dover")
    assert_none_of_sevenoaks(dover)
    # Its comparators' national figures stay, for the comparison criterion.
    assert {"Dover", "Sevenoaks"} <= set(dover.tables.indicators["area"])


def test_another_area_of_the_same_run_has_none_of_it(sevenoaks):
    """`--all-areas` assesses each area from the first one's inputs: the local content is read again."""
    dover = sevenoaks.for_area("Dover")
    assert_none_of_sevenoaks(dover)
    assert sevenoaks.for_area("Sevenoaks").tables.indicators.equals(sevenoaks.tables.indicators)


def test_without_judgements_the_judged_criteria_have_none_and_rank_provisionally(params):
    dover = RunContext.load(params, "Dover")
    results = dover.results
    for priority in dover.assessment.priorities:
        for criterion in dover.assessment.criteria.judged:
            verdict = results.criteria[priority.key][criterion.key]
            assert verdict.score is None and "judgement is recorded" in verdict.reason
            assert criterion.key in results.composites[priority.key].missing
    # Domestic abuse has no police data and no judgement: too few criteria to rank firmly.
    assert results.is_provisional("domestic_abuse")


def test_the_index_says_what_is_missing_and_how_to_add_it(params, tmp_path):
    dover = RunContext.load(params, "Dover")
    page = write_index(dover, [], tmp_path, date(2022, 12, 31)).read_text()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Local content still to add" in text
    assert "assess init E07000108" in text
    assert "No issue has a judgement recorded on community concern and partnership can add value" in text
    assert not any(word in text for word in SEVENOAKS_WORDS), text


def test_sevenoaks_index_has_nothing_to_add(sevenoaks, tmp_path):
    text = write_index(sevenoaks, [], tmp_path, date(2022, 12, 31)).read_text()
    assert "Local content still to add" not in text


def test_no_word_of_sevenoaks_in_the_parameters_every_area_shares():
    """Outside the example's folder, params/ is every partnership's: no Sevenoaks, Kent or DAVSS.

    The example assessment names its area and comparators, which another partnership replaces.
    """
    example = PARAMS / EXAMPLE_AREA
    for path in sorted(p for p in PARAMS.rglob("*") if p.is_file() and example not in p.parents):
        text = path.read_text(encoding="utf-8")
        if path.name == "assessment.yaml":
            settings = yaml.safe_load(text)
            chosen = [f"area: {settings['area']}"] + [f"  - {name}" for name in settings["comparators"]]
            text = "\n".join(line for line in text.splitlines() if line not in chosen)
        for word in SEVENOAKS_WORDS:
            assert word not in text, f"{path}: {word}"


# --- what an area's folder holds ------------------------------------------------------------------


def test_an_area_is_found_by_name_or_code():
    assert district_code("Sevenoaks") == SEVENOAKS == district_code("e07000111")
    assert district_code("tunbridge-wells") == district_code("Tunbridge Wells") != ""
    assert district_code("Atlantis") == "" and district_name("E99999999") is None


def test_no_folder_outside_the_areas_folder(tmp_path):
    """Only an ONS district code names a folder: nothing typed can lead elsewhere."""
    for code in ("../E07000111", "", "E07000111/..", "Sevenoaks"):
        local = local_content(tmp_path, code)
        assert local.folder is None and local.files == ()
        assert "no ONS code" in local.missing()[0][1]


def test_an_area_s_own_return_is_read_for_it_alone(params):
    own = params.parent / "areas" / DOVER / "partners"
    own.mkdir(parents=True)
    row = ["Referrals", "domestic_abuse", "Dover", "2022-01-01", "2022-12-31", "12", "count", "DA service"]
    pd.DataFrame([row], columns=INDICATOR_COLUMNS).to_csv(own / "referrals.csv", index=False)
    (own / "README.md").write_text("# notes, not a return\n")
    (params.parent / "areas" / DOVER / "indicators.yaml").write_text(
        "indicators:\n  domestic_abuse:\n    Referrals: trend\n"
    )
    dover = RunContext.load(params, "Dover")
    assert dover.assessment.local.partner_files == (own / "referrals.csv",)
    assert "Referrals" in set(dover.tables.indicators["indicator"])
    assert dover.assessment.priority("domestic_abuse").indicators_for("trend") == ["Referrals"]
    sevenoaks = RunContext.load(params)
    assert "Referrals" not in set(sevenoaks.tables.indicators["indicator"])


@pytest.mark.parametrize(
    "mapping, says",
    [
        ("indicators:\n  fraud:\n    Referrals: trend\n", "field 'indicators.fraud': unknown priority"),
        ("indicators:\n  asb:\n    Referrals: concern\n", "map an indicator's name to a measured criterion"),
        ("indicators:\n  asb:\n    Fly-tipping incidents (DEFRA): comparison\n", "already mapped in priorities.yaml"),
        ("asb:\n  Referrals: trend\n", "expected one setting, 'indicators'"),
    ],
)
def test_a_wrong_indicator_mapping_is_one_line(params, mapping, says):
    path = params.parent / EXAMPLE_AREA / "indicators.yaml"
    path.write_text(mapping)
    with pytest.raises(ConfigError) as caught:
        RunContext.load(params)
    assert str(path) in str(caught.value) and says in str(caught.value)


def test_a_return_joins_by_its_area_code(tmp_path):
    path = tmp_path / "coded.csv"
    rows = [
        ["Referrals", "asb", "Sevenoaks District", "2022-01-01", "2022-12-31", "7", "count", "x", "e07000111"],
        ["Referrals", "asb", "West Division", "2022-01-01", "2022-12-31", "70", "count", "x", ""],
    ]
    pd.DataFrame(rows, columns=[*INDICATOR_COLUMNS, "area_code"]).to_csv(path, index=False)
    table = read_indicators(path, ["asb"], district_name)
    assert table["area"].tolist() == ["Sevenoaks", "West Division"] and "area_code" not in table
    rows[1][-1] = "Kent"
    pd.DataFrame(rows, columns=[*INDICATOR_COLUMNS, "area_code"]).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"coded.csv: row 3: column 'area_code' must be an ONS code"):
        read_indicators(path, ["asb"], district_name)


# --- assess init ----------------------------------------------------------------------------------


def test_init_writes_a_folder_that_loads_with_nothing_yet(params, capsys):
    assert cli("init", "Dover", "--params", params, "--partner", "Police", "--partner", "District council") == 0
    folder = params.parent / "areas" / DOVER
    files = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert files == {
        "README.md",
        "judgements.yaml",
        "actions.yaml",
        "measures.yaml",
        "partners/README.md",
        "scoring-sheet.xlsx",
        "status.csv",
    }
    assert not list(folder.parent.glob(".*")), "the temporary folder is left behind"
    assert (folder / "status.csv").read_text() == "action,reported_on,status,update,reported_by\n"
    assert "`status.csv`: the status return" in (folder / "README.md").read_text()
    dover = RunContext.load(params, "Dover")
    dover.check_inputs()
    assert dover.assessment.judgements == {} and dover.actions == () and dover.measures == ()
    assert dover.status_returns == ()
    assert dover.assessment.local.partner_files == () and partner_files(folder / "partners") == ()
    # Written but empty: still missing, now to be filled in rather than started.
    missing = [what for what, _ in dover.assessment.local.missing()]
    assert missing[:3] == [
        "the partners' judged scores (community concern and where the partnership adds value)",
        "the action plan",
        "the success measures",
    ]
    assert not any(
        word in (folder / name).read_text() for name in files - {"scoring-sheet.xlsx"} for word in SEVENOAKS_WORDS
    )
    assert "Dover (E07000108)" in (folder / "README.md").read_text()


def test_the_sheet_init_writes_reads_back_as_the_area_s_judgements(params):
    assert cli("init", "E07000108", "--params", params, "--partner", "Police") == 0
    sheet = params.parent / "areas" / DOVER / "scoring-sheet.xlsx"
    book = load_workbook(sheet)
    scores = book[SCORES_SHEET]
    head = {cell.value: cell.column - 1 for cell in scores[1]}
    filled = 0
    for row in scores.iter_rows(min_row=2):
        if row[head["Partner"]].value:
            row[head["Score (1-5)"]].value, row[head["Confidence"]].value = 4, "medium"
            row[head["Rationale"]].value = "Raised at every ward panel."
            filled += 1
    book.save(sheet)
    # The starter judgements hold none, so the area's file is replaced without --force.
    assert cli("read-scores", sheet, "--params", params, "--area", "Dover") == 0
    dover = RunContext.load(params, "Dover")
    panels = [panel for by_criterion in dover.assessment.judgements.values() for panel in by_criterion.values()]
    assert len(panels) == filled == 9 * 2 and all(p[0].judged_by == "Police" and p[0].score == 4 for p in panels)
    assert dover.assessment.local.missing()[0][0] == "the action plan"


def test_init_never_replaces_a_partnerships_entries_and_force_leaves_other_files(params, capsys):
    folder = params.parent / "areas" / SEVENOAKS
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    for extra in ((), ("--force",)):
        assert cli("init", "Sevenoaks", "--params", params, *extra) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1
        assert "judgements.yaml, actions.yaml and measures.yaml already list the partnership's entries" in error
        assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    # A folder still holding the starters alone: refused without --force, replaced with it, returns kept.
    assert cli("init", "Dover", "--params", params) == 0
    dover = params.parent / "areas" / "E07000108"
    (dover / "partners" / "mine.csv").write_text("kept", encoding="utf-8")
    assert cli("init", "Dover", "--params", params) == 2
    assert "already holds README.md, judgements.yaml" in capsys.readouterr().err
    assert cli("init", "Dover", "--params", params, "--force") == 0
    assert (dover / "partners" / "mine.csv").read_text(encoding="utf-8") == "kept"
    assert yaml.safe_load((dover / "judgements.yaml").read_text()) == {"judgements": {}}
    # A status return with a partner's report is the partnership's work too.
    with (dover / "status.csv").open("a", encoding="utf-8") as handle:
        handle.write("1,2022-01-10,in progress,Started,CSU\n")
    assert cli("init", "Dover", "--params", params, "--force") == 2
    assert "status.csv already lists the partnership's entries" in capsys.readouterr().err


def test_init_of_an_unknown_area_is_one_line(params, capsys):
    assert cli("init", "Atlantis", "--params", params) == 2
    assert "unknown area 'Atlantis'" in capsys.readouterr().err
    assert sorted(p.name for p in (params.parent / "areas").iterdir()) == [SEVENOAKS]

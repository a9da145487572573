"""Adding a criterion or a priority is an edit to params (and, for a measured criterion, one
scorer function): nothing else in the package names them."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pandas as pd
import pytest
import yaml

import params_facts
from assess.config import DEFAULT_PARAMS, load_criteria
from assess.context import RunContext
from assess.errors import ConfigError
from assess.evidence import Evidence
from assess.results import Results
from assess.wording import number
from conftest import assess
from params_facts import EXAMPLE_AREA

SCORER = '''
from assess.criteria import CriterionScore


def repeat_share(figures, setting):
    """A made-up measured criterion: 5 if the priority is over a tenth of the area's crime, else 1."""
    share = figures.current / figures.area_total
    return CriterionScore(figures.key, "repeat", 5 if share > 0.1 else 1, f"{share:.0%} of crime", "Made up.")
'''

VAWG = {
    "title": "Violence against women and girls",
    "summary": "Violence and sexual offences against women.",
    "crime_types": ["Violence and sexual offences"],
    "sensitive": True,
    "partner_evidence": ["Domestic abuse and sexual violence referrals (IDVA service)"],
    "introduction": "A priority added in **params only**.",
}
CONFIDENCE = {"label": "Public confidence", "short_label": "Confidence", "kind": "judged"}


def params_with(tmp_path, criteria: dict, priorities: dict, judgements: dict, draws: int = 100):
    """A copy of the default params folder with criteria, priorities and judgements added."""
    params = tmp_path / "params"
    shutil.copytree(DEFAULT_PARAMS.parent, params)
    for name, extra in (("criteria", criteria), ("priorities", priorities), ("judgements", judgements)):
        path = params / (f"{EXAMPLE_AREA}/{name}.yaml" if name == "judgements" else f"{name}.yaml")
        content = yaml.safe_load(path.read_text())
        for key, value in extra.items():
            if isinstance(content[name].get(key), dict):
                content[name][key] = {**content[name][key], **value}
            else:
                content[name][key] = value
        path.write_text(yaml.safe_dump(content, sort_keys=False))
    settings = yaml.safe_load((params / "assessment.yaml").read_text())
    settings["data_dir"] = str(DEFAULT_PARAMS.parent.parent / "data")
    settings["scoring"]["draws"] = draws
    (params / "assessment.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    return params


@pytest.mark.e2e
def test_one_more_judged_criterion_and_one_more_priority_render(tmp_path):
    """On the default, the seventh criterion and the seventh priority."""
    judged = {"score": 4, "confidence": "low", "rationale": "Residents' survey, 2022.", "judged_by": "test"}
    params = params_with(
        tmp_path,
        {"public_confidence": CONFIDENCE},
        {"vawg": VAWG},
        {
            "vawg": {"concern": judged, "public_confidence": judged},
            "asb": {"public_confidence": {**judged, "score": 2}},
        },
    )
    out = tmp_path / "out"
    result = assess("run", "--params", str(params / "assessment.yaml"), "--out", str(out), "--as-of", "2022-12-31")
    assert result.returncode == 0, result.stderr

    criteria = load_criteria(params / "criteria.yaml")
    priorities = yaml.safe_load((params / "priorities.yaml").read_text())
    issues = len(priorities["priorities"]) + len(priorities["candidates"])
    n = len(params_facts.criteria()) + 1
    assert len(criteria) == n and len(priorities["priorities"]) == len(params_facts.priorities()) + 1
    last_page = params_facts.priority_pages()[-1]
    vawg = f"{10 * len(priorities['priorities'])}_vawg"
    table = pd.read_csv(out / "criteria.csv")
    assert len(table) == issues * len(criteria)
    assert all(tuple(rows) == criteria.keys for _, rows in table.groupby("priority")["criterion"])
    confidence = table[table["criterion"] == "public_confidence"].set_index("priority")["score"]
    assert confidence["vawg"] == 4 and confidence["asb"] == 2 and confidence.isna().sum() == issues - 2

    # The new priority has its page, last of the priorities in page order, linked from the index.
    page = (out / f"{vawg}.html").read_text()
    assert "Violence against women and girls" in page and "<strong>params only</strong>" in page
    assert f"The {number(n)} criteria" in page and "Public confidence" in page
    index = (out / "index.html").read_text()
    assert f'href="{vawg}.html"' in index and f"ranked by the {number(n)} criteria" in index
    listed = index[index.index("<h2>Pages</h2>") :]
    assert listed.index(f"{last_page}.html") < listed.index(f"{vawg}.html") < listed.index("80_action_plan")
    scoring = (out / "90_scoring.html").read_text()
    assert f"on {number(n)} criteria" in scoring and f"of {n}" in scoring and "Without public confidence" in scoring
    assert (
        "<strong>Community concern</strong>, <strong>partnership can add value</strong> and "
        "<strong>public confidence</strong> are judgements"
    ) in scoring
    # Sensitive by its own mark in priorities.yaml, with nothing to add to the disclosure settings.
    assert RunContext.load(params / "assessment.yaml").evidence.disclosure.is_sensitive("vawg")
    # The resolved parameters kept beside the pages weigh every declared criterion.
    resolved = yaml.safe_load((out / "assessment.yaml").read_text())
    assert set(resolved["scoring"]["weights"]) == set(criteria.keys)
    manifest = json.loads((out / "manifest.json").read_text())
    assert any(entry["path"].endswith("criteria.yaml") for entry in manifest["inputs"])


def test_a_measured_criterion_from_one_function_beside_the_params(tmp_path):
    params = params_with(
        tmp_path,
        {
            "repeat": {
                "label": "Repeat locations",
                "short_label": "Repeats",
                "kind": "measured",
                "scorer": "local_scorers:repeat_share",
            }
        },
        {},
        {},
    )
    (params / "local_scorers.py").write_text(SCORER)
    run = RunContext.load(params / "assessment.yaml")
    results = Results(run.evidence)
    counts = run.tables.counts
    area = counts[(counts["area"] == "Sevenoaks") & counts["month"].between("2022-01", "2022-12")]
    share = area[area["crime_type"] == "Anti-social behaviour"]["count"].sum() / area["count"].sum()
    assert results.scores["asb"]["repeat"] == (5 if share > 0.1 else 1)
    assert results.criteria["asb"]["repeat"].evidence == f"{share:.0%} of crime"
    # No police data, no score: the function is not asked to invent one.
    assert results.scores["domestic_abuse"]["repeat"] is None
    # Drawn from the counts, so it is resampled in the simulation like the built-in criteria.
    assert ("asb", "repeat") in {(part.priority.key, part.criterion) for part in results._police_draws()}
    assert len(results.ranking_table()) == len(run.assessment.priorities)


def test_a_scorer_that_cannot_be_found_is_one_line(tmp_path):
    params = params_with(
        tmp_path,
        {"repeat": {"label": "Repeat", "short_label": "Repeat", "kind": "measured", "scorer": "nowhere:nothing"}},
        {},
        {},
    )
    with pytest.raises(
        ConfigError, match=r"criteria.yaml: field 'criteria.repeat.scorer': cannot load 'nowhere:nothing'"
    ):
        Results(RunContext.load(params / "assessment.yaml").evidence)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"criteria": {"harm": None}}, "field 'tie_break': 'harm' is not a criterion listed above"),
        (
            {"criteria": {"trend": {"label": "Trend", "short_label": "Trend", "kind": "measured"}}},
            "field 'criteria.trend': a measured criterion names its 'scorer'",
        ),
        ({"criteria": {"Bad Key": CONFIDENCE}}, "field 'criteria.Bad Key': a key is lower-case"),
        ({"priorities": {"vawg": {**VAWG, "sections": ["no_such_section"]}}}, None),
    ],
)
def test_a_mistake_in_a_declaration_is_one_line(tmp_path, change, message):
    params = params_with(tmp_path, {}, {}, {})
    for name, edits in change.items():
        path = params / (f"{EXAMPLE_AREA}/{name}.yaml" if name == "judgements" else f"{name}.yaml")
        content = yaml.safe_load(path.read_text())
        for key, value in edits.items():
            if value is None:
                content[name].pop(key)
            else:
                content[name][key] = value
        path.write_text(yaml.safe_dump(content, sort_keys=False))
    if message is None:  # checked when the run prepares its pages
        from assess.pages import check_own_sections

        with pytest.raises(ConfigError, match="field 'priorities.vawg.sections': no section 'no_such_section'"):
            check_own_sections(RunContext.load(params / "assessment.yaml"))
        return
    with pytest.raises(ConfigError, match=message):
        RunContext.load(params / "assessment.yaml")


def test_judgements_for_an_undeclared_criterion_are_refused(tmp_path):
    judged = {"score": 4, "confidence": "low", "rationale": "r.", "judged_by": "test"}
    params = params_with(tmp_path, {}, {}, {"asb": {"public_confidence": judged}})
    with pytest.raises(ConfigError, match=r"judgements.asb.public_confidence': not a judged criterion"):
        RunContext.load(params / "assessment.yaml")


def test_weights_name_declared_criteria(tmp_path):
    params = params_with(tmp_path, {}, {}, {})
    settings = yaml.safe_load((params / "assessment.yaml").read_text())
    settings["scoring"]["weights"]["colour"] = 1
    (params / "assessment.yaml").write_text(yaml.safe_dump(settings))
    with pytest.raises(ConfigError, match=r"field 'scoring.weights.colour': not a criterion; criteria: concern"):
        RunContext.load(params / "assessment.yaml")


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("comparators", ["Sevenoaks", "Dartford", "dartford"], "field 'comparators': 'Dartford' is listed twice"),
        ("scoring", {"judgement_spread": {"high": 2.0}}, "high confidence must spread no wider than medium"),
    ],
)
def test_settings_that_cannot_mean_anything_are_one_line(tmp_path, setting, value, says):
    params = params_with(tmp_path, {}, {}, {})
    settings = yaml.safe_load((params / "assessment.yaml").read_text())
    settings[setting] = {**settings[setting], **value} if isinstance(value, dict) else value
    (params / "assessment.yaml").write_text(yaml.safe_dump(settings))
    with pytest.raises(ConfigError, match=says):
        RunContext.load(params / "assessment.yaml")


def test_a_firm_rank_must_be_possible(tmp_path):
    params = params_with(tmp_path, {}, {}, {})
    settings = yaml.safe_load((params / "assessment.yaml").read_text())
    settings["scoring"]["weights"]["harm"] = 0
    settings["scoring"]["min_criteria"] = 6
    (params / "assessment.yaml").write_text(yaml.safe_dump(settings))
    with pytest.raises(ConfigError, match=r"field 'scoring.min_criteria': 6 is more than the 5 weighted criteria"):
        RunContext.load(params / "assessment.yaml")


def test_an_own_section_adds_to_the_page_and_a_partner_priority_cannot_take_a_police_one():
    from assess.pages import PriorityPage, check_own_sections

    run = RunContext.load(DEFAULT_PARAMS)
    sac = run.assessment.priority("serious_acquisitive")
    with_section = replace(
        run.assessment,
        priorities=tuple(
            replace(p, sections=("crime_type_positions",)) if p.key == sac.key else p for p in run.assessment.priorities
        ),
    )
    extended = RunContext(Evidence(with_section, run.tables))
    page = PriorityPage(extended, "serious_acquisitive")
    section = page.own_sections()
    assert "## Where Sevenoaks stands on each crime type" in section.parts[0].text
    frame = section.parts[1].frame.set_index("Crime type")
    assert list(frame.index) == list(sac.crime_types)
    # Each crime type's rank agrees with ranking that crime type alone across the areas.
    counts = run.tables.counts
    year = counts[counts["month"].between("2022-01", "2022-12") & (counts["crime_type"] == "Burglary")]
    rates = year.groupby("area")["count"].sum() / run.evidence.population
    assert frame.loc["Burglary", "Rank (1 = lowest rate)"] == f"{int(rates.rank(method='min')['Sevenoaks'])} of 13"
    assert PriorityPage(run, "serious_acquisitive").own_sections().parts == ()

    partner = replace(
        with_section,
        priorities=tuple(
            replace(p, sections=("crime_type_positions",)) if p.key == "domestic_abuse" else p
            for p in with_section.priorities
        ),
    )
    with pytest.raises(ConfigError, match="needs police crime types"):
        check_own_sections(RunContext(Evidence(partner, run.tables)))


def test_scorers_and_indicator_mappings_are_checked_before_a_run(tmp_path):
    """Each mistake is one line naming the file and field, found by the checks a run makes before any notebook."""
    cases = [
        (
            {"criteria": {"repeat": {"label": "R", "short_label": "R", "kind": "measured", "scorer": "volumee"}}},
            "field 'criteria.repeat.scorer': no scorer 'volumee'",
        ),
        (
            {"criteria": {"repeat": {"label": "R", "short_label": "R", "kind": "measured", "scorer": ":score"}}},
            "field 'criteria.repeat.scorer': no scorer ':score'",
        ),
        (
            {"criteria": {"repeat": {"label": "R", "short_label": "R", "kind": "measured", "scorer": "broken:score"}}},
            r"field 'criteria.repeat.scorer': cannot load 'broken:score' \(SyntaxError: ",
        ),
        (
            {"priorities": {"asb": {"indicators": {"Fly-tipping incidents (DEFRA)": "volume"}}}},
            r"field 'priorities.asb.indicators.Fly-tipping incidents \(DEFRA\)': 'volume' is not scored from partner",
        ),
    ]
    for i, (change, message) in enumerate(cases):
        folder = tmp_path / str(i)
        criteria = change.get("criteria", {})
        priorities = change.get("priorities", {})
        params = params_with(folder, criteria, priorities, {})
        (params / "broken.py").write_text("def score(figures, setting)\n    return None\n")
        with pytest.raises(ConfigError, match=message):
            RunContext.load(params / "assessment.yaml").check_inputs()


def test_an_edited_scorer_is_not_answered_from_the_cache(tmp_path):
    from assess.criteria import scorers_fingerprint

    repeat = {"label": "R", "short_label": "R", "kind": "measured", "scorer": "mine:score"}
    params = params_with(tmp_path, {"repeat": repeat}, {}, {})
    (params / "mine.py").write_text(SCORER.replace("repeat_share", "score"))
    assessment = RunContext.load(params / "assessment.yaml").assessment
    before = scorers_fingerprint(assessment)
    (params / "mine.py").write_text(SCORER.replace("repeat_share", "score").replace("of crime", "of all crime"))
    edited = RunContext.load(params / "assessment.yaml")
    assert scorers_fingerprint(edited.assessment) != before
    # And the edited function is the one that scores, in the same process.
    assert Results(edited.evidence).criteria["asb"]["repeat"].evidence.endswith("of all crime")


def test_the_priority_page_takes_a_page_and_says_what_a_candidate_is(tmp_path):
    from assess.pages import PriorityPage

    run = RunContext.load(DEFAULT_PARAMS)
    assert PriorityPage(run).priority.key == run.assessment.pages[0].key
    with pytest.raises(ConfigError, match="'violence' is a candidate, ranked but with no page; set 'priority'"):
        PriorityPage(run, "violence")
    with pytest.raises(ConfigError, match="priorities.yaml: no priority or candidate 'nothing'"):
        PriorityPage(run, "nothing")


def test_an_old_priorities_file_is_told_what_changed(tmp_path):
    params = params_with(tmp_path, {}, {"asb": {"notebook": "20_asb.ipynb"}}, {})
    with pytest.raises(ConfigError, match=r"'notebook' is no longer used.*sensitive: true"):
        RunContext.load(params / "assessment.yaml")
    settings = yaml.safe_load((DEFAULT_PARAMS).read_text())
    settings["disclosure"]["sensitive_priorities"] = ["asb"]
    (params / "assessment.yaml").write_text(
        yaml.safe_dump({**settings, "data_dir": str(DEFAULT_PARAMS.parent.parent / "data")})
    )
    with pytest.raises(ConfigError, match="'sensitive_priorities' has moved"):
        RunContext.load(params / "assessment.yaml")


def test_a_candidate_cannot_have_page_content(tmp_path):
    params = params_with(tmp_path, {}, {}, {})
    content = yaml.safe_load((params / "priorities.yaml").read_text())
    content["candidates"]["violence"]["sections"] = ["crime_type_positions"]
    (params / "priorities.yaml").write_text(yaml.safe_dump(content, sort_keys=False))
    with pytest.raises(ConfigError, match="field 'candidates.violence': a candidate has no page"):
        RunContext.load(params / "assessment.yaml")


def test_a_page_name_cannot_take_one_of_the_workbook_s_own(tmp_path):
    from assess.batch import page_tasks

    extra = {f"extra_{i}": {**VAWG, "title": f"Extra {i}"} for i in range(1, 2)}
    params = params_with(tmp_path, {}, {**extra, "action_plan": {**VAWG, "title": "Action plans"}}, {})
    assessment = RunContext.load(params / "assessment.yaml").assessment
    assert assessment.page_stem("action_plan") == "80_action_plan"
    with pytest.raises(ConfigError, match="field 'priorities.action_plan': its page would be 80_action_plan"):
        page_tasks(assessment, {}, tmp_path)


def test_the_priority_notebook_has_every_standard_section_in_order():
    import re

    import nbformat

    from assess.batch import NOTEBOOK_DIR, PRIORITY_NOTEBOOK
    from assess.pages import STANDARD_SECTIONS

    notebook = nbformat.read(NOTEBOOK_DIR / PRIORITY_NOTEBOOK, as_version=4)
    called = [m for cell in notebook.cells for m in re.findall(r'page\.section\("(\w+)"\)', cell.source)]
    assert tuple(called) == STANDARD_SECTIONS
    assert sum("page.own_sections()" in cell.source for cell in notebook.cells) == 1


@pytest.mark.parametrize("name", ["priority", "80_action_plan", "90_scoring", "95_monitoring"])
def test_each_notebook_opens_with_a_note_for_the_analyst_hidden_from_the_page(name):
    import nbformat

    from assess.batch import NOTEBOOK_DIR
    from assess.export import HIDDEN_CELL_TAGS

    first = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4).cells[0]
    assert first.cell_type == "markdown" and first.metadata.get("tags") == ["analyst"]
    assert "what this shows, how to change it" in first.source
    assert "analyst" in HIDDEN_CELL_TAGS

"""Several judges: panels of judgements in judgements.yaml, their median, their pooled spread, the pages."""

from __future__ import annotations

import itertools
import shutil
import statistics

import numpy as np
import pytest
import yaml
from scipy import stats

from assess.config import DEFAULT_PARAMS, JudgementModel, load_criteria, load_judgements, load_priorities
from assess.context import RunContext
from assess.criteria.judged import judged_score, judgement_probabilities, panel_score
from assess.errors import ConfigError
from assess.pages import PriorityPage, ScoringPage
from params_facts import EXAMPLE_AREA

SPREAD = {"high": 0.5, "medium": 0.75, "low": 1.1}
CRITERIA = load_criteria(DEFAULT_PARAMS.parent / "criteria.yaml")
PRIORITIES = load_priorities(DEFAULT_PARAMS.parent / "priorities.yaml")


def judgement(score: int, confidence: str = "medium", by: str = "Kent Police", why: str = "Seen at ward panels."):
    return {"score": score, "confidence": confidence, "rationale": why, "judged_by": by}


def panel(*scores: int, confidence: str = "medium") -> tuple[JudgementModel, ...]:
    return tuple(
        JudgementModel(score=s, confidence=confidence, rationale="r.", judged_by=f"partner {i}")
        for i, s in enumerate(scores)
    )


def write_judgements(tmp_path, judgements: dict):
    path = tmp_path / "judgements.yaml"
    path.write_text(yaml.safe_dump({"judgements": judgements}))
    return path


def load(tmp_path, judgements: dict):
    return load_judgements(write_judgements(tmp_path, judgements), PRIORITIES, CRITERIA)


# --- judgements.yaml: one judgement, or one per partner ---------------------------------------


def test_one_judgement_is_a_panel_of_one(tmp_path):
    loaded = load(tmp_path, {"asb": {"concern": judgement(4)}})
    assert loaded["asb"]["concern"] == (JudgementModel(**judgement(4)),)


def test_a_list_is_one_judgement_per_partner_in_order(tmp_path):
    given = [judgement(2, by="Kent Police"), judgement(5, "low", by="Sevenoaks DC"), judgement(4, by="KFRS")]
    loaded = load(tmp_path, {"asb": {"concern": given, "added_value": judgement(3)}})
    assert [j.judged_by for j in loaded["asb"]["concern"]] == ["Kent Police", "Sevenoaks DC", "KFRS"]
    assert [j.score for j in loaded["asb"]["concern"]] == [2, 5, 4]
    assert len(loaded["asb"]["added_value"]) == 1


@pytest.mark.parametrize("second", ["Kent Police", "kent  police ", "KENT POLICE"])
def test_a_partner_judging_twice_is_refused_in_one_line(tmp_path, second):
    given = [judgement(2, by="Kent Police"), judgement(5, by=second)]
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, {"asb": {"concern": given}})
    message = str(caught.value)
    assert "field 'judgements.asb.concern'" in message and "judges this twice" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ([], "list at least one judgement"),
        ("4", "give one judgement"),
        ([judgement(4, by="  ")], "judged_by': must not be blank"),
        ([judgement(4, why="")], "rationale': must not be blank"),
        ([judgement(6)], "score': Input should be less than or equal to 5"),
    ],
)
def test_a_bad_panel_is_one_line_naming_the_field(tmp_path, given, says):
    with pytest.raises(ConfigError, match="field 'judgements.asb.concern") as caught:
        load(tmp_path, {"asb": {"concern": given}})
    assert says in str(caught.value)


# --- the published score: the lower median -------------------------------------------------------


def test_the_score_is_the_lower_median_of_every_panel_up_to_six():
    """Against statistics.median_low, and against its reading: the highest k a strict majority gave k or more."""
    for size in range(1, 7):
        for scores in itertools.product(range(1, 6), repeat=size):
            score = panel_score(panel(*scores))
            assert score == statistics.median_low(scores)
            majority = max(k for k in range(1, 6) if sum(s >= k for s in scores) > size / 2)
            assert score == majority


def verdict(scores_or_panel, key="asb", criterion="concern"):
    from assess.config import Assessment

    judgements = scores_or_panel if isinstance(scores_or_panel[0], JudgementModel) else panel(*scores_or_panel)
    assessment = Assessment(
        area="A",
        period_start="2022-01",
        period_end="2022-12",
        comparators=("A",),
        data_dir=DEFAULT_PARAMS.parent,
        priorities=PRIORITIES,
        judgements={key: {criterion: judgements}},
    )
    return judged_score(assessment, key, CRITERIA[criterion])


def test_the_evidence_names_the_median_the_partners_and_the_range():
    assert verdict((2, 5, 4, 4, 3)).evidence == "median 4 of 5 from 5 partners (range 2 to 5)"
    assert verdict((4, 4, 4)).evidence == "median 4 of 5 from 3 partners (all scored 4)"
    split = verdict((2, 2, 5, 5))
    assert split.score == 2
    assert split.reason.startswith("partner 0 gave 2: r. partner 1 gave 2: r. partner 2 gave 5: r.")


def test_one_judge_reads_as_before():
    one = (JudgementModel(score=3, confidence="low", rationale="Survey\n  of residents", judged_by="CSP board"),)
    result = verdict(one)
    assert (result.score, result.evidence, result.reason) == (
        3,
        "judged 3 of 5, low confidence, by CSP board",
        "Survey of residents",
    )


# --- the spread the simulation draws from --------------------------------------------------------


def brute_force_pool(judgements, spread) -> np.ndarray:
    """The linear pool computed anew: each judge equally likely, each score by scipy's normal density."""
    pooled = np.zeros(5)
    for j in judgements:
        weights = np.array([stats.norm.pdf(s, loc=j.score, scale=spread[j.confidence]) for s in range(1, 6)])
        pooled += weights / weights.sum() / len(judgements)
    return pooled


@pytest.mark.parametrize(
    "judgements",
    [
        panel(3),
        panel(1, confidence="high"),
        panel(2, 2, 5, 5),
        (*panel(1, confidence="low"), *panel(4, 5, confidence="high")),
    ],
)
def test_the_pooled_probabilities_match_a_brute_force_computation(judgements):
    assert judgement_probabilities(judgements, SPREAD) == pytest.approx(brute_force_pool(judgements, SPREAD), abs=1e-12)


def spread_of(probabilities: np.ndarray) -> float:
    scores = np.arange(1, 6)
    mean = probabilities @ scores
    return float(np.sqrt(probabilities @ (scores - mean) ** 2))


def lower_median_distribution(judgements) -> np.ndarray:
    """The exact distribution of a panel's lower median when each of its k views is drawn from the pool.

    The lower median is at most s when at least (k - 1) // 2 + 1 of the k views are at most s:
    a binomial tail in the pool's distribution function (order statistics, David and Nagaraja 2003).
    """
    k = len(judgements)
    at_most = np.cumsum(brute_force_pool(judgements, SPREAD))
    cdf = stats.binom.sf((k - 1) // 2, k, np.minimum(at_most, 1.0))
    return np.diff(np.concatenate([[0.0], cdf]))


def test_a_split_panel_draws_more_widely_than_a_unanimous_one():
    split, unanimous = verdict((2, 2, 5, 5)), verdict((4, 4, 4, 4))
    draws = 20_000
    split_draws = split.spread(np.random.default_rng(1), draws)
    unanimous_draws = unanimous.spread(np.random.default_rng(1), draws)
    assert split_draws.std() > 2 * unanimous_draws.std()
    # The draws are centred on what the panel gave: a unanimous 4 stays 4 at the median, a split
    # panel's published 2 is the lower of its draws' two most likely values.
    assert np.median(unanimous_draws) == 4
    assert set(np.argsort(np.bincount(split_draws.astype(int)))[-2:]) >= {2}
    # The draws follow the exact distribution of the lower median (a chi-square goodness-of-fit test).
    for judgements, drawn in ((panel(2, 2, 5, 5), split_draws), (panel(4, 4, 4, 4), unanimous_draws)):
        observed = np.bincount(drawn.astype(int), minlength=6)[1:]
        expected = lower_median_distribution(judgements) * draws
        kept = expected > 0
        assert observed[~kept].sum() == 0
        assert stats.chisquare(observed[kept], expected[kept]).pvalue > 0.001


def test_one_judge_draws_from_that_judges_own_spread():
    (one,) = panel(3, confidence="medium")
    drawn = verdict((one,)).spread(np.random.default_rng(2), 20_000)
    observed = np.bincount(drawn.astype(int), minlength=6)[1:]
    expected = brute_force_pool([one], SPREAD) * 20_000
    assert stats.chisquare(observed, expected).pvalue > 0.001


# --- the pages ----------------------------------------------------------------------------------


def params_folder(tmp_path, judgements: dict):
    """A copy of the default params with some panels of judgements, and a short simulation."""
    params = tmp_path / "params"
    shutil.copytree(DEFAULT_PARAMS.parent, params)
    content = yaml.safe_load((params / EXAMPLE_AREA / "judgements.yaml").read_text())
    for key, by_criterion in judgements.items():
        content["judgements"][key] = {**content["judgements"].get(key, {}), **by_criterion}
    (params / EXAMPLE_AREA / "judgements.yaml").write_text(yaml.safe_dump(content, sort_keys=False))
    settings = yaml.safe_load((params / "assessment.yaml").read_text())
    settings["data_dir"] = str(DEFAULT_PARAMS.parent.parent / "data")
    settings["scoring"]["draws"] = 100
    (params / "assessment.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    return params / "assessment.yaml"


SPLIT_ASB = {
    "asb": {
        "concern": [
            judgement(2, "high", "Kent Police", "Calls fell."),
            judgement(5, "low", "Sevenoaks DC", "Complaints rose."),
            judgement(4, "medium", "KFRS", "Fires set."),
        ]
    }
}


def test_the_priority_page_shows_each_partner_where_several_judged(tmp_path):
    run = RunContext.load(params_folder(tmp_path, SPLIT_ASB))
    section = PriorityPage(run, "asb").section("judgements")
    heading, table = section.parts
    assert "What each partner judged" in heading.text
    assert list(table.frame["Partner"]) == ["Kent Police", "Sevenoaks DC", "KFRS"]
    assert list(table.frame["Score (1-5)"]) == [2, 5, 4]
    assert list(table.frame["Confidence"]) == ["high", "low", "medium"]
    assert "judged by 3 partners (median 4, range 2 to 5)" in table.caption
    assert '<td data-label="Rationale">Complaints rose.</td>' in table._repr_html_()
    # One judge per criterion: the section, heading and all, is left out.
    assert not PriorityPage(run, "domestic_abuse").section("judgements")


def test_the_scoring_page_lists_where_partners_disagree(tmp_path):
    agreeing = {"domestic_abuse": {"concern": [judgement(4, by="A"), judgement(5, by="B")]}}
    run = RunContext.load(params_folder(tmp_path, {**SPLIT_ASB, **agreeing}))
    heading, table = ScoringPage(run).disagreements().parts
    assert heading.text.startswith("## Where partners disagree")
    assert table.frame.to_dict("records") == [
        {
            "Issue": "Anti-social behaviour",
            "Criterion": "Community concern",
            "Partners": 3,
            "Range of scores": "2 to 5",
            "Scores given": "2, 4, 5",
            "Score used (median)": 4,
        }
    ]
    assert run.results.scores["asb"]["concern"] == 4


@pytest.mark.parametrize(
    ("judgements", "says"),
    [({}, "recorded by one judge"), ({"asb": {"concern": [judgement(4, by="A"), judgement(3, by="B")]}}, "agree")],
)
def test_the_scoring_page_says_when_no_partners_disagree(tmp_path, judgements, says):
    run = RunContext.load(params_folder(tmp_path, judgements))
    _, text = ScoringPage(run).disagreements().parts
    assert says in text.text

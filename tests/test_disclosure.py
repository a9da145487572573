"""Disclosure control: small counts on sensitive subjects never reach a page or a workbook."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import params_facts as facts
from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS, DisclosureModel, resolve_assessment
from assess.context import RunContext
from assess.criteria import comparison, harm, volume
from assess.data.counts import read_counts
from assess.data.geography import Geography
from assess.data.indicators import (
    INDICATOR_COLUMNS,
    normal_unit,
    partner_files,
    read_indicator_files,
    read_indicators,
)
from assess.disclosure import NOT_SENSITIVE, CountRule, Disclosure, suppress_grid
from assess.evidence import Evidence
from assess.local import district_name
from assess.measures import MeasureModel, evaluate
from assess.pages import MonitoringPage, PriorityPage
from assess.results import Results
from test_criteria import PERIOD, RULES, UNIT, compared, figures, score_trend

RULE = CountRule(5, sensitive=True)


class TestSuppressGrid:
    def test_primary_only_without_totals(self):
        assert suppress_grid([[3, 10, 0]], 5, False, False).tolist() == [[True, False, False]]

    def test_zero_is_shown(self):
        assert not suppress_grid([[0, 0, 9]], 5, True, True).any()

    def test_secondary_along_a_shown_total(self):
        # 3 alone hidden beside a shown total 16 would be 16 - 13: the smallest other (6) goes too.
        assert suppress_grid([[3, 6, 7]], 5, True, False).tolist() == [[True, True, False]]

    def test_rows_and_columns_until_stable(self):
        hidden = suppress_grid([[3, 10, 13], [20, 30, 50]], 5, True, True)
        assert hidden.tolist() == [[True, True, False], [True, True, False]]
        # No row or column with a shown total is left with exactly one hidden cell.
        assert all(row.sum() != 1 for row in hidden) and all(col.sum() != 1 for col in hidden.T)

    def test_small_cells_alone_are_not_enough(self):
        # 1 and 1 hidden beside a shown total 32 leave 2: two counts of at least 1 summing to 2 are both 1.
        assert suppress_grid([[1, 1, 10, 20]], 5, True, False).tolist() == [[True, True, True, False]]

    def test_the_secondary_cell_is_above_the_threshold(self):
        # 3 and 5 hidden leave 8: 3 + 5 or 4 + 4, but the reader knows 5 is not small, so 3 is pinned.
        assert suppress_grid([[3, 5, 6, 20]], 5, True, False).tolist() == [[True, False, True, False]]

    def test_a_zero_is_never_the_secondary_cell(self):
        assert suppress_grid([[3, 0, 0, 7]], 5, True, False).tolist() == [[True, False, False, True]]

    def test_ones_under_a_small_total_are_joined_by_a_zero(self):
        # Four hidden months under a total of "fewer than 5" are all 1; a hidden zero beside them unpins them.
        column = [[1], [0], [1], [1], [1], [0]]
        assert suppress_grid(column, 5, False, True)[:, 0].tolist() == [True, True, True, True, True, False]
        assert not suppress_grid([[1], [0], [1], [1], [0]], 5, False, True)[[1, 4], 0].any()


class TestCountRule:
    def test_small_counts_on_a_sensitive_subject(self):
        assert [RULE.hides(c) for c in (0, 1, 4, 5)] == [False, True, True, False]
        assert (RULE.text(3), RULE.text(1234)) == ("fewer than 5", "1,234")
        assert not NOT_SENSITIVE.hides(3) and NOT_SENSITIVE.text(3) == "3"

    def test_a_hidden_cell_that_is_not_small_is_withheld(self):
        # "fewer than 5" for a count of 12 would be false.
        assert (RULE.words(3), RULE.words(0), RULE.words(12)) == ("fewer than 5", "fewer than 5", "withheld")

    @pytest.mark.parametrize(
        "hidden, exposed",
        [([3], True), ([3, 2], True), ([3, 40], False), ([40], True), ([0, 3], True), ([], False), ([0], False)],
    )
    def test_what_a_shown_total_gives_back(self, hidden, exposed):
        assert RULE.exposes(hidden) is exposed
        assert not NOT_SENSITIVE.exposes(hidden)

    def test_a_table_shows_hidden_cells_in_words(self):
        counts = pd.DataFrame({"a": [3, 12], "b": [7, 0]})
        shown = RULE.table(counts, [[True, True], [False, False]])
        assert shown.values.tolist() == [["fewer than 5", "withheld"], [12, 0]]


@pytest.fixture(scope="module")
def assessment():
    return resolve_assessment(read_counts(DEFAULT_DATA_DIR / "counts.csv"), DEFAULT_PARAMS)


def marked_sensitive(assessment, key: str) -> tuple:
    """The assessment's priorities with one more marked sensitive, as `sensitive: true` would."""
    return tuple(replace(p, sensitive=True) if p.key == key else p for p in assessment.priorities)


class TestPolicy:
    def test_sensitive_by_name_or_by_crime_type(self, assessment):
        policy = Disclosure.of(assessment)
        assert {"domestic_abuse", "safeguarding", "violence"} <= policy.sensitive_keys
        assert not policy.is_sensitive("asb") and policy.rule("violence").sensitive
        assert policy.rule_for_types(["Burglary", "Violence and sexual offences"]).sensitive
        assert not policy.rule_for_types(["Burglary"]).sensitive

    def test_a_listed_priority_makes_its_crime_types_sensitive(self, assessment):
        listed = replace(
            assessment,
            disclosure=DisclosureModel(sensitive_crime_types=[]),
            priorities=marked_sensitive(assessment, "shoplifting"),
        )
        assert Disclosure.of(listed).rule_for_types(["Shoplifting"]).sensitive

    def test_partner_figures_to_hide(self, assessment):
        rows = [
            ("Referrals", "domestic_abuse", "Sevenoaks", 3, "count"),
            ("Referrals", "domestic_abuse", "Dover", 40, "count"),
            ("Referrals", "domestic_abuse", "Kent", 43, "count"),  # the county: 3 = 43 - 40
            ("Repeat victims", "domestic_abuse", "Sevenoaks", 3.0, "percent"),  # not a count
            ("Fly-tipping", "asb", "Sevenoaks", 3, "count"),
        ]  # not sensitive
        table = pd.DataFrame(
            [(i, p, a, pd.Timestamp("2022-01-01"), pd.Timestamp("2022-12-31"), v, u, "s") for i, p, a, v, u in rows],
            columns=INDICATOR_COLUMNS,
        )
        policy = Disclosure.of(assessment)
        assert policy.hidden_indicators(table, assessment.comparators).tolist() == [True, False, True, False, False]
        assert policy.indicator_values(table, assessment.comparators).tolist() == [
            "fewer than 5",
            "40",
            "withheld",
            "3.0%",  # a percentage shown as one
            "3",
        ]


def hidden_indicators_by_group(policy: Disclosure, indicators: pd.DataFrame, comparators) -> pd.Series:
    """`Disclosure.hidden_indicators` as the rules say it, row by row and group by group: the reference."""
    hidden = pd.Series(False, index=indicators.index)
    counts = indicators[indicators["unit"] == "count"]
    for i, key, value in zip(counts.index, counts["priority"], counts["value"]):
        hidden[i] = policy.rule(key).hides(value)
    for _, rows in counts.groupby(["indicator", "period_start", "period_end"]):
        inside = rows["area"].isin(comparators)
        suppressed = rows.loc[inside & hidden[rows.index], "value"]
        for i in rows.index[~inside]:
            hidden[i] = hidden[i] or policy.rule(rows.at[i, "priority"]).exposes(suppressed)
    return hidden


COMPARED = ("Sevenoaks", "Dover", "Thanet")
STARTS = (pd.Timestamp("2021-01-01"), pd.Timestamp("2022-01-01"), pd.NaT)


@st.composite
def partner_tables(draw) -> tuple[Disclosure, pd.DataFrame]:
    """A policy and a table of partner figures: few indicators, periods and areas, so groups share rows."""
    row = st.tuples(
        st.sampled_from(["Referrals", "Victims"]),
        st.sampled_from(["domestic_abuse", "safeguarding", "asb"]),
        st.sampled_from([*COMPARED, "Kent", "West Division"]),
        st.sampled_from(STARTS),
        st.one_of(st.integers(0, 12).map(float), st.floats(0, 12, allow_nan=False)),
        st.sampled_from(["count", "count", "percent"]),
    )
    rows = draw(st.lists(row, max_size=25))
    table = pd.DataFrame(
        [(i, p, a, s, s + pd.DateOffset(years=1), v, u, "src") for i, p, a, s, v, u in rows],
        columns=INDICATOR_COLUMNS,
    )
    # Labels that are not positions, so a result aligned by position rather than by label fails.
    table.index = draw(st.permutations(range(len(table)))) if rows else table.index
    keys = draw(st.sets(st.sampled_from(["domestic_abuse", "safeguarding", "asb"])))
    return Disclosure(draw(st.integers(2, 10)), frozenset(keys), frozenset()), table


class TestHiddenIndicators:
    @given(partner_tables())
    @settings(max_examples=150, deadline=None)
    def test_as_the_reference_on_any_table(self, policy_and_table):
        policy, table = policy_and_table
        expected = hidden_indicators_by_group(policy, table, COMPARED)
        pd.testing.assert_series_equal(policy.hidden_indicators(table, COMPARED), expected)

    @pytest.mark.parametrize("threshold", [5, 20, 200])
    def test_as_the_reference_on_the_default_returns(self, assessment, threshold):
        # Every area's national figures, before a run keeps its comparators': many a county and district outside.
        every = read_indicator_files(
            partner_files(DEFAULT_DATA_DIR / "partners") + assessment.local.partner_files,
            [p.key for p in assessment.priorities],
            district_name,
        )
        kept = Evidence.load(DEFAULT_PARAMS).tables.indicators
        policy = replace(Disclosure.of(assessment), threshold=threshold)
        for table in (every, kept):
            expected = hidden_indicators_by_group(policy, table, assessment.comparators)
            assert expected.any()
            pd.testing.assert_series_equal(policy.hidden_indicators(table, assessment.comparators), expected)


@pytest.mark.parametrize(
    "typed, read",
    [
        ("count", "count"),
        ("Count", "count"),
        (" number ", "count"),
        ("N", "count"),
        ("Numbers", "count"),
        ("Percent", "percent"),
        ("%", "percent"),
        ("rate per 100,000", "rate per 100,000"),
    ],
)
def test_units_are_read_as_one(typed, read):
    assert normal_unit(typed) == read


def test_partner_returns_are_read_with_normal_units(tmp_path):
    path = tmp_path / "return.csv"
    pd.DataFrame(
        [
            ("Referrals", "domestic_abuse", "Sevenoaks", "2022-01-01", "2022-12-31", 2, unit, "s")
            for unit in ("Count", "number", "Percent")
        ],
        columns=INDICATOR_COLUMNS,
    ).to_csv(path, index=False)
    assert read_indicators(path)["unit"].tolist() == ["count", "count", "percent"]


class TestCriteria:
    """A criterion resting on a hidden count keeps its score but shows no figure made from the count."""

    @staticmethod
    def digits(text: str) -> list[str]:
        return re.findall(r"\d[\d,.]*", re.sub(r"January to December 2022|previous 12 months|fewer than 5", "", text))

    def test_year_on_year_with_both_counts_hidden(self):
        shown = score_trend(figures(current=3, previous=1))
        hidden = score_trend(figures(current=3, previous=1, rule=RULE))
        assert hidden.score == shown.score and "rose 200%" in shown.reason
        assert hidden.evidence.count("fewer than 5") == 2 and "withheld" in hidden.reason
        assert not self.digits(hidden.evidence + hidden.reason)

    def test_year_on_year_with_one_count_hidden(self):
        verdict = score_trend(figures(current=40, previous=3, rule=RULE))
        # 40 may be shown; the ratio (13.33), the p-value and "rose 1233%" would give the 3 back.
        assert verdict.evidence.startswith("40 in January to December 2022 against fewer than 5")
        assert self.digits(verdict.evidence + verdict.reason) == ["40"]

    def test_monthly_trend_with_small_months(self):
        history = np.array([0, 1, 3, 2, 6, 4, 8, 7, 9, 10, 12, 11])
        verdict = score_trend(figures(history=history, rule=RULE))
        shown = score_trend(figures(history=history))
        assert verdict.score == shown.score and "statistics withheld" in verdict.evidence
        assert "the area's share" in shown.evidence and "the area's share" not in verdict.evidence
        assert "%" not in verdict.reason

    def test_large_counts_of_a_sensitive_subject_are_shown_as_before(self):
        for score in (score_trend, lambda f: volume.score(f, RULES, PERIOD)):
            sensitive = score(figures(current=120, previous=100, rule=RULE))
            assert sensitive == score(figures(current=120, previous=100))

    def test_volume(self):
        small = volume.score(figures(current=3, rule=RULE), RULES, PERIOD)
        assert small.evidence.startswith("fewer than 5 of 1,000 recorded") and "%" not in small.evidence + small.reason
        area = volume.score(figures(current=300, area_total_hidden=True), RULES, PERIOD)
        assert area.evidence.startswith("300 of the area's recorded") and not self.digits(area.reason)
        assert "1,000" not in area.evidence and "%" not in area.evidence

    def test_harm(self):
        hidden = harm.score(figures(harm=582.63, harm_hidden=True), RULES, PERIOD, UNIT)
        assert hidden.evidence.startswith("harm per offence withheld") and "582" not in hidden.evidence
        assert "5.8" not in hidden.evidence and "0.5 days" in hidden.evidence
        assert hidden.score == harm.score(figures(harm=582.63), RULES, PERIOD, UNIT).score
        area = harm.score(figures(harm=50.0, area_harm_hidden=True), RULES, PERIOD, UNIT)
        assert area.evidence.startswith("0.5 days of imprisonment of harm per offence; the area's total")
        assert "1,000" not in area.evidence and "1.0" not in area.evidence

    def test_comparison(self):
        own = comparison.score(replace(compared(3), rule=RULE), RULES, PERIOD)
        assert "rate per 1,000 residents and county rate withheld" in own.evidence
        assert "phi =" not in own.evidence and not re.search(r"\d\.\d\d", own.evidence)
        other = compared(500)
        other = comparison.score(replace(other, comparator_counts=np.array([500] * 10 + [2]), rule=RULE), RULES, PERIOD)
        assert other.evidence.startswith("5.00 per 1,000 residents against a county rate withheld")


def data_folder(tmp_path, counts: dict[tuple[str, str], list[int]]):
    """counts.csv of 24 months (2021-2022) from {(area, crime type): 24 monthly counts}, with population."""
    months = [str(p) for p in pd.period_range("2021-01", "2022-12", freq="M")]
    rows = [
        {"area_code": Geography.default().code_for(a), "area": a, "month": m, "crime_type": t, "count": c}
        for (a, t), series in counts.items()
        for m, c in zip(months, series)
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "counts.csv", index=False)
    population = pd.read_csv(DEFAULT_DATA_DIR / "population.csv")
    areas = {a for a, _ in counts}
    population[population["area"].isin(areas)].to_csv(tmp_path / "population.csv", index=False)
    return tmp_path


class TestAreaTotals:
    """The area's totals, less the priority totals shown beside them, must not leave a small count."""

    AREAS = ("Sevenoaks", "Dover", "Thanet")

    def scored(self, tmp_path, extra: dict) -> Results:
        counts = {(a, "Burglary"): [30] * 24 for a in self.AREAS}
        counts |= {(a, "Violence and sexual offences"): [20] * 24 for a in self.AREAS[1:]}
        # Violence (a sensitive candidate) is 3 in the area this year.
        counts[("Sevenoaks", "Violence and sexual offences")] = [1] * 12 + [1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0]
        evidence = Evidence.load(None, "Sevenoaks", data_folder(tmp_path, counts | extra))
        return Results(evidence)

    def test_withheld_when_only_a_small_count_is_left(self, tmp_path):
        criteria = self.scored(tmp_path, {}).criteria
        assert criteria["serious_acquisitive"]["volume"].evidence.startswith("360 of the area's recorded")
        assert criteria["violence"]["volume"].evidence.startswith("fewer than 5 of the area's")
        assert "the area's total" in criteria["serious_acquisitive"]["harm"].evidence

    def test_shown_when_other_crime_is_left_too(self, tmp_path):
        criteria = self.scored(tmp_path, {("Sevenoaks", "Public order"): [10] * 24}).criteria
        assert criteria["serious_acquisitive"]["volume"].evidence.startswith("360 of 483 recorded")
        # Harm is weights x counts: 194.21 x 3 could be solved for beside public order's 7.5 x 120.
        assert "the area's total" in criteria["serious_acquisitive"]["harm"].evidence


@pytest.fixture
def small_sensitive(tmp_path):
    """Violence and sexual offences (a sensitive crime type) with small counts in one area."""
    months = [str(p) for p in pd.period_range("2022-01", "2022-12", freq="M")]
    rows = []
    for area, base in (("Sevenoaks", 0), ("Dover", 40), ("Thanet", 55), ("Swale", 3)):
        for i, month in enumerate(months):
            rows.append(
                {
                    "area_code": Geography.default().code_for(area),
                    "area": area,
                    "month": month,
                    "crime_type": "Violence and sexual offences",
                    "count": base + (i % 3) if area != "Sevenoaks" else [2, 7, 0][i % 3],
                }
            )
            rows.append(
                {
                    "area_code": Geography.default().code_for(area),
                    "area": area,
                    "month": month,
                    "crime_type": "Burglary",
                    "count": 20,
                }
            )
    pd.DataFrame(rows).to_csv(tmp_path / "counts.csv", index=False)
    population = pd.read_csv(DEFAULT_DATA_DIR / "population.csv")
    population[population["area"].isin(["Sevenoaks", "Dover", "Thanet", "Swale"])].to_csv(
        tmp_path / "population.csv", index=False
    )
    evidence = Evidence.load(None, "Sevenoaks", tmp_path)
    # Violence is a candidate by default; given a page here to see it through a page's tables.
    promoted = tuple(
        replace(p, is_candidate=False) if p.key == "violence" else p for p in evidence.assessment.priorities
    )
    return PriorityPage(
        RunContext(Evidence(replace(evidence.assessment, priorities=promoted), evidence.tables)), "violence"
    )


def shown_numbers(display) -> set[int]:
    text = display._repr_html_()
    return {int(n.replace(",", "")) for n in re.findall(r"<td[^>]*>([\d,]+)</td>", text)}


class TestSensitivePage:
    def test_monthly_counts_below_five_are_hidden(self, small_sensitive):
        html = small_sensitive.monthly_table()._repr_html_()
        assert "fewer than 5" in html
        assert not {1, 2, 3, 4} & shown_numbers(small_sensitive.monthly_table())

    def test_monthly_chart_is_withheld_but_not_the_yearly_comparison(self, small_sensitive):
        assert "withheld" in repr(small_sensitive.monthly_chart())
        # Yearly counts per area are all 5 or more here, so the comparison can be drawn.
        assert "withheld" not in repr(small_sensitive.comparison_chart())

    def test_rates_of_hidden_counts_are_hidden(self, small_sensitive):
        table = small_sensitive.comparison_table().frame.set_index("Rank (1 = lowest rate)")
        swale = table[table["Area"] == "Swale"]
        # Swale's yearly count is large (3 to 5 a month), so it stays; no row shows a small count.
        assert not any(isinstance(v, (int, np.integer)) and 0 < v < 5 for v in table["Offences"])
        assert len(swale) == 1

    def test_headline_is_not_suppressed_when_the_total_is_large(self, small_sensitive):
        assert "Police recorded 36 offences" in small_sensitive.headline().text
        assert small_sensitive.shown_total == 36

    def test_the_secondary_cell_is_withheld_not_said_to_be_small(self, small_sensitive):
        # Four months of 2 under the shown total 36: one 7 goes too, and "fewer than 5" would be false for it.
        column = small_sensitive.monthly_table().frame["Violence and sexual offences"]
        assert (column == "fewer than 5").sum() == 4 and (column == "withheld").sum() == 1


def test_monitoring_withholds_a_quarter_over_a_hidden_month(tmp_path):
    areas = ("Sevenoaks", "Dover", "Thanet")
    counts = {(a, t): [40 + i % 7 for i in range(24)] for a in areas for t in ("Anti-social behaviour", "Drugs")}
    counts |= {(a, "Burglary"): [9] * 21 + [2, 9, 9] for a in areas}
    evidence = Evidence.load(None, "Sevenoaks", data_folder(tmp_path, counts))
    sensitive = replace(evidence.assessment, priorities=marked_sensitive(evidence.assessment, "serious_acquisitive"))
    page = MonitoringPage(RunContext(Evidence(sensitive, evidence.tables)), "", "2022-12-31")
    row = page.counts_table().frame.set_index("Priority").loc["Serious and acquisitive crime"]
    # October's 2 is hidden on the priority's page: the quarter, 20, would be it plus November and December.
    assert row.iloc[0] == "withheld"
    assert row.iloc[1] == "27 (change withheld: small numbers on a sensitive subject)"
    assert "p =" not in " ".join(map(str, row.iloc[2:])) and row["Change on the previous quarter"] == "withheld"
    assert "not shown: Serious and acquisitive crime" in page.counts_chart().alt


def partner_returns(tmp_path, rows) -> Evidence:
    folder = data_folder(tmp_path, {(a, "Burglary"): [9] * 24 for a in ("Sevenoaks", "Dover", "Thanet")})
    (folder / "partners").mkdir()
    pd.DataFrame(rows, columns=INDICATOR_COLUMNS).to_csv(folder / "partners" / "return.csv", index=False)
    return Evidence.load(None, "Sevenoaks", folder)


def test_partner_figures_of_any_unit_spelling_and_no_national_county_total(tmp_path):
    year = ("2022-01-01", "2022-12-31")
    evidence = partner_returns(
        tmp_path,
        [
            ("Stalking referrals", "domestic_abuse", "Sevenoaks", *year, 2, "Count", "PAS"),
            ("Repeat victims", "domestic_abuse", "Sevenoaks", *year, 3, "number", "Police"),
            ("Repeat victims", "domestic_abuse", "Dover", *year, 40, "number", "Police"),
            ("Repeat victims", "domestic_abuse", "Kent", *year, 43, "number", "Police"),
        ],
    )
    frame = PriorityPage(RunContext(evidence), "domestic_abuse").partner_figures()[0].frame
    # Beside Sevenoaks's own returns (params/areas/E07000111/partners), these of the data folder. A
    # county's figure in a file for every area is no more Sevenoaks's than Dover's: it is not shown
    # (and so cannot give Sevenoaks's 3 back as 43 less Dover's 40).
    frame = frame[frame["Indicator"].isin(["Stalking referrals", "Repeat victims"])]
    assert frame["Latest"].tolist() == ["fewer than 5", "fewer than 5"]
    assert "Kent" not in set(evidence.tables.indicators["area"])


def test_success_measure_of_a_small_partner_count(tmp_path):
    evidence = partner_returns(
        tmp_path,
        [
            ("Referrals", "domestic_abuse", "Sevenoaks", "2022-07-01", "2022-09-30", 2, "count", "DAVSS"),
            ("Referrals", "domestic_abuse", "Sevenoaks", "2022-10-01", "2022-12-31", 3, "count", "DAVSS"),
        ],
    )
    measure = MeasureModel(id="m", title="Referrals", target="fewer", kind="indicator_falls", indicator="Referrals")
    result = evaluate(
        measure,
        evidence.assessment,
        evidence.tables.counts,
        evidence.population,
        evidence.tables.indicators,
        evidence.assessment.months,
    )
    assert result.value == "fewer than 5" and result.status == "red"
    assert result.evidence.startswith("fewer than 5 against fewer than 5 in Jul 2022 to Sep 2022")


@pytest.mark.e2e
def test_nothing_identifying_reaches_a_page(default_run, kent_2022_files):
    """No Crime ID, street name or coordinate from the raw files appears in any page."""
    result, out = default_run
    assert result.returncode == 0, result.stderr
    pages = sorted(out.glob("*.html"))
    assert len(pages) == facts.page_count() + 2  # and index.html, glossary.html
    raw = pd.read_csv(kent_2022_files[0])
    sevenoaks = raw[raw["LSOA name"].str.startswith("Sevenoaks", na=False)]
    crime_ids = set(sevenoaks["Crime ID"].dropna())
    streets = set(sevenoaks["Location"].dropna()) - {"On or near ", "On or near"}
    coordinates = {f"{v:.6f}" for v in pd.concat([sevenoaks["Longitude"], sevenoaks["Latitude"]]).dropna()}
    assert crime_ids and streets and coordinates
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not any(c in text for c in crime_ids), page.name
        assert not any(s in text for s in streets), page.name
        assert not any(c in text for c in coordinates), page.name


@pytest.mark.e2e
def test_embedded_safeguarding_figures_are_suppressed(default_run):
    _, out = default_run
    text = re.sub(r"<[^>]+>", " ", (out / "40_safeguarding.html").read_text(encoding="utf-8"))
    # The plan's 2 trafficking offences, 4 CSE reports and 3 Prevent cases are all below 5.
    for indicator in ("Trafficking offences reported to police", "Child sexual exploitation reports"):
        assert re.search(re.escape(indicator) + r"\s+fewer than 5\s+Oct 2019 to Sep 2020", text)

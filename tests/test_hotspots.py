"""Hotspots, concentration and repeat locations: against second implementations, by seeded
simulation (an even-Poisson null and a planted hotspot), and on Kent's 2022 records."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from assess import hotspots, stats
from assess.changes import Change
from assess.config import PROJECT_ROOT
from assess.disclosure import NOT_SENSITIVE, CountRule
from assess.errors import InputError
from assess.hotspots import concentration, county_concentration, district_counts, find_hotspots, persistent

SENSITIVE = CountRule(threshold=5, sensitive=True)
YEAR_2022 = [f"2022-{m:02d}" for m in range(1, 13)]


def codes(n: int, prefix: str = "E01") -> list[str]:
    return [f"{prefix}{i:06d}" for i in range(n)]


def lsoa_table(areas: dict[str, list[str]]) -> pd.DataFrame:
    """A frame shaped as `Tables.lsoas`."""
    rows = [(code, f"{area} {i:03d}A", area, 5) for area, members in areas.items() for i, code in enumerate(members)]
    return pd.DataFrame(rows, columns=["lsoa_code", "lsoa_name", "area", "imd_decile"])


def count_rows(rows: list[tuple[str, str, str, str, int]]) -> pd.DataFrame:
    """A frame shaped as `Tables.lsoa_counts` from (area, lsoa_code, month, crime_type, count) tuples."""
    return pd.DataFrame(rows, columns=["area", "lsoa_code", "month", "crime_type", "count"])


def series(values, prefix: str = "E01") -> pd.Series:
    return pd.Series(values, index=pd.Index(codes(len(values), prefix), name="lsoa_code"), name="count")


# --- counts per LSOA ----------------------------------------------------------------------------


class TestDistrictCounts:
    LSOAS = lsoa_table({"Sevenoaks": ["E01000003", "E01000001", "E01000002"], "Dartford": ["E01000009"]})
    COUNTS = count_rows(
        [
            ("Sevenoaks", "E01000001", "2022-01", "Burglary", 4),
            ("Sevenoaks", "E01000001", "2022-02", "Burglary", 3),
            ("Sevenoaks", "E01000001", "2022-02", "Robbery", 2),
            ("Sevenoaks", "E01000003", "2022-01", "Robbery", 1),
            ("Sevenoaks", "E01000003", "2021-12", "Burglary", 50),  # outside the months
            ("Sevenoaks", "E01000003", "2022-01", "Drugs", 70),  # not the priority's type
            ("Dartford", "E01000009", "2022-01", "Burglary", 90),  # another district
        ]
    )

    def test_sums_the_priority_types_and_months_per_lsoa_with_zeros(self):
        counts = district_counts(self.COUNTS, self.LSOAS, "Sevenoaks", ["Burglary", "Robbery"], ["2022-01", "2022-02"])
        assert counts.to_dict() == {"E01000001": 9, "E01000002": 0, "E01000003": 1}
        assert counts.index.name == "lsoa_code" and counts.name == "count" and counts.dtype == "int64"

    def test_an_lsoa_the_lookup_places_elsewhere_is_refused(self):
        stray = pd.concat([self.COUNTS, count_rows([("Sevenoaks", "E01000009", "2022-01", "Burglary", 1)])])
        with pytest.raises(InputError, match="LSOA E01000009, which the LSOA lookup does not place in Sevenoaks"):
            district_counts(stray, self.LSOAS, "Sevenoaks", ["Burglary"], ["2022-01"])

    def test_a_district_without_lsoas_says_to_ingest_again(self):
        with pytest.raises(InputError, match="no LSOAs of Swale: re-run `assess ingest`"):
            district_counts(self.COUNTS, self.LSOAS, "Swale", ["Burglary"], ["2022-01"])

    def test_missing_columns_are_named(self):
        with pytest.raises(InputError, match="lack the column\\(s\\) crime_type"):
            district_counts(self.COUNTS.drop(columns="crime_type"), self.LSOAS, "Sevenoaks", ["Burglary"], ["2022-01"])


# --- the tests against second implementations ------------------------------------------------------


class TestAgainstSecondImplementations:
    COUNTS = np.array([0, 1, 3, 4, 4, 6, 7, 9, 12, 21, 2, 5])

    def test_the_poisson_tail_is_a_hand_sum(self):
        mean = self.COUNTS.mean()
        by_hand = [1 - sum(math.exp(-mean) * mean**j / math.factorial(j) for j in range(k)) for k in self.COUNTS]
        assert hotspots.even_spread_p_values(self.COUNTS) == pytest.approx(by_hand, rel=1e-9, abs=1e-12)

    def test_the_dispersion_test_is_scipys_chisquare(self):
        # chisquare's default expectation is the mean count: an even spread.
        reference = scipy_stats.chisquare(self.COUNTS)
        mine = hotspots.dispersion_test(self.COUNTS)
        assert (mine.statistic, mine.df, mine.p_value) == pytest.approx((reference.statistic, 11, reference.pvalue))

    def test_the_adjusted_p_values_are_statsmodels_benjamini_hochberg(self):
        multitest = pytest.importorskip("statsmodels.stats.multitest")
        result = find_hotspots(series(self.COUNTS), top=len(self.COUNTS))
        reference = multitest.multipletests(result.table["p_value"], alpha=0.05, method="fdr_bh")
        assert result.table["q_value"].to_numpy() == pytest.approx(reference[1])
        assert (result.table["hotspot"].to_numpy() == reference[0]).all()

    def test_vectorised_over_districts_as_for_one(self):
        rng = np.random.default_rng(3)
        districts = rng.poisson(6, (4, 30))
        together = hotspots.dispersion_test(districts)
        for row, statistic, p_value in zip(districts, together.statistic, together.p_value):
            alone = hotspots.dispersion_test(row)
            assert (statistic, p_value) == pytest.approx((alone.statistic, alone.p_value))
        assert hotspots.even_spread_p_values(districts)[2] == pytest.approx(hotspots.even_spread_p_values(districts[2]))


# --- hotspots -------------------------------------------------------------------------------------


class TestFindHotspots:
    def test_the_table_lists_the_busiest_with_their_figures(self):
        counts = series([5] * 40 + [30, 9, 9])
        result = find_hotspots(counts, top=3)
        table = result.table
        # 30 first; the two 9s tie and go by code.
        assert table["lsoa_code"].tolist() == ["E01000040", "E01000041", "E01000042"]
        assert table["rank"].tolist() == [1, 2, 3]
        assert result.total == 248 and result.lsoas == 43
        assert result.expected == pytest.approx(248 / 43)
        assert table["share"].iloc[0] == pytest.approx(30 / 248)
        assert table["ratio"].iloc[0] == pytest.approx(30 / (248 / 43))
        assert table["hotspot"].tolist() == [True, False, False]
        assert result.hotspots == 1
        assert result.dispersion_words().startswith("more uneven than chance (p < 0.001)")

    def test_the_row_order_of_the_input_does_not_matter(self):
        counts = series([3, 8, 8, 1, 8, 0, 2])
        shuffled = counts.sample(frac=1, random_state=5)
        pd.testing.assert_frame_equal(find_hotspots(counts, top=4).table, find_hotspots(shuffled, top=4).table)

    def test_hotspots_beyond_the_table_are_counted(self):
        result = find_hotspots(series([2] * 100 + [40] * 5), top=3)
        assert len(result.table) == 3 and result.hotspots == 5

    def test_an_even_spread_is_not_uneven(self):
        result = find_hotspots(series([7] * 20))
        assert result.hotspots == 0
        assert result.dispersion.statistic == 0 and result.dispersion.p_value == 1
        assert result.dispersion_words() == "could be chance (p = 1)"

    def test_a_district_with_no_records(self):
        result = find_hotspots(series([0] * 12), top=3)
        assert result.total == 0 and result.hotspots == 0 and result.dispersion is None
        assert result.table["p_value"].tolist() == [1.0, 1.0, 1.0]
        assert result.table["share"].isna().all()
        assert result.dispersion_words() == "not tested: no records"

    @pytest.mark.parametrize(
        ("counts", "kwargs", "message"),
        [
            (pd.Series(dtype=float), {}, "non-empty series"),
            (series([1, -2]), {}, "LSOA E01000001 has '-2'"),
            (series([1, 2.5]), {}, "LSOA E01000001 has '2.5'"),
            (pd.Series([1, 2], index=["E01", "E01"]), {}, "list LSOA E01 twice"),
            (series([1, 2]), {"alpha": 0}, "false discovery rate"),
            (series([1, 2]), {"top": 0}, "at least 1"),
        ],
    )
    def test_bad_input_is_one_line(self, counts, kwargs, message):
        with pytest.raises(InputError, match=message):
            find_hotspots(counts, **kwargs)


class TestYearOnYear:
    def test_each_listed_lsoa_has_its_previous_count_and_change(self):
        current, previous = series([2, 40, 11, 3]), series([2, 20, 12, 0])
        table = find_hotspots(current, previous=previous, top=2).table
        assert table["previous"].tolist() == [20, 12]
        assert table["change"].tolist() == [Change.of_counts(20, 40), Change.of_counts(12, 11)]
        assert table["change"].iloc[0].words() == "up 100% (20 to 40), more than chance (p = 0.013)"

    def test_previous_counts_over_other_lsoas_are_refused(self):
        with pytest.raises(InputError, match="no count for LSOA E01000002"):
            find_hotspots(series([1, 2, 3]), previous=series([1, 2]))


class TestDisclosure:
    def test_small_counts_and_what_gives_them_back_are_flagged(self):
        # Counts 1 to 4 are small under a threshold of 5.
        current = series([9, 7, 4, 0] + [6] * 10)
        previous = series([3, 8, 6, 0] + [6] * 10)
        table = find_hotspots(current, previous=previous, top=14, rule=SENSITIVE).table.set_index("lsoa_code")
        # The 4 is hidden; the rest are all listed, so nothing else need be.
        assert table.loc["E01000002", "hidden"] and not table.loc["E01000000", "hidden"]
        assert not table.loc["E01000003", "hidden"]  # zero identifies no one
        # A small count a year earlier withholds the change beside a count that is shown.
        assert table.loc["E01000000", "previous_hidden"] and table.loc["E01000000", "change"].withheld
        assert table.loc["E01000002", "change"].withheld and not table.loc["E01000001", "change"].withheld

    def test_nothing_is_hidden_on_a_subject_that_is_not_sensitive(self):
        result = find_hotspots(series([1, 2, 3, 30]), previous=series([1, 1, 1, 1]), rule=NOT_SENSITIVE)
        assert not result.table["hidden"].any() and not result.table["previous_hidden"].any()
        assert not result.total_withheld
        assert not concentration(series([1, 2, 3, 30])).curve_withheld

    def test_a_listed_count_is_withheld_where_the_rest_would_give_small_ones_back(self):
        # The table lists the three busiest; the rest hold 1 and 2: the (published) total less the
        # listed counts is a sum of small counts, so the smallest listed count is withheld too.
        small_rest = find_hotspots(series([30, 20, 10, 1, 2]), top=3, rule=SENSITIVE)
        assert small_rest.table["hidden"].tolist() == [False, False, True]
        assert not small_rest.total_withheld
        # A large count among the unlisted ones keeps the rest safe.
        assert not find_hotspots(series([30, 20, 10, 9, 2, 1]), top=3, rule=SENSITIVE).total_withheld
        # A small count listed beside one other: the total less the other would give it back, so
        # the other is withheld too.
        both = find_hotspots(series([30, 3]), top=2, rule=SENSITIVE)
        assert both.table["hidden"].all() and not both.total_withheld

    def test_the_published_total_less_the_listed_counts_never_gives_a_small_one_back(self):
        # A reviewer's case: ten listed, one more LSOA with 2 records, the rest none. The district's
        # total is on the page (its key figures), so the listed counts must not all be shown.
        counts = series([12, 10, 9, 8, 6, 5, 5, 5, 5, 5, 2] + [0] * 49)
        found = find_hotspots(counts, top=10, rule=SENSITIVE)
        listed = found.table.set_index("lsoa_code")
        not_shown = [*listed.loc[listed["hidden"], "count"], 2]
        assert listed["hidden"].sum() == 1 and not SENSITIVE.exposes(not_shown)
        assert not find_hotspots(counts, top=10, rule=NOT_SENSITIVE).table["hidden"].any()

    def test_concentration_over_a_small_count_is_withheld(self):
        busy_top = concentration(series([40, 30] + [2] * 10), rule=SENSITIVE)
        assert not busy_top.top_share_withheld and busy_top.curve_withheld
        small_top = concentration(series([4, 3] + [0] * 10), rule=SENSITIVE)
        assert small_top.top_share_withheld and small_top.curve_withheld
        assert not concentration(series([40, 30] + [0, 6] * 5), rule=SENSITIVE).curve_withheld


# --- concentration --------------------------------------------------------------------------------


class TestConcentration:
    @pytest.mark.parametrize(("lsoas", "top"), [(150, 15), (151, 16), (70, 7), (9, 1), (10, 1), (11, 2)])
    def test_the_top_group_is_a_tenth_rounded_up(self, lsoas, top):
        assert concentration(series(np.arange(lsoas))).top_lsoas == top

    def test_the_top_share_by_hand(self):
        counts = series([10, 0, 5, 3, 1, 1, 0, 2, 8, 20, 4])  # 11 LSOAs: the top 2 hold 30 of 54
        assert concentration(counts).top_share == pytest.approx(30 / 54)

    def test_gini_is_the_mean_absolute_difference_over_twice_the_mean(self):
        counts = np.random.default_rng(7).poisson(4, 60)
        mean_difference = np.abs(counts[:, None] - counts[None, :]).mean()
        assert concentration(series(counts)).gini == pytest.approx(mean_difference / (2 * counts.mean()))

    def test_gini_is_one_less_twice_the_area_under_the_lorenz_curve(self):
        result = concentration(series(np.random.default_rng(8).poisson(2, 45)))
        x, y = result.lorenz["lsoa_share"].to_numpy(), result.lorenz["record_share"].to_numpy()
        assert result.gini == pytest.approx(1 - 2 * np.trapezoid(y, x))
        assert (x[0], y[0], x[-1], y[-1]) == (0, 0, 1, 1) and (np.diff(y) >= 0).all()

    def test_the_extremes(self):
        assert concentration(series([5] * 8)).gini == pytest.approx(0)
        assert concentration(series([5] * 8)).top_share == pytest.approx(1 / 8)
        one_place = concentration(series([0] * 9 + [12]))
        assert one_place.gini == pytest.approx(9 / 10) and one_place.top_share == 1
        empty = concentration(series([0] * 5))
        assert empty.gini is None and empty.top_share is None and empty.lorenz.empty

    def test_the_county_pools_its_districts_lsoas(self):
        lsoas = lsoa_table({"Ashford": codes(3, "E01A"), "Dover": codes(4, "E01D")})
        rows = [("Ashford", c, "2022-01", "Burglary", n) for c, n in zip(codes(3, "E01A"), [9, 1, 0])]
        rows += [("Dover", c, "2022-01", "Burglary", n) for c, n in zip(codes(4, "E01D"), [2, 2, 30, 4])]
        county = county_concentration(count_rows(rows), lsoas, ["Ashford", "Dover"], ["Burglary"], ["2022-01"])
        alone = concentration(pd.Series([9, 1, 0, 2, 2, 30, 4]))
        assert (county.lsoas, county.total, county.top_share, county.gini) == (7, 48, alone.top_share, alone.gini)


# --- repeat locations ------------------------------------------------------------------------------


class TestPersistent:
    LSOAS = lsoa_table({"Dover": codes(20)})

    def rows(self, per_quarter: dict[str, list[int]], months=YEAR_2022) -> pd.DataFrame:
        """Counts per LSOA per quarter, each put in the quarter's first month."""
        quarters = [months[i] for i in range(len(months) % 3, len(months), 3)]
        background = [("Dover", c, m, "Burglary", 1) for c in codes(20) for m in quarters]
        planted = [
            ("Dover", code, month, "Burglary", n)
            for code, counts in per_quarter.items()
            for month, n in zip(quarters, counts)
            if n
        ]
        return count_rows(background + planted)

    def test_quarters_in_the_top_group_and_the_longest_run(self):
        # 20 LSOAs: the top group is 2. Every LSOA has 1 a quarter besides these; E01000011
        # pushes E01000005 out of the third quarter's top group.
        rows = self.rows({"E01000005": [9, 9, 0, 9], "E01000007": [8, 8, 8, 8], "E01000011": [5, 0, 6, 0]})
        table = persistent(rows, self.LSOAS, "Dover", ["Burglary"], YEAR_2022)
        assert table.columns.tolist() == ["lsoa_code", "quarters_in_top", "longest_run", "quarters"]
        assert table["lsoa_code"].tolist() == ["E01000007", "E01000005"]
        assert table["quarters_in_top"].tolist() == [4, 3]
        assert table["longest_run"].tolist() == [4, 2]
        assert table["quarters"].iloc[1] == ("January to March 2022", "April to June 2022", "October to December 2022")

    def test_ties_go_to_the_busier_lsoa_over_the_period_then_the_code(self):
        # In the third quarter E01000003 and E01000009 tie at 6 for the second place; E01000009
        # has more records over the year. E01000012 and E01000014 tie throughout: the code decides.
        rows = self.rows(
            {
                "E01000001": [20, 20, 20, 20],
                "E01000003": [0, 0, 6, 0],
                "E01000009": [0, 3, 6, 0],
                "E01000012": [4, 4, 0, 4],
                "E01000014": [4, 4, 0, 4],
            }
        )
        table = persistent(rows, self.LSOAS, "Dover", ["Burglary"], YEAR_2022, min_quarters=1)
        assert table.set_index("lsoa_code")["quarters_in_top"].to_dict() == {
            "E01000001": 4,
            "E01000012": 3,
            "E01000009": 1,
        }

    def test_an_lsoa_without_records_is_never_in_the_top_group(self):
        lsoas = lsoa_table({"Dover": codes(20)})
        rows = count_rows([("Dover", "E01000004", "2022-01", "Burglary", 3)])
        table = persistent(rows, lsoas, "Dover", ["Burglary"], YEAR_2022, min_quarters=1)
        assert table["lsoa_code"].tolist() == ["E01000004"]

    def test_quarters_count_back_from_the_last_month(self):
        months = [f"2021-{m:02d}" for m in (11, 12)] + YEAR_2022
        rows = self.rows({"E01000002": [9, 9, 9, 9]}, months)
        rows = pd.concat([rows, count_rows([("Dover", "E01000004", "2021-11", "Burglary", 50)])])
        table = persistent(rows, self.LSOAS, "Dover", ["Burglary"], months, min_quarters=1)
        # November and December 2021 make no whole quarter and are left out.
        assert "E01000004" not in table["lsoa_code"].tolist()
        assert table.iloc[0]["quarters"][0] == "January to March 2022"

    def test_a_period_too_short_lists_none(self):
        rows = self.rows({"E01000002": [9, 9]}, YEAR_2022[:6])
        assert persistent(rows, self.LSOAS, "Dover", ["Burglary"], YEAR_2022[:6]).empty

    def test_bad_quarters_are_one_line(self):
        with pytest.raises(InputError, match="whole number of at least 1"):
            persistent(self.rows({}), self.LSOAS, "Dover", ["Burglary"], YEAR_2022, min_quarters=0)


# --- seeded simulation ------------------------------------------------------------------------------

DISTRICTS, LSOAS_PER_DISTRICT, MEAN = 1000, 150, 8


@pytest.fixture(scope="module")
def null_districts() -> np.ndarray:
    """1,000 districts of 150 LSOAs, each LSOA's count Poisson with mean 8: no hotspots at all."""
    return np.random.default_rng(14).poisson(MEAN, (DISTRICTS, LSOAS_PER_DISTRICT))


class TestSimulation:
    def test_the_dispersion_test_rejects_an_even_spread_about_one_time_in_twenty(self, null_districts):
        rejected = (hotspots.dispersion_test(null_districts).p_value < 0.05).mean()
        # Measured 6.3% with this seed (4.9% over 20,000 districts); the Monte Carlo error is 0.7 points.
        assert 0.03 <= rejected <= 0.075

    def test_benjamini_hochberg_flags_a_null_district_at_most_alpha_of_the_time(self, null_districts):
        adjusted = stats.benjamini_hochberg(hotspots.even_spread_p_values(null_districts))
        any_flagged = (adjusted <= 0.05).any(axis=1).mean()
        # Under a null everywhere any flag is a false discovery, so this is the FDR: measured 4.2%
        # (3.2% over 20,000 districts; the Poisson tail's discreteness makes it conservative).
        assert any_flagged <= 0.05 + 2 * math.sqrt(0.05 * 0.95 / DISTRICTS)

    def test_a_planted_hotspot_at_three_times_the_mean_is_found_most_of_the_time(self, null_districts):
        rng = np.random.default_rng(15)
        planted = null_districts.copy()
        planted[:, 0] = rng.poisson(3 * MEAN, DISTRICTS)
        adjusted = stats.benjamini_hochberg(hotspots.even_spread_p_values(planted))
        found = (adjusted[:, 0] <= 0.05).mean()
        # Measured 81.6%: a count drawn at 3x the mean falls below the cut-off (about 18) one time in five.
        assert found >= 0.75
        assert (adjusted[:, 1:] <= 0.05).any(axis=1).mean() <= 0.065

    def test_find_hotspots_agrees_with_the_vectorised_tests(self, null_districts):
        for counts in null_districts[:20]:
            result = find_hotspots(series(counts), top=LSOAS_PER_DISTRICT)
            p_values = hotspots.even_spread_p_values(counts)
            by_code = result.table.set_index("lsoa_code")["p_value"].sort_index().to_numpy()
            assert by_code == pytest.approx(p_values)
            assert result.dispersion.p_value == pytest.approx(float(hotspots.dispersion_test(counts).p_value))

    def test_the_null_is_not_zero_concentration(self, null_districts):
        """An even spread with Poisson noise still has a top 10% holding more than 10% and a Gini above 0."""
        results = [concentration(series(counts)) for counts in null_districts[:300]]
        top_share = np.mean([r.top_share for r in results])
        gini = np.mean([r.gini for r in results])
        # Measured: a top-10% share of 16.6% and a Gini of 0.197 (1st-99th percentiles 15.4-17.9%, 0.176-0.224).
        assert top_share == pytest.approx(0.166, abs=0.005)
        assert gini == pytest.approx(0.197, abs=0.005)


# --- Kent's 2022 records -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kent_tables(kent_2022_files) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Kent's 2022 street records summed by LSOA, shaped as `Tables.lsoa_counts` and `Tables.lsoas`,
    and how many records fell in a Sevenoaks LSOA (counted from the records themselves)."""
    records = pd.concat(
        [pd.read_csv(f, usecols=["Month", "LSOA code", "Crime type"], dtype=str) for f in kent_2022_files]
    ).rename(columns={"Month": "month", "LSOA code": "lsoa_code", "Crime type": "crime_type"})
    lookup = pd.read_csv(PROJECT_ROOT / "data" / "lsoa_lookup.csv", dtype=str)
    districts = pd.read_csv(PROJECT_ROOT / "data" / "districts.csv", dtype=str)[["area_code", "area"]]
    lsoas = lookup.merge(districts, on="area_code").assign(imd_decile=np.nan)
    kent = lsoas[lsoas["area"].isin(["Sevenoaks", "Tonbridge and Malling", "Dartford"])]
    placed = records.merge(kent[["lsoa_code", "area"]], on="lsoa_code")
    lsoa_counts = placed.groupby(["area", "lsoa_code", "month", "crime_type"], as_index=False).size()
    sevenoaks = int((placed["area"] == "Sevenoaks").sum())
    return lsoa_counts.rename(columns={"size": "count"}), kent.drop(columns="area_code"), sevenoaks


class TestKent:
    ALL_TYPES = ["Anti-social behaviour", "Burglary", "Criminal damage and arson", "Shoplifting", "Other theft"]

    def test_sevenoaks_records_concentrate_more_than_chance(self, kent_tables):
        lsoa_counts, lsoas, sevenoaks_records = kent_tables
        every_type = lsoa_counts["crime_type"].unique()
        counts = district_counts(lsoa_counts, lsoas, "Sevenoaks", every_type, YEAR_2022)
        assert counts.sum() == sevenoaks_records
        assert len(counts) == (lsoas["area"] == "Sevenoaks").sum()
        result = find_hotspots(counts)
        assert result.dispersion.p_value < 1e-12 and result.hotspots >= 10
        spread = concentration(counts)
        county = county_concentration(
            lsoa_counts, lsoas, ["Sevenoaks", "Tonbridge and Malling", "Dartford"], every_type, YEAR_2022
        )
        # An even spread of these 8,957 records (121 per LSOA) would give about 12% and 0.05 by chance.
        assert spread.top_share > 0.25 and spread.gini > 0.3
        assert 0.2 < county.top_share < 0.6

    def test_the_busiest_lsoa_persists_through_the_year(self, kent_tables):
        lsoa_counts, lsoas, _ = kent_tables
        table = persistent(lsoa_counts, lsoas, "Sevenoaks", self.ALL_TYPES, YEAR_2022)
        busiest = district_counts(lsoa_counts, lsoas, "Sevenoaks", self.ALL_TYPES, YEAR_2022).idxmax()
        assert table.iloc[0]["lsoa_code"] == busiest
        assert table.iloc[0]["quarters_in_top"] == 4 and table.iloc[0]["longest_run"] == 4
        assert (table["quarters_in_top"] >= 3).all()

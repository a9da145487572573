"""The reference geography: every district, force and reorganisation, checked as a class, not case by case."""

from __future__ import annotations

import pandas as pd
import pytest

from assess.config import DEFAULT_DATA_DIR
from assess.data.geography import AREA_CODE_PATTERN, Geography
from assess.data.population import population_for, read_ons_mid_year_estimate, read_population
from conftest import SHARED_DATA

DISTRICTS = pd.read_csv(DEFAULT_DATA_DIR / "districts.csv", dtype=str)
CHANGES = pd.read_csv(DEFAULT_DATA_DIR / "district_changes.csv", dtype=str)
FORCES = pd.read_csv(DEFAULT_DATA_DIR / "forces.csv", dtype=str)


@pytest.fixture(scope="module")
def geography() -> Geography:
    return Geography.from_dir(DEFAULT_DATA_DIR)


@pytest.fixture(scope="module")
def imd() -> pd.DataFrame:
    return pd.read_excel(SHARED_DATA / "reference" / "imd2019-lsoa-file1.xlsx", sheet_name="IMD2019", engine="calamine")


class TestEveryDistrict:
    def test_each_name_leads_back_to_its_code(self, geography):
        wrong = {c: geography.code_for(geography.name(c)) for c in DISTRICTS["area_code"]}
        assert {c: found for c, found in wrong.items() if found != c} == {}

    def test_codes_are_ons_district_codes_and_unique(self):
        assert DISTRICTS["area_code"].str.fullmatch(AREA_CODE_PATTERN).all()
        assert DISTRICTS["area_code"].is_unique

    def test_every_district_has_a_listed_force_and_every_force_districts(self, geography):
        assert set(DISTRICTS["force"]) == set(FORCES["force"])
        assert all(geography.force(c) in set(FORCES["force"]) for c in DISTRICTS["area_code"])
        assert len(FORCES) == 43 and FORCES["force_code"].is_unique

    def test_force_codes_agree_with_the_force_table(self):
        joined = DISTRICTS.merge(FORCES, on="force", suffixes=("", "_listed"))
        assert len(joined) == len(DISTRICTS)
        assert (joined["force_code"] == joined["force_code_listed"]).all()

    def test_names_match_whatever_the_spelling(self, geography):
        for code in DISTRICTS["area_code"]:
            name = geography.name(code)
            for spelling in (name.upper(), name.lower().replace(" ", "-"), f"  {name}, ", code.lower()):
                assert geography.code_for(spelling) == code, spelling

    def test_unknown_text_is_none_and_unknown_code_is_its_own_name(self, geography):
        assert geography.code_for("Atlantis") is None
        assert geography.name("E07999999") == "E07999999"
        assert geography.force("E07999999") is None


class TestEveryReorganisation:
    def test_each_successor_has_the_force_of_its_predecessors(self, geography):
        for change in CHANGES.itertuples():
            assert geography.force(change.successor_code) == geography.force(change.predecessor_code)
            assert geography.force(change.successor_code) is not None

    def test_each_predecessor_becomes_its_successor_on_the_date(self, geography):
        for change in CHANGES.itertuples():
            year, month = int(change.effective[:4]), int(change.effective[5:7])
            before = f"{year}-{month - 1:02d}" if month > 1 else f"{year - 1}-12"
            assert geography.current(change.predecessor_code, before) == change.predecessor_code
            assert geography.current(change.predecessor_code, change.effective[:7]) == change.successor_code
            assert change.predecessor_code in geography.predecessors(change.successor_code)

    def test_successors_not_in_the_lookup_are_added_as_districts(self):
        assert {"E06000063", "E06000064", "E06000065", "E06000066"} <= set(DISTRICTS["area_code"])

    def test_every_code_in_the_changes_is_known_to_a_source(self, imd):
        # The curated table's codes, each found in an ONS or MHCLG file (or the DEFRA return,
        # which still uses the codes from before 2019).
        flytipping = pd.read_excel(
            SHARED_DATA / "partners" / "defra-flytipping-la-2012-13-to-2017-18.xlsx",
            sheet_name="LA_incidents",
            header=2,
            engine="calamine",
        )
        known = (
            set(imd["Local Authority District code (2019)"]) | set(DISTRICTS["area_code"]) | set(flytipping["ONS Code"])
        )
        assert set(CHANGES["predecessor_code"]) | set(CHANGES["successor_code"]) <= known

    def test_two_generations(self, geography):
        # Taunton Deane -> Somerset West and Taunton (2019) -> Somerset (2023).
        assert geography.current("E07000190", "2023-04") == "E06000066"
        assert "E07000190" in geography.predecessors("E06000066")


class TestLsoaLookup:
    def test_every_english_lsoa_is_placed_by_code(self, geography, imd):
        placed = geography.place(imd["LSOA code (2011)"], pd.Series([None] * len(imd)))
        assert (placed == imd["Local Authority District code (2019)"]).all()

    def test_every_lsoa_name_alone_places_it_in_its_district_of_today(self, geography, imd):
        # Without the code, the name's prefix (old names included) reaches the same district by 2023.
        placed = geography.place(pd.Series([None] * len(imd)), imd["LSOA name (2011)"])
        today = placed.map(lambda code: geography.current(code, "2023-04"))
        expected = imd["Local Authority District code (2019)"].map(lambda code: geography.current(code, "2023-04"))
        assert (today == expected).all()

    def test_welsh_and_2021_lsoas_fall_back_to_the_name(self, geography):
        placed = geography.place(
            pd.Series(["W01000001", "E01035309", None]),
            pd.Series(["Isle of Anglesey 001A", "Canterbury 012H", "Nowhere 001A"]),
        )
        assert placed.tolist()[:2] == ["W06000001", "E07000106"] and pd.isna(placed.iloc[2])


class TestForcesOfFallsWithin:
    def test_every_force_by_its_falls_within_its_name_and_its_id(self, geography):
        for row in FORCES.itertuples():
            for text in (*row.falls_within.split("|"), row.force, row.police_uk_id):
                assert geography.force_of_falls_within(text) == row.force, text

    @pytest.mark.parametrize(
        "text, force",
        [
            ("Devon and Cornwall Police", "Devon & Cornwall"),
            ("kent police", "Kent"),
            ("Metropolitan Police", "Metropolitan Police"),
            ("Avon & Somerset Constabulary", "Avon and Somerset"),
            ("Northumbria Police Service", "Northumbria"),
            ("Hampshire and Isle of Wight Constabulary", "Hampshire"),  # its name since 2022
        ],
    )
    def test_spelling_variants(self, geography, text, force):
        assert geography.force_of_falls_within(text) == force

    @pytest.mark.parametrize("text", ["British Transport Police", "Police Service of Northern Ireland", "Atlantis"])
    def test_forces_outside_the_workbook(self, geography, text):
        assert geography.force_of_falls_within(text) is None


@pytest.fixture(scope="module")
def table():
    return read_population(DEFAULT_DATA_DIR / "population.csv")


class TestPopulationOfSuccessors:
    def test_both_years_for_every_district_of_the_day(self, table):
        assert set(table["year"]) == {2019, 2020}
        assert table.groupby("year").size().to_dict() == {2019: 336, 2020: 331}

    def test_north_northamptonshire_2019_is_the_hand_sum_of_its_predecessors(self, table, geography):
        # Mid-2019 (MYE2, read as published): Corby, East Northamptonshire, Kettering, Wellingborough.
        hand = {"E07000150": 72_218, "E07000152": 94_527, "E07000153": 101_776, "E07000156": 79_707}
        raw = read_ons_mid_year_estimate(SHARED_DATA / "reference" / "ons-mye-mid2019-persons.xls", 2019)
        assert raw.set_index("area_code").loc[list(hand), "population"].to_dict() == hand
        assert "E06000061" not in set(raw["area_code"])
        only_2019 = table[table["year"] == 2019]
        chosen = population_for(only_2019, 2019, ["E06000061"], geography)
        assert chosen["E06000061"] == 348_228 == sum(hand.values())
        # With both years held, 2019 is still the sum (the nearest year), 2020 the own estimate.
        assert population_for(table, 2019, ["E06000061"], geography)["E06000061"] == 348_228
        assert population_for(table, 2020, ["E06000061"], geography).attrs["years"] == {"E06000061": 2020}

    def test_every_successor_has_a_population(self, table, geography):
        successors = sorted(set(CHANGES["successor_code"]))
        chosen = population_for(table, 2020, successors, geography)
        assert list(chosen.index) == successors
        for code in successors:
            own = table[(table["area_code"] == code) & (table["year"] == chosen.attrs["years"][code])]
            if own.empty:  # the sum of its direct predecessors' estimates of that year
                direct = CHANGES.loc[CHANGES["successor_code"] == code, "predecessor_code"]
                parts = population_for(table, chosen.attrs["years"][code], direct, geography)
                assert chosen[code] == parts.sum() and len(parts) == len(direct)

    def test_cumberland_is_the_sum_of_allerdale_carlisle_and_copeland(self, table, geography):
        chosen = population_for(table, 2020, ["E06000063", "E07000026", "E07000028", "E07000029"], geography)
        assert chosen["E06000063"] == chosen["E07000026"] + chosen["E07000028"] + chosen["E07000029"]
        assert chosen.attrs["years"]["E06000063"] == 2020

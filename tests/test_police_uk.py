"""The street-level reader: the real Kent files, each known quirk, and bad files."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pandas as pd
import pytest

from assess.config import DEFAULT_DATA_DIR
from assess.data.geography import Geography
from assess.data.police_uk import (
    NOT_PLACED_NO_LSOA,
    NOT_PLACED_OTHER_FORCE,
    NOT_PLACED_UNLISTED,
    read_street_files,
)
from assess.errors import InputError
from conftest import SHARED_DATA, street_row


@pytest.fixture(scope="module")
def geography() -> Geography:
    return Geography.from_dir(DEFAULT_DATA_DIR)


def totals(counts: pd.DataFrame) -> dict[str, int]:
    return counts.groupby("area")["count"].sum().to_dict()


@pytest.fixture(scope="module")
def ingested(kent_2022_files):
    return read_street_files(kent_2022_files, Geography.from_dir(DEFAULT_DATA_DIR))


class TestRealKentFiles:
    """All twelve 2022 files, checked against a count made another way."""

    def test_area_totals_match_an_independent_count(self, kent_2022_files, ingested):
        # The independent count: the csv module row by row, the LSOA -> district map read
        # straight from the IoD 2019 workbook with openpyxl, and the name prefix as fallback.
        imd = pd.read_excel(
            SHARED_DATA / "reference" / "imd2019-lsoa-file1.xlsx", sheet_name="IMD2019", engine="openpyxl"
        )
        kent_districts = {
            "Ashford",
            "Canterbury",
            "Dartford",
            "Dover",
            "Folkestone and Hythe",
            "Gravesham",
            "Maidstone",
            "Medway",
            "Sevenoaks",
            "Swale",
            "Thanet",
            "Tonbridge and Malling",
            "Tunbridge Wells",
        }
        district = dict(zip(imd["LSOA code (2011)"], imd["Local Authority District name (2019)"]))
        expected: Counter = Counter()
        for path in kent_2022_files:
            with open(path, newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    name = district.get(row["LSOA code"]) or re.sub(r" \d{3}[A-Z]$", "", row["LSOA name"])
                    name = {"Shepway": "Folkestone and Hythe"}.get(name, name)
                    if name in kent_districts:
                        expected[name] += 1
        counts, _ = ingested
        assert totals(counts) == dict(expected)
        assert sum(expected.values()) == 198_652

    def test_published_facts_of_the_files(self, ingested):
        counts, report = ingested
        assert report.total_rows == 200_945
        assert report.not_placed[NOT_PLACED_NO_LSOA] == 2_116
        assert totals(counts)["Sevenoaks"] == 8_959
        # Shepway (11,309) and Folkestone and Hythe (130) are one district.
        assert totals(counts)["Folkestone and Hythe"] == 11_439
        assert "Shepway" not in totals(counts)
        assert sorted(counts["month"].unique()) == [f"2022-{m:02d}" for m in range(1, 13)]
        assert counts["crime_type"].nunique() == 14
        assert report.duplicate_months == {}

    def test_rows_in_neighbouring_authorities_are_reported_not_counted(self, ingested):
        counts, report = ingested
        assert report.outside_areas["Bexley"] == 49
        assert report.not_placed[NOT_PLACED_OTHER_FORCE] == 172
        assert set(totals(counts)) == {
            "Ashford",
            "Canterbury",
            "Dartford",
            "Dover",
            "Folkestone and Hythe",
            "Gravesham",
            "Maidstone",
            "Medway",
            "Sevenoaks",
            "Swale",
            "Thanet",
            "Tonbridge and Malling",
            "Tunbridge Wells",
        }
        assert report.total_rows == sum(totals(counts).values()) + sum(report.not_placed.values())


class TestQuirks:
    """Each quirk of the real files, in a small hand-made file."""

    def test_asb_with_empty_crime_id_is_counted(self, write_street, geography):
        rows = [street_row(crime_type="Anti-social behaviour", crime_id="")] * 3 + [street_row()]
        counts, _ = read_street_files([write_street("a.csv", rows)], geography)
        by_type = counts.set_index("crime_type")["count"].to_dict()
        assert by_type == {"Anti-social behaviour": 3, "Burglary": 1}

    def test_rows_without_lsoa_are_reported(self, write_street, geography):
        rows = [street_row(), street_row(lsoa_code="", lsoa_name="")]
        counts, report = read_street_files([write_street("a.csv", rows)], geography)
        assert counts["count"].sum() == 1
        assert report.not_placed[NOT_PLACED_NO_LSOA] == 1

    def test_former_district_name_is_aliased(self, write_street, geography):
        # An LSOA code the lookup lacks, named with the district's former name.
        rows = [street_row(lsoa_code="E01999999", lsoa_name="Shepway 099Z")] * 2 + [street_row()]
        counts, _ = read_street_files([write_street("a.csv", rows)], geography)
        assert totals(counts) == {"Folkestone and Hythe": 2, "Sevenoaks": 1}

    def test_unknown_lsoa_code_falls_back_to_name_prefix(self, write_street, geography):
        rows = [street_row(lsoa_code="E01888888", lsoa_name="Sevenoaks 020X")] + [street_row()]
        counts, _ = read_street_files([write_street("a.csv", rows)], geography)
        assert totals(counts) == {"Sevenoaks": 2}

    def test_neighbouring_authority_rows_are_left_out(self, write_street, geography):
        rows = [street_row()] * 5 + [street_row(lsoa_code="E01000400", lsoa_name="Bexley 001A")]
        counts, report = read_street_files([write_street("a.csv", rows)], geography)
        assert totals(counts) == {"Sevenoaks": 5}
        assert report.not_placed[NOT_PLACED_OTHER_FORCE] == 1
        assert report.outside_areas == Counter({"Bexley": 1})

    def test_a_force_never_seen_works_without_a_lookup(self, write_street, geography):
        # Surrey LSOAs are not in the Kent lookup: the name prefix places them.
        rows = (
            [street_row(lsoa_code="E01030400", lsoa_name="Guildford 003B", force="Surrey Police")] * 4
            + [street_row(lsoa_code="E01030500", lsoa_name="Waverley 010A", force="Surrey Police")] * 3
            + [street_row(lsoa_code="E01024445", lsoa_name="Sevenoaks 001A", force="Surrey Police")]
        )
        counts, report = read_street_files([write_street("surrey.csv", rows)], geography)
        assert totals(counts) == {"Guildford": 4, "Waverley": 3}
        assert report.outside_areas == Counter({"Sevenoaks": 1})

    def test_stray_unlisted_name_is_not_made_an_area(self, write_street, geography):
        rows = [street_row()] * 300 + [street_row(lsoa_code="E01033000", lsoa_name="Suffolk Coastal 001A")]
        counts, report = read_street_files([write_street("a.csv", rows)], geography)
        assert totals(counts) == {"Sevenoaks": 300}
        assert report.not_placed[NOT_PLACED_UNLISTED] == 1

    def test_months_and_files_in_the_summary(self, write_street, geography):
        a = write_street("a.csv", [street_row(month="2022-01")])
        b = write_street("b.csv", [street_row(month="2022-02")] * 2)
        _, report = read_street_files([a, b], geography)
        assert report.months == {"a.csv": ["2022-01"], "b.csv": ["2022-02"]}
        text = "\n".join(report.summary_lines())
        assert "records read: 3" in text and "duplicate months across files: none" in text


class TestBadFiles:
    """Bad files are refused with one line naming the file and what to fix."""

    def refuse(self, paths, geography, *fragments):
        with pytest.raises(InputError) as caught:
            read_street_files(paths, geography)
        message = str(caught.value)
        assert "\n" not in message
        for fragment in fragments:
            assert fragment in message, message

    def test_missing_column(self, write_street, geography):
        columns = [c for c in street_row() if c != "LSOA code"]
        self.refuse([write_street("a.csv", [street_row()], columns)], geography, "a.csv", "missing column(s) LSOA code")

    def test_empty_file(self, tmp_path, geography):
        path = tmp_path / "empty.csv"
        path.write_bytes(b"")
        self.refuse([path], geography, "empty.csv", "empty")

    def test_header_only(self, write_street, geography):
        self.refuse([write_street("h.csv", [])], geography, "h.csv", "no records")

    def test_impossible_month(self, write_street, geography):
        rows = [street_row(), street_row(month="2022-13")]
        self.refuse([write_street("m.csv", rows)], geography, "m.csv", "row 3", "'2022-13'", "YYYY-MM")

    def test_unknown_crime_type(self, write_street, geography):
        rows = [street_row(crime_type="Fraud")]
        self.refuse([write_street("t.csv", rows)], geography, "t.csv", "row 2", "'Fraud'")

    def test_truncated_row(self, write_street, geography):
        path = write_street("cut.csv", [street_row()] * 3)
        text = path.read_text().rstrip("\n")
        path.write_text(text[: text.rfind(",")] + "\n")
        self.refuse([path], geography, "cut.csv", "wrong number of columns")

    def test_binary_garbage(self, tmp_path, geography):
        path = tmp_path / "junk.csv"
        path.write_bytes(bytes(range(256)) * 4)
        self.refuse([path], geography, "junk.csv")

    def test_wrong_encoding(self, write_street, geography):
        path = write_street("latin.csv", [street_row(lsoa_code="W01000001", lsoa_name="Ynys Mon 001A")])
        path.write_bytes(path.read_bytes().replace(b"Mon", "M\u00f4n".encode("latin-1")))
        self.refuse([path], geography, "latin.csv", "UTF-8")

    def test_duplicate_months_across_files(self, write_street, geography):
        a = write_street("a.csv", [street_row()])
        b = write_street("b.csv", [street_row()])
        self.refuse([a, b], geography, "b.csv", "2022-01", "a.csv")

    def test_no_files(self, geography):
        self.refuse([], geography, "no street-level files")

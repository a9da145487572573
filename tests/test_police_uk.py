"""The street-level reader: the real Kent files, each known quirk, and bad files."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pandas as pd
import pytest

from assess.config import DEFAULT_DATA_DIR
from assess.data.counts import read_counts, write_counts
from assess.data.geography import Geography
from assess.data.police_uk import (
    NOT_PLACED_NO_LSOA,
    NOT_PLACED_OTHER_FORCE,
    NOT_PLACED_UNKNOWN_LSOA,
    read_street_files,
)
from assess.errors import InputError
from conftest import SHARED_DATA, assess, street_row


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
        assert report.outside_areas["Kent"]["E09000004"] == 49  # Bexley
        # 172 in districts of other forces, and 5 in Pembrokeshire and Carmarthenshire (Welsh LSOAs).
        assert report.not_placed[NOT_PLACED_OTHER_FORCE] == 177
        assert report.not_placed[NOT_PLACED_UNKNOWN_LSOA] == 0
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
        assert report.outside_areas == {"Kent": Counter({"E09000004": 1})}
        assert "  left out, in districts of other forces: Bexley (E09000004) 1" in report.summary_lines()

    def test_a_name_that_names_no_district_is_reported(self, write_street, geography):
        rows = [street_row()] * 3 + [street_row(lsoa_code="E01999999", lsoa_name="Atlantis 001A")]
        counts, report = read_street_files([write_street("a.csv", rows)], geography)
        assert totals(counts) == {"Sevenoaks": 3}
        assert report.not_placed[NOT_PLACED_UNKNOWN_LSOA] == 1

    def test_months_and_files_in_the_summary(self, write_street, geography):
        a = write_street("a.csv", [street_row(month="2022-01")])
        b = write_street("b.csv", [street_row(month="2022-02")] * 2)
        _, report = read_street_files([a, b], geography)
        assert report.months == {"a.csv": ["2022-01"], "b.csv": ["2022-02"]}
        text = "\n".join(report.summary_lines())
        assert "records read: 3" in text and "duplicate months across files: none" in text


@pytest.fixture(scope="module")
def imd() -> pd.DataFrame:
    return pd.read_excel(SHARED_DATA / "reference" / "imd2019-lsoa-file1.xlsx", sheet_name="IMD2019", engine="calamine")


def rows_in(imd: pd.DataFrame, district: str, force: str, months, per_lsoa: int = 1, lsoas: int = 3) -> list[dict]:
    """Records in the first LSOAs of a district of the IoD 2019 file, as a force would file them."""
    lsoa = imd[imd["Local Authority District name (2019)"] == district].head(lsoas)
    assert len(lsoa) == lsoas, district
    return [
        street_row(month=month, lsoa_code=code, lsoa_name=name, force=force)
        for month in months
        for code, name in zip(lsoa["LSOA code (2011)"], lsoa["LSOA name (2011)"])
        for _ in range(per_lsoa)
    ]


class TestForces:
    """The home force comes from `Falls within`; each force keeps its own districts."""

    def test_another_force_is_placed_by_the_all_england_lookup(self, write_street, geography, imd):
        rows = rows_in(imd, "Guildford", "Surrey Police", ["2022-01"], 2) + rows_in(
            imd, "Sevenoaks", "Surrey Police", ["2022-01"]
        )
        counts, report = read_street_files([write_street("surrey.csv", rows)], geography)
        assert totals(counts) == {"Guildford": 6}
        assert set(counts["area_code"]) == {"E07000209"}
        assert report.outside_areas == {"Surrey": Counter({"E07000111": 3})}

    def test_several_forces_stay_apart(self, write_street, geography, imd):
        # Each force's records in the other's districts are left out, not pooled.
        kent = rows_in(imd, "Sevenoaks", "Kent Police", ["2022-01"]) + rows_in(
            imd, "Guildford", "Kent Police", ["2022-01"]
        )
        surrey = rows_in(imd, "Guildford", "Surrey Police", ["2022-01", "2022-03"])
        counts, report = read_street_files([write_street("k.csv", kent), write_street("s.csv", surrey)], geography)
        assert totals(counts) == {"Sevenoaks": 3, "Guildford": 6}
        assert report.outside_areas == {"Kent": Counter({"E07000209": 3})}
        assert report.gaps == {"Kent": [], "Surrey": ["2022-02"]}
        assert "Surrey: 2022-01 to 2022-03, 2 of 3 months; missing 2022-02" in report.summary_lines()

    @pytest.mark.parametrize("falls_within", ["Police Service of Northern Ireland", "British Transport Police", ""])
    def test_a_force_outside_the_workbook_is_one_line(self, write_street, geography, falls_within):
        rows = [street_row()] * 2 + [street_row(force=falls_within)]
        with pytest.raises(InputError) as caught:
            read_street_files([write_street("ni.csv", rows)], geography)
        message = str(caught.value)
        assert "\n" not in message and "ni.csv: row 4: 'Falls within'" in message
        assert "43 territorial police forces of England and Wales" in message

    def test_a_spelling_variant_of_the_force_is_accepted(self, write_street, geography):
        counts, report = read_street_files([write_street("a.csv", [street_row(force="KENT CONSTABULARY")])], geography)
        assert totals(counts) == {"Sevenoaks": 1} and report.forces == {"Kent"}


class TestReorganisations:
    """A force's districts are those of the last month ingested for it."""

    def test_buckinghamshire_takes_aylesbury_vale_and_wycombe(self, write_street, geography, imd):
        months = ["2020-02", "2020-03", "2020-04"]
        rows = rows_in(imd, "Aylesbury Vale", "Thames Valley Police", months) + rows_in(
            imd, "Wycombe", "Thames Valley Police", months
        )
        counts, report = read_street_files([write_street("tv.csv", rows)], geography)
        assert set(counts["area_code"]) == {"E06000060"} and totals(counts) == {"Buckinghamshire": 18}
        assert report.merged == {"Thames Valley": {"E06000060": ("E07000004", "E07000007")}}
        assert any("Buckinghamshire (E06000060) throughout" in line for line in report.summary_lines())

    def test_before_the_change_the_predecessors_stay(self, write_street, geography, imd):
        rows = rows_in(imd, "Aylesbury Vale", "Thames Valley Police", ["2020-03"])
        counts, _ = read_street_files([write_street("tv.csv", rows)], geography)
        assert set(counts["area_code"]) == {"E07000004"} and totals(counts) == {"Aylesbury Vale": 3}

    def test_corby_and_kettering_in_2022_are_north_northamptonshire(self, write_street, geography, imd):
        rows = rows_in(imd, "Corby", "Northamptonshire Police", ["2022-05"]) + rows_in(
            imd, "Kettering", "Northamptonshire Police", ["2022-05"]
        )
        counts, _ = read_street_files([write_street("n.csv", rows)], geography)
        assert totals(counts) == {"North Northamptonshire": 6}

    @pytest.mark.parametrize(
        "months, expected",
        [(["2022-11", "2022-12"], "Allerdale"), (["2022-12", "2023-05"], "Cumberland")],
    )
    def test_allerdale_follows_the_last_month(self, write_street, geography, imd, months, expected):
        rows = rows_in(imd, "Allerdale", "Cumbria Constabulary", months)
        counts, _ = read_street_files([write_street("c.csv", rows)], geography)
        assert totals(counts) == {expected: 6}


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

    @pytest.mark.parametrize(
        ("column", "value"), [("Longitude", "east"), ("Latitude", "91.5"), ("Longitude", "1e3"), ("Latitude", "51.2.3")]
    )
    def test_a_coordinate_that_is_not_decimal_degrees(self, write_street, geography, column, value):
        rows = [street_row(), street_row() | {column: value}]
        self.refuse([write_street("c.csv", rows)], geography, "c.csv", "row 3", f"'{column}'", repr(value))

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


class TestCountsTable:
    """The counts table joins by code: the reference name replaces the file's."""

    def write(self, tmp_path, text: str):
        path = tmp_path / "counts.csv"
        path.write_text(text)
        return path

    def test_reference_name_replaces_the_file_name_and_area_is_optional(self, tmp_path, geography):
        path = self.write(
            tmp_path,
            "area_code,area,month,crime_type,count\nE06000023,Bristol,2022-01,Burglary,5\n"
            "E07999999,Elsewhere,2022-01,Burglary,1\n",
        )
        assert read_counts(path, geography)["area"].tolist() == ["Bristol, City of", "Elsewhere"]
        path = self.write(tmp_path, "area_code,month,crime_type,count\ne07000111,2022-01,Drugs,3\n")
        assert read_counts(path, geography)[["area_code", "area"]].values.tolist() == [["E07000111", "Sevenoaks"]]

    @pytest.mark.parametrize(
        "row, fragment",
        [
            ("Sevenoaks,2022-01,Drugs,3", "'area_code' must be an ONS district code"),
            ("E01024445,2022-01,Drugs,3", "'area_code' must be an ONS district code"),
        ],
    )
    def test_bad_codes(self, tmp_path, geography, row, fragment):
        path = self.write(tmp_path, f"area_code,month,crime_type,count\n{row}\n")
        with pytest.raises(InputError, match=fragment):
            read_counts(path, geography)

    def test_one_code_twice_in_a_month_and_type(self, tmp_path, geography):
        path = self.write(
            tmp_path,
            "area_code,area,month,crime_type,count\nE06000023,Bristol,2022-01,Drugs,1\n"
            'E06000023,"Bristol, City of",2022-01,Drugs,2\n',
        )
        with pytest.raises(InputError, match="row 3"):
            read_counts(path, geography)

    def test_written_sorted_and_read_back(self, tmp_path, ingested):
        counts, _ = ingested
        write_counts(counts.sample(frac=1, random_state=1), tmp_path / "c.csv")
        assert read_counts(tmp_path / "c.csv").equals(counts)


class TestIngestCommand:
    def test_summary_areas_and_the_last_line(self, tmp_path, write_street, imd):
        rows = rows_in(imd, "Corby", "Northamptonshire Police", ["2022-01", "2022-03"])
        out = tmp_path / "counts.csv"
        result = assess("ingest", str(write_street("n.csv", rows)), "--out", str(out))
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert "Northamptonshire: 2022-01 to 2022-03, 2 of 3 months; missing 2022-02" in lines
        assert "  North Northamptonshire (E06000061): 6" in lines
        assert lines[-1] == f"wrote 2 rows for 1 area of 1 force to {out}"

    @pytest.mark.parametrize(
        "falls_within", ["Police Service of Northern Ireland", "British Transport Police", "Test Police"]
    )
    def test_an_unplaceable_force_is_one_line_and_nothing_is_written(self, tmp_path, write_street, falls_within):
        out = tmp_path / "counts.csv"
        path = write_street("elsewhere.csv", [street_row(), street_row(force=falls_within)])
        result = assess("ingest", str(path), "--out", str(out))
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == (
            f"assess: error: {path}: row 3: 'Falls within' must be a police force of England and Wales; the workbook "
            f"covers the 43 territorial police forces of England and Wales (data/forces.csv), not {falls_within!r}\n"
        )
        assert not out.exists() and list(tmp_path.iterdir()) == [path]

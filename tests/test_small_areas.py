"""The small-area tables: records per LSOA and each LSOA's mean point, written, read and carried to the run."""

from __future__ import annotations

import pandas as pd
import pytest

from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS
from assess.data.geography import Geography
from assess.data.police_uk import MIN_POINT_RECORDS, ingest_street_files
from assess.data.small_areas import read_lsoa_counts, read_lsoa_points, write_lsoa_counts, write_lsoa_points
from assess.errors import InputError
from assess.evidence import Evidence
from conftest import street_row

SEVENOAKS = "E07000111"


@pytest.fixture(scope="module")
def geography() -> Geography:
    return Geography.from_dir(DEFAULT_DATA_DIR)


def located(lsoa_code: str, lsoa_name: str, longitude: float, latitude: float, **fields) -> dict[str, str]:
    row = street_row(lsoa_code=lsoa_code, lsoa_name=lsoa_name, **fields)
    return row | {"Longitude": f"{longitude:.6f}", "Latitude": f"{latitude:.6f}"}


class TestIngest:
    def test_an_lsoa_of_fewer_than_ten_located_records_has_no_point(self, write_street, geography):
        lone = [located("E01024413", "Sevenoaks 016A", 0.2, 51.3)]
        many = [located("E01024414", "Sevenoaks 016B", 0.1 + i / 1000, 51.2 + i / 500) for i in range(10)]
        ingested = ingest_street_files([write_street("a.csv", lone + many)], geography)
        points = ingested.lsoa_points
        assert list(points["lsoa_code"]) == ["E01024414"]
        assert points["records"].iloc[0] == MIN_POINT_RECORDS
        # The mean of 0.100 ... 0.109 and of 51.200 ... 51.218, which is no record's own point.
        assert points["longitude"].iloc[0] == pytest.approx(0.1045, abs=1e-9)
        assert points["latitude"].iloc[0] == pytest.approx(51.209, abs=1e-9)
        assert set(ingested.lsoa_counts["lsoa_code"]) == {"E01024413", "E01024414"}

    def test_records_without_coordinates_count_but_move_no_point(self, write_street, geography):
        rows = [located("E01024414", "Sevenoaks 016B", 0.1, 51.2)] * 10
        rows += [street_row(lsoa_code="E01024414", lsoa_name="Sevenoaks 016B") | {"Longitude": "", "Latitude": ""}]
        ingested = ingest_street_files([write_street("a.csv", rows)], geography)
        assert ingested.lsoa_counts["count"].sum() == 11
        assert ingested.lsoa_points[["longitude", "latitude", "records"]].values.tolist() == [[0.1, 51.2, 10]]

    def test_a_record_placed_by_its_lsoa_name_alone_is_in_the_district_counts_only(self, write_street, geography):
        rows = [street_row(), street_row(lsoa_code="", lsoa_name="Sevenoaks 001A")]
        ingested = ingest_street_files([write_street("a.csv", rows)], geography)
        assert ingested.counts["count"].sum() == 2 and ingested.lsoa_counts["count"].sum() == 1
        assert ingested.report.placed_without_lsoa_code == 1
        assert any("LSOA name alone (no LSOA code): 1 " in line for line in ingested.report.summary_lines())

    def test_written_tables_read_back_and_are_byte_reproducible(self, write_street, geography, tmp_path):
        rows = [located("E01024414", "Sevenoaks 016B", 0.1 + i / 997, 51.2 + i / 991) for i in range(12)]
        rows += [street_row(month="2022-02", crime_type="Drugs"), street_row(lsoa_code="E01024413")]
        ingested = ingest_street_files([write_street("a.csv", rows)], geography)
        write_lsoa_counts(ingested.lsoa_counts, tmp_path / "lsoa_counts.csv")
        write_lsoa_points(ingested.lsoa_points, tmp_path / "lsoa_points.csv")
        counts = read_lsoa_counts(tmp_path / "lsoa_counts.csv", geography)
        pd.testing.assert_frame_equal(counts, ingested.lsoa_counts, check_dtype=False)
        points = read_lsoa_points(tmp_path / "lsoa_points.csv")
        pd.testing.assert_frame_equal(points, ingested.lsoa_points, check_dtype=False)
        first = {name: (tmp_path / name).read_bytes() for name in ("lsoa_counts.csv", "lsoa_points.csv")}
        again = ingest_street_files([write_street("a.csv", rows)], geography)
        write_lsoa_counts(again.lsoa_counts.sample(frac=1, random_state=1), tmp_path / "lsoa_counts.csv")
        write_lsoa_points(again.lsoa_points, tmp_path / "lsoa_points.csv")
        assert {name: (tmp_path / name).read_bytes() for name in first} == first
        assert b"\r" not in first["lsoa_counts.csv"]


class TestEmbeddedDefault:
    """The committed Kent 2022 tables against counts.csv and against the raw files."""

    def test_lsoa_counts_sum_to_the_district_counts(self):
        counts = pd.read_csv(DEFAULT_DATA_DIR / "counts.csv")
        lsoa = pd.read_csv(DEFAULT_DATA_DIR / "lsoa_counts.csv")
        key = ["area_code", "month", "crime_type"]
        # Every Kent 2022 record placed in a district carries an LSOA code, so nothing is left over.
        summed = lsoa.groupby(key)["count"].sum()
        pd.testing.assert_series_equal(summed, counts.set_index(key)["count"].sort_index(), check_names=False)

    def test_points_are_the_means_of_the_raw_records(self, kent_2022_files):
        points = pd.read_csv(DEFAULT_DATA_DIR / "lsoa_points.csv").set_index("lsoa_code")
        raw = pd.concat(
            pd.read_csv(path, usecols=["LSOA code", "Longitude", "Latitude"]) for path in kent_2022_files
        ).dropna()
        raw = raw[raw["LSOA code"].isin(points.index)]
        expected = raw.groupby("LSOA code").agg(
            longitude=("Longitude", "mean"), latitude=("Latitude", "mean"), records=("Longitude", "size")
        )
        expected = expected.reindex(points.index)
        assert (points["records"] == expected["records"]).all()
        half_a_micro_degree = 5e-7 + 1e-12  # rounded to six decimals
        assert (points["longitude"] - expected["longitude"]).abs().max() <= half_a_micro_degree
        assert (points["latitude"] - expected["latitude"]).abs().max() <= half_a_micro_degree
        assert points["records"].min() >= MIN_POINT_RECORDS

    def test_a_point_at_a_records_location_is_that_of_ten_or_more_records(self, kent_2022_files):
        # An LSOA whose records all sit at one snap point has that point as its mean: it is shared by
        # at least ten records, so it shows none of them; any other match would be one record's.
        points = pd.read_csv(DEFAULT_DATA_DIR / "lsoa_points.csv", dtype=str)
        columns = ["LSOA code", "Longitude", "Latitude"]
        raw = pd.concat(pd.read_csv(path, usecols=columns, dtype=str) for path in kent_2022_files).dropna()
        at_point = raw.groupby(["Longitude", "Latitude"]).size()
        matched = points.set_index(["longitude", "latitude"]).index.intersection(at_point.index)
        assert (at_point[matched] >= MIN_POINT_RECORDS).all()

    def test_the_run_has_every_lsoa_of_the_county_with_its_decile(self):
        tables = Evidence.load(DEFAULT_PARAMS).tables
        lookup = Geography.default().lsoas
        kent = lookup[lookup["area_code"].isin(pd.read_csv(DEFAULT_DATA_DIR / "counts.csv")["area_code"])]
        assert set(kent["lsoa_code"]) <= set(tables.lsoas["lsoa_code"])
        assert set(tables.lsoa_counts["lsoa_code"]) <= set(tables.lsoas["lsoa_code"])
        assert tables.lsoas.loc[tables.lsoas["lsoa_code"].isin(kent["lsoa_code"]), "imd_decile"].between(1, 10).all()
        assert list(tables.lsoa_counts.columns) == ["area", "lsoa_code", "month", "crime_type", "count"]
        assert set(tables.lsoa_points["area"]) == set(tables.counts["area"])
        assert {p.name for p in tables.files} >= {"lsoa_counts.csv", "lsoa_points.csv"}

    def test_a_folder_without_the_small_area_tables_gives_empty_ones(self, tmp_path):
        for name in ("counts.csv", "population.csv"):
            (tmp_path / name).write_bytes((DEFAULT_DATA_DIR / name).read_bytes())
        tables = Evidence.load(DEFAULT_PARAMS, data_dir=tmp_path).tables
        assert tables.lsoa_counts.empty and list(tables.lsoa_counts.columns) == [
            "area",
            "lsoa_code",
            "month",
            "crime_type",
            "count",
        ]
        assert tables.lsoa_points.empty
        assert list(tables.lsoa_points.columns) == ["lsoa_code", "area", "longitude", "latitude", "records"]
        assert not {p.name for p in tables.files} & {"lsoa_counts.csv", "lsoa_points.csv"}
        assert len(tables.lsoas) > 1000  # the lookup's LSOAs are there without any counts


def write_csv(path, text: str):
    path.write_text(text)
    return path


class TestReaders:
    def test_a_predecessors_lsoa_counts_are_its_successors(self, tmp_path, geography):
        # Aylesbury Vale merged into Buckinghamshire on 1 April 2020.
        path = write_csv(
            tmp_path / "lsoa_counts.csv",
            "area_code,lsoa_code,month,crime_type,count\n"
            "E07000004,E01017627,2020-03,Burglary,2\n"
            "E06000060,E01017627,2020-04,Burglary,3\n"
            "E07000004,E01017627,2020-04,Burglary,1\n",
        )
        counts = read_lsoa_counts(path, geography)
        assert counts.values.tolist() == [
            ["E06000060", "E01017627", "2020-03", "Burglary", 2],
            ["E06000060", "E01017627", "2020-04", "Burglary", 4],
        ]

    @pytest.mark.parametrize(
        ("row", "field"),
        [
            ("E07000111,E0102444,2022-01,Burglary,1", "'lsoa_code'"),
            ("E07000111,E01024445,2022-13,Burglary,1", "month"),
            ("E07000111,E01024445,2022-01,Burglary,-1", "'count'"),
            ("E07000111,E01024445,2022-01,Burgled,1", "crime type"),
            ("Sevenoaks,E01024445,2022-01,Burglary,1", "'area_code'"),
            ("E07000111,E01024445,2022-01,Drugs,1", "appears twice"),
        ],
    )
    def test_a_bad_count_row_is_one_line_naming_the_row(self, tmp_path, geography, row, field):
        path = write_csv(
            tmp_path / "lsoa_counts.csv",
            f"area_code,lsoa_code,month,crime_type,count\nE07000111,E01024445,2022-01,Drugs,1\n{row}\n",
        )
        with pytest.raises(InputError) as caught:
            read_lsoa_counts(path, geography)
        message = str(caught.value)
        assert "\n" not in message and str(path) in message and "row 3" in message and field in message

    @pytest.mark.parametrize(
        ("row", "field"),
        [
            ("E01024445,E07000111,200.0,51.2,12", "'longitude'"),
            ("E01024445,E07000111,0.1,north,12", "'latitude'"),
            ("E01024445,E07000111,0.1,51.2,3", "at least 10 records"),
            ("E01024413,E07000111,0.1,51.2,12", "appears twice"),
        ],
    )
    def test_a_bad_point_row_is_one_line_naming_the_row(self, tmp_path, row, field):
        path = write_csv(
            tmp_path / "lsoa_points.csv",
            f"lsoa_code,area_code,longitude,latitude,records\nE01024413,E07000111,0.2,51.3,40\n{row}\n",
        )
        with pytest.raises(InputError) as caught:
            read_lsoa_points(path)
        message = str(caught.value)
        assert "\n" not in message and str(path) in message and "row 3" in message and field in message

    def test_a_lookup_decile_outside_one_to_ten_is_refused(self, tmp_path):
        for name in ("districts.csv", "district_changes.csv", "forces.csv", "district_aliases.csv"):
            (tmp_path / name).write_bytes((DEFAULT_DATA_DIR / name).read_bytes())
        write_csv(
            tmp_path / "lsoa_lookup.csv",
            "lsoa_code,lsoa_name,area_code,imd_decile\n"
            "E01024413,Sevenoaks 016A,E07000111,5\n"
            "W01000001,Isle of Anglesey 001A,W06000001,\n"
            "E01024414,Sevenoaks 016B,E07000111,11\n",
        )
        with pytest.raises(InputError, match=r"lsoa_lookup.csv: row 4: column 'imd_decile' must be a whole number"):
            Geography.from_dir(tmp_path)

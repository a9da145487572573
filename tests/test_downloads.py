"""Downloads as they come: the zip archive data.police.uk serves, gzipped CSVs, folders; and bombs refused."""

from __future__ import annotations

import gzip
import shutil
import zipfile

import pytest

from assess.config import DEFAULT_DATA_DIR
from assess.data.downloads import MAX_RATIO, find_sources
from assess.data.geography import Geography
from assess.data.police_uk import read_street_files
from assess.errors import InputError
from conftest import KENT_DIR, SHARED_DATA

NORTHUMBRIA_DIR = SHARED_DATA / "police-uk" / "northumbria"
MONTHS = ("2022-01", "2022-02", "2022-03")


@pytest.fixture(scope="module")
def geography() -> Geography:
    return Geography.from_dir(DEFAULT_DATA_DIR)


def real_lines(month: str, count: int) -> bytes:
    """The header and the first `count` records of a real Kent month."""
    with open(KENT_DIR / f"{month}-kent-street.csv", "rb") as handle:
        return b"".join(handle.readline() for _ in range(count + 1))


@pytest.fixture
def archive(tmp_path):
    """A zip laid out as data.police.uk serves it: a folder per month, street, outcomes and stop-and-search."""
    if not KENT_DIR.is_dir():
        pytest.skip(f"the shared Kent files are not at {KENT_DIR}")
    path = tmp_path / "kent-download.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        for month in MONTHS:
            zipped.writestr(f"{month}/{month}-kent-street.csv", real_lines(month, 300))
            zipped.writestr(f"{month}/{month}-kent-outcomes.csv", b"Crime ID,Month\n")
            zipped.writestr(f"{month}/{month}-kent-stop-and-search.csv", b"Type,Date\n")
    return path


def test_archive_reads_street_members_and_skips_the_others(archive, geography):
    counts, report = read_street_files([archive], geography)
    assert sorted(report.rows_read) == [f"{m}-kent-street.csv" for m in MONTHS]
    assert report.total_rows == 900
    assert report.skipped == {"outcomes": 3, "stop-and-search": 3}
    assert "files skipped (not street-level crime): 3 outcomes, 3 stop-and-search" in report.summary_lines()
    assert report.force_months == {"Kent": list(MONTHS)}


def test_archive_plain_files_and_folders_give_the_same_counts(archive, tmp_path, geography):
    from_zip, _ = read_street_files([archive], geography)
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(folder)
    from_folder, _ = read_street_files([folder], geography)
    plain = sorted(folder.rglob("*-street.csv"))
    gzipped = []
    for path in plain:
        target = tmp_path / f"{path.name}.gz"
        with open(path, "rb") as source, gzip.open(target, "wb") as packed:
            shutil.copyfileobj(source, packed)
        gzipped.append(target)
    from_plain, _ = read_street_files(plain, geography)
    from_gz, _ = read_street_files(gzipped, geography)
    for other in (from_folder, from_plain, from_gz):
        assert other.equals(from_zip)


def test_the_real_northumbria_gz_folder(geography):
    if not NORTHUMBRIA_DIR.is_dir():
        pytest.skip(f"the shared Northumbria files are not at {NORTHUMBRIA_DIR}")
    counts, report = read_street_files([NORTHUMBRIA_DIR], geography)
    assert report.total_rows == 524_070
    assert report.gaps == {"Northumbria": ["2022-01"]}
    assert "Northumbria: 2020-05 to 2023-02, 33 of 34 months; missing 2022-01" in report.summary_lines()
    assert set(counts["area"]) == {
        "Gateshead",
        "Newcastle upon Tyne",
        "North Tyneside",
        "Northumberland",
        "South Tyneside",
        "Sunderland",
    }
    assert report.outside_areas["Northumbria"]["E06000047"] == 330  # County Durham
    assert counts["count"].sum() + sum(report.not_placed.values()) == report.total_rows


class TestRefused:
    def refuse(self, paths, *fragments):
        with pytest.raises(InputError) as caught:
            find_sources(paths)
        message = str(caught.value)
        assert "\n" not in message
        for fragment in fragments:
            assert fragment in message, message

    def test_a_member_that_unpacks_far_beyond_its_size(self, tmp_path):
        path = tmp_path / "bomb.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
            zipped.writestr("2022-01/2022-01-kent-street.csv", b"0" * (MAX_RATIO * 1_000))
        self.refuse([path], "bomb.zip:2022-01/2022-01-kent-street.csv", "times its packed size")

    def test_a_gzip_bomb_stops_while_read(self, tmp_path, geography):
        path = tmp_path / "2022-01-kent-street.csv.gz"
        with gzip.open(path, "wb") as packed:
            packed.write(real_lines("2022-01", 5) + b"\n" * 5_000_000)
        with pytest.raises(InputError, match="unpacks to more than"):
            read_street_files([path], geography)

    def test_an_archive_without_street_files(self, tmp_path):
        path = tmp_path / "outcomes.zip"
        with zipfile.ZipFile(path, "w") as zipped:
            zipped.writestr("2022-01/2022-01-kent-outcomes.csv", b"Crime ID\n")
        self.refuse([path], "outcomes.zip", "no *-street.csv files")

    def test_a_folder_without_street_files(self, tmp_path):
        (tmp_path / "notes.txt").write_text("hello")
        self.refuse([tmp_path], "no *-street.csv files")

    def test_a_missing_path(self, tmp_path):
        self.refuse([tmp_path / "nowhere.zip"], "nowhere.zip", "file not found")

    def test_a_truncated_gzip(self, tmp_path, geography):
        path = tmp_path / "2022-01-kent-street.csv.gz"
        path.write_bytes(gzip.compress(real_lines("2022-01", 200))[:-300])
        with pytest.raises(InputError, match="cannot be unpacked"):
            read_street_files([path], geography)


def test_a_zip_made_again_on_a_mac_with_gzipped_members_reads_the_same(archive, tmp_path, geography):
    # Unpacked, some months gzipped, zipped again by macOS (its __MACOSX/ and ._ files beside them).
    remade = tmp_path / "remade.zip"
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(remade, "w") as zipped:
        for member in original.namelist():
            data = original.read(member)
            if member.startswith("2022-02/") and member.endswith("-street.csv"):
                zipped.writestr(f"download/{member}.gz", gzip.compress(data))
            else:
                zipped.writestr(f"download/{member}", data)
            zipped.writestr(f"__MACOSX/download/{member.replace('/', '/._')}", b"\x00\x05\x16\x07 resource fork")
        zipped.writestr("download/.DS_Store", b"\x00\x00\x00\x01Bud1")
    expected, _ = read_street_files([archive], geography)
    counts, report = read_street_files([remade], geography)
    assert counts.equals(expected)
    assert report.total_rows == 900 and "2022-02-kent-street.csv" in report.rows_read


def test_a_zip_of_something_else_in_the_download_folder_is_passed_over(archive, tmp_path, geography):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(archive, folder / "kent.zip")
    with zipfile.ZipFile(folder / "boundaries.zip", "w") as zipped:
        zipped.writestr("lsoa.geojson", b"{}")
    counts, report = read_street_files([folder], geography)
    assert report.total_rows == 900
    assert report.skipped["archive without street-level files"] == 1
    with pytest.raises(InputError, match="boundaries.zip: no \\*-street.csv files in this archive"):
        read_street_files([folder / "boundaries.zip"], geography)  # named on its own, it is a mistake

"""Partner returns: CSV and spreadsheets read, malformed ones refused with one clear line."""

from __future__ import annotations

import shutil

import openpyxl
import pandas as pd
import pytest

from assess.data.indicators import INDICATOR_COLUMNS, partner_files, read_indicator_files, read_indicators
from assess.errors import InputError
from conftest import SHARED_DATA

PRIORITIES = ["asb", "domestic_abuse", "safeguarding"]
GOOD = ["DAVSS referrals", "domestic_abuse", "Sevenoaks", "2020-07-01", "2020-09-30", "274", "count", "DAVSS"]


def write_csv(path, rows, columns=INDICATOR_COLUMNS):
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)
    return path


def refused(path, *fragments, priorities=PRIORITIES):
    with pytest.raises(InputError) as caught:
        read_indicators(path, priorities)
    message = str(caught.value)
    assert "\n" not in message and path.name in message
    for fragment in fragments:
        assert fragment in message, message


class TestReadIndicators:
    def test_csv(self, tmp_path):
        table = read_indicators(write_csv(tmp_path / "r.csv", [GOOD]), PRIORITIES)
        row = table.iloc[0]
        assert row["value"] == 274.0 and row["period_start"] == pd.Timestamp("2020-07-01")
        assert row["file"] == "r.csv"

    def test_xlsx_with_title_rows_above_the_header(self, tmp_path):
        path = tmp_path / "return.xlsx"
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["DAVSS quarterly return"])
        sheet.append([])
        sheet.append(INDICATOR_COLUMNS)
        sheet.append(
            [
                "DAVSS referrals",
                "domestic_abuse",
                "Sevenoaks",
                pd.Timestamp("2020-07-01").to_pydatetime(),
                pd.Timestamp("2020-09-30").to_pydatetime(),
                274,
                "count",
                "DAVSS",
            ]
        )
        book.save(path)
        table = read_indicators(path, PRIORITIES)
        assert table.iloc[0]["period_end"] == pd.Timestamp("2020-09-30") and table.iloc[0]["value"] == 274

    def test_xlsx_error_names_the_spreadsheet_row(self, tmp_path):
        path = tmp_path / "return.xlsx"
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["Title"])
        sheet.append(INDICATOR_COLUMNS)
        sheet.append(GOOD[:5] + ["lots", "count", "DAVSS"])
        book.save(path)
        refused(path, "row 3", "'lots'")

    def test_legacy_xls_is_read(self, tmp_path):
        # A real legacy .xls (the ONS workbook) is opened; it is not a partner return, so it is refused.
        source = SHARED_DATA / "reference" / "ons-mye-mid2020-persons.xls"
        if not source.is_file():
            pytest.skip("shared data not available")
        path = tmp_path / "ons.xls"
        shutil.copyfile(source, path)
        refused(path, "no header row with the columns")

    def test_corrupt_spreadsheet(self, tmp_path):
        path = tmp_path / "broken.xlsx"
        path.write_bytes(b"PK\x03\x04 this is not really a workbook" * 10)
        refused(path, "not a readable spreadsheet")

    def test_other_file_type(self, tmp_path):
        path = tmp_path / "notes.txt"
        path.write_text("hello")
        refused(path, ".csv, .xlsx or .xls")


class TestRefusedRows:
    @pytest.mark.parametrize(
        "column, value, fragments",
        [
            ("period_start", "2020-13-01", ["period_start", "YYYY-MM-DD"]),
            ("period_end", "30/09/2020", ["period_end", "YYYY-MM-DD"]),
            ("value", "many", ["'value' must be a number"]),
            ("value", "-3", ["whole number 0 or more"]),
            ("value", "2.5", ["whole number 0 or more"]),
            ("priority", "fraud", ["unknown priority 'fraud'"]),
            ("area", "", ["'area' is empty"]),
        ],
    )
    def test_bad_value(self, tmp_path, column, value, fragments):
        row = dict(zip(INDICATOR_COLUMNS, GOOD))
        row[column] = value
        path = write_csv(tmp_path / "bad.csv", [GOOD, list(row.values())])
        refused(path, "row 3", *fragments)

    def test_period_backwards(self, tmp_path):
        row = GOOD[:3] + ["2020-09-30", "2020-07-01"] + GOOD[5:]
        refused(write_csv(tmp_path / "b.csv", [row]), "row 2", "before period_start")

    def test_percent_over_100(self, tmp_path):
        row = GOOD[:5] + ["140", "percent", "MARAC"]
        refused(write_csv(tmp_path / "p.csv", [row]), "between 0 and 100")

    def test_negative_rate(self, tmp_path):
        row = GOOD[:5] + ["-1.5", "rate per 1,000", "x"]
        refused(write_csv(tmp_path / "n.csv", [row]), "must not be negative")

    def test_missing_column(self, tmp_path):
        path = write_csv(tmp_path / "m.csv", [GOOD[:-1]], INDICATOR_COLUMNS[:-1])
        refused(path, "missing column(s) source")

    def test_header_only(self, tmp_path):
        refused(write_csv(tmp_path / "h.csv", []), "header only")

    def test_empty_file(self, tmp_path):
        path = tmp_path / "e.csv"
        path.write_text("")
        refused(path, "empty")


class TestFolder:
    def test_no_folder_is_no_returns(self, tmp_path):
        assert read_indicator_files(partner_files(tmp_path / "partners"), PRIORITIES).empty

    def test_same_figure_in_two_files_is_refused(self, tmp_path):
        write_csv(tmp_path / "a.csv", [GOOD])
        write_csv(tmp_path / "b.csv", [GOOD])
        with pytest.raises(InputError, match=r"given twice \(in a.csv, b.csv\)"):
            read_indicator_files(partner_files(tmp_path), PRIORITIES)

    def test_the_embedded_returns(self):
        from assess.config import DEFAULT_AREAS_DIR, DEFAULT_DATA_DIR

        table = read_indicator_files(partner_files(DEFAULT_DATA_DIR / "partners"))
        # Sevenoaks's own returns are its own: in its folder, not among the national ones.
        assert not table["file"].str.contains("sevenoaks").any()
        own = read_indicator_files(partner_files(DEFAULT_AREAS_DIR / "E07000111" / "partners"))
        davss = own[own["indicator"] == "DAVSS referrals"].sort_values("period_start")
        # The plan's quarterly DAVSS table: 234, 204, 203, 274 (total 915).
        assert davss["value"].tolist() == [234, 204, 203, 274] and davss["value"].sum() == 915
        sevenoaks_flytipping = table[
            (table["indicator"] == "Fly-tipping incidents (DEFRA)") & (table["area"] == "Sevenoaks")
        ]
        # SOURCES.md: Sevenoaks 355, 544, 729, 883, 930, 852 over the six years.
        assert sevenoaks_flytipping.sort_values("period_start")["value"].tolist() == [355, 544, 729, 883, 930, 852]

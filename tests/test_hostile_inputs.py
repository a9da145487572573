"""Hostile inputs (issue 9): numbers and files that cannot be right are refused at read time.

Each refusal is one line naming the file, the row (header = row 1) or field, and what to
fix; through the CLI it is `assess: error: ...` with exit status 2 and no traceback. No
input may take unbounded time or memory: the giant files here are sparse or zipped, so
each test is quick, and the memory a read takes is measured in a fresh process.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from assess.cli import main
from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS
from assess.data.counts import read_counts
from assess.data.geography import Geography
from assess.data.indicators import INDICATOR_COLUMNS, read_indicators
from assess.data.police_uk import STREET_COLUMNS, read_street_files
from assess.data.spreadsheets import MAX_SPREADSHEET_BYTES, MAX_UNPACKED_BYTES
from assess.data.tables import MAX_LINE_BYTES, MAX_TABLE_BYTES, SPREADSHEET_ERRORS
from assess.errors import ConfigError, InputError
from assess.params_file import MAX_PARAMS_BYTES, MAX_YAML_DEPTH, load_yaml
from conftest import street_row

GOOD_COUNTS = (DEFAULT_DATA_DIR / "counts.csv").read_text().splitlines()
DOVER = "E07000108,Dover"  # the first two cells of a counts row: area code and name
GEOGRAPHY = Geography.from_dir(DEFAULT_DATA_DIR)
PARTNER_ROW = ["DAVSS referrals", "domestic_abuse", "Sevenoaks", "2020-07-01", "2020-09-30", "274", "count", "DAVSS"]
# Excel writes these as error cells (t="e"); the newer #SPILL! and #CALC! reach a file as text.
EXCEL_ERROR_CELLS = sorted(openpyxl.cell.cell.ERROR_CODES)
COUNT_RULE = "must be a whole number 0 or more (at most 1,000,000,000)"
POPULATION_RULE = "must be a whole number of residents from 1,000 to 100,000,000"
FIX_FORMULA = "fix the formula and save again"


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path):
    """A copy of the shipped data and parameters, the parameters pointing at the copied data."""
    data, params = tmp_path / "data", tmp_path / "params"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    shutil.copytree(DEFAULT_PARAMS.parent, params)
    settings = yaml.safe_load((params / "assessment.yaml").read_text())
    settings["data_dir"] = str(data)
    (params / "assessment.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    return data, params


def run_refused(workspace, capsys) -> str:
    """Run the assessment, check it is refused in one line with exit status 2, return the message."""
    data, params = workspace
    out = params.parent / "out"
    status = main(["run", "--params", str(params / "assessment.yaml"), "--out", str(out)])
    error = capsys.readouterr().err
    assert status == 2, error
    assert error.startswith("assess: error: ") and error.endswith("\n") and error.count("\n") == 1, error
    assert "Traceback" not in error
    assert not out.exists()
    return error.removeprefix("assess: error: ").rstrip("\n")


def replace_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV (row numbered as a spreadsheet numbers it: the header is row 1)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = value
    frame.to_csv(path, index=False)


def refused(reader, path: Path, *args) -> str:
    with pytest.raises(InputError) as caught:
        reader(path, *args)
    message = str(caught.value)
    assert "\n" not in message
    return message


def partner_csv(path: Path, value: str, unit: str = "count") -> Path:
    pd.DataFrame([PARTNER_ROW[:5] + [value, unit, "DAVSS"]], columns=INDICATOR_COLUMNS).to_csv(path, index=False)
    return path


def partner_book(path: Path, cell: str, value: object) -> Path:
    """A partner return: a title, the header in row 3, data in rows 4 to 9, then `cell` set to `value`."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DAVSS quarterly return"])
    sheet.append([])
    sheet.append(INDICATOR_COLUMNS)
    for quarter in range(6):
        sheet.append(PARTNER_ROW[:3] + [f"20{20 + quarter}-07-01", f"20{20 + quarter}-09-30", 274, "count", "DAVSS"])
    sheet[cell] = value
    book.save(path)
    return path


def rewrite_sheet(path: Path, old: str, new: str) -> None:
    """Edit the first sheet's XML inside an .xlsx, as Excel would have written it."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    assert old in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(old, new).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


def sparse_file(path: Path, size: int, start: bytes = b"") -> Path:
    """A file of `size` bytes, `start` then zeros, taking no disk space: one line without line breaks."""
    path.write_bytes(start)
    os.truncate(path, size)
    return path


def street_csv(rows: list[dict[str, str]], separator: str = ",", quote_all: bool = False, bom: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(STREET_COLUMNS)
    writer.writerows([row[c] for c in STREET_COLUMNS] for row in rows)
    text = buffer.getvalue()
    if separator != ",":
        text = text.replace('","', f'"{separator}"') if quote_all else text.replace(",", separator)
    return ("\ufeff" if bom else "") + text


# --- 1. counts beyond any real figure, and non-finite values ----------------------------------


@pytest.mark.parametrize(
    "count",
    [
        "99999999999999999999",  # beyond int64: silently overflowed before
        "18446744073709551616",  # beyond uint64
        "1000000001",  # just above the stated maximum
        "1e400",  # a float too large to hold
        "inf",
        "-inf",
        "nan",
    ],
)
def test_count_that_cannot_be_right(workspace, capsys, count):
    data, _ = workspace
    (data / "counts.csv").write_text("\n".join(GOOD_COUNTS[:50] + [f"{DOVER},2023-01,Drugs,{count}"]) + "\n")
    message = run_refused(workspace, capsys)
    infinite = " (not a finite number)" if count in ("1e400", "inf", "-inf") else ""
    assert message == f"{data / 'counts.csv'}: row 51: column 'count' {COUNT_RULE}, not {count!r}{infinite}"


def test_count_at_the_maximum_is_read(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("\n".join(GOOD_COUNTS[:3] + [f"{DOVER},2023-01,Drugs,1000000000"]) + "\n")
    assert read_counts(path)["count"].iloc[-1] == 10**9


def test_a_count_of_thousands_of_digits_is_refused_in_a_short_line(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("\n".join(GOOD_COUNTS[:3] + [f"{DOVER},2023-01,Drugs," + "9" * 5000]) + "\n")
    message = refused(read_counts, path)
    assert message == f"{path}: row 4: column 'count' {COUNT_RULE}, not '{'9' * 40}...'"


@pytest.mark.parametrize(
    "value, unit, expected",
    [
        ("inf", "rate per 1,000", "column 'value' must be a number, not 'inf' (not a finite number)"),
        ("-inf", "rate per 1,000", "column 'value' must be a number, not '-inf' (not a finite number)"),
        ("1e400", "percent", "column 'value' must be a number, not '1e400' (not a finite number)"),
        ("nan", "rate per 1,000", "column 'value' must be a number, not 'nan'"),
        ("NaN", "count", "column 'value' must be a number, not 'NaN'"),
        ("1e10", "count", f"a count {COUNT_RULE}, not 1e+10"),
        ("99999999999999999999", "count", f"a count {COUNT_RULE}, not 1e+20"),
    ],
)
def test_partner_value_that_cannot_be_right(tmp_path, value, unit, expected):
    path = partner_csv(tmp_path / "return.csv", value, unit)
    assert refused(read_indicators, path) == f"{path}: row 2: {expected}"


def test_partner_spreadsheet_value_too_large_to_hold(tmp_path):
    path = partner_book(tmp_path / "return.xlsx", "F7", 5)
    rewrite_sheet(path, '<c r="F7" t="n"><v>5</v></c>', '<c r="F7" t="n"><v>1e400</v></c>')
    assert refused(read_indicators, path) == (
        f"{path}: row 7: column 'value' must be a number, not 'inf' (not a finite number)"
    )


# --- 1b. area codes: every row is joined by its ONS code (issue 12) ------------------------------

AREA_CODE_RULE = "'area_code' must be an ONS district code such as E07000111"


@pytest.mark.parametrize(
    "code, expected",
    [
        ("E0700011", f"{AREA_CODE_RULE}, not 'E0700011'"),  # a digit short
        ("Sevenoaks", f"{AREA_CODE_RULE}, not 'Sevenoaks'"),  # the name in the code's column
        ("E01024445", f"{AREA_CODE_RULE}, not 'E01024445'"),  # an LSOA, not a district
        ("", "column 'area_code' is empty"),
    ],
)
def test_area_code_that_cannot_be_right(workspace, capsys, code, expected):
    data, _ = workspace
    (data / "counts.csv").write_text("\n".join(GOOD_COUNTS[:50] + [f"{code},Dover,2023-01,Drugs,3"]) + "\n")
    assert run_refused(workspace, capsys) == f"{data / 'counts.csv'}: row 51: {expected}"


def test_area_code_is_shown_as_written(workspace, capsys):
    data, _ = workspace
    replace_cell(data / "population.csv", 3, "area_code", " e0600001 ")
    assert run_refused(workspace, capsys) == f"{data / 'population.csv'}: row 3: {AREA_CODE_RULE}, not 'e0600001'"


@pytest.mark.parametrize(
    "rows, name, codes",
    [
        # A code the reference lacks keeps the file's name, here a name the reference gives E07000111.
        (
            ["E07000111,Sevenoaks,2023-01,Drugs,5", "E07000999,Sevenoaks,2023-01,Drugs,3"],
            "Sevenoaks",
            "E07000111 and E07000999",
        ),
        (
            ["E07000998,Elsewhere,2023-01,Drugs,3", "E07000999,Elsewhere,2023-01,Drugs,4"],
            "Elsewhere",
            "E07000998 and E07000999",
        ),
    ],
)
def test_one_name_for_two_codes_is_refused(workspace, capsys, rows, name, codes):
    data, _ = workspace
    (data / "counts.csv").write_text("\n".join(GOOD_COUNTS[:50] + rows) + "\n")
    assert run_refused(workspace, capsys) == (
        f"{data / 'counts.csv'}: the name {name!r} is given to {codes}; give each area code its own name"
    )


def test_counts_without_names_take_the_reference_names(tmp_path):
    shipped = read_counts(DEFAULT_DATA_DIR / "counts.csv")
    path = tmp_path / "counts.csv"
    pd.read_csv(DEFAULT_DATA_DIR / "counts.csv", dtype=str).drop(columns="area").to_csv(path, index=False)
    assert read_counts(path).equals(shipped)
    assert sorted(shipped["area"].unique()) == sorted(GEOGRAPHY.name(code) for code in shipped["area_code"].unique())


# --- 2. populations -----------------------------------------------------------------------------


@pytest.mark.parametrize("population", ["inf", "nan", "1e999", "-1e999", "0", "-5", "999", "121387.5", "200000000"])
def test_population_that_cannot_be_right(workspace, capsys, population):
    data, _ = workspace
    replace_cell(data / "population.csv", 2, "population", population)
    message = run_refused(workspace, capsys)
    infinite = " (not a finite number)" if "e999" in population or population == "inf" else ""
    assert message == (
        f"{data / 'population.csv'}: row 2: column 'population' {POPULATION_RULE}, not {population!r}{infinite}"
    )


@pytest.mark.parametrize("year", ["2020.5", "1e30", "99999999999999999999", "1066"])
def test_population_year_that_cannot_be_right(workspace, capsys, year):
    data, _ = workspace
    replace_cell(data / "population.csv", 3, "year", year)
    message = run_refused(workspace, capsys)
    assert message == (
        f"{data / 'population.csv'}: row 3: column 'year' must be a year from 1900 to 2100, such as 2020, not {year!r}"
    )


@pytest.mark.parametrize("weight", ["inf", "1e999", "nan"])
def test_harm_weight_that_is_not_finite(workspace, capsys, weight):
    data, _ = workspace
    replace_cell(data / "harm_weights.csv", 2, "weight", weight)
    message = run_refused(workspace, capsys)
    infinite = " (not a finite number)" if weight != "nan" else ""
    assert message == (
        f"{data / 'harm_weights.csv'}: row 2: column 'weight' must be a number above 0, not {weight!r}{infinite}"
    )


# --- 3. spreadsheet error values ---------------------------------------------------------------


@pytest.mark.parametrize("error", sorted(SPREADSHEET_ERRORS - {"#GETTING_DATA"}))
def test_spreadsheet_error_in_a_count(workspace, capsys, error):
    data, _ = workspace
    (data / "counts.csv").write_text("\n".join(GOOD_COUNTS[:50] + [f"{DOVER},2023-01,Drugs,{error}"]) + "\n")
    message = run_refused(workspace, capsys)
    assert message == (
        f"{data / 'counts.csv'}: row 51: column 'count' holds the spreadsheet error {error}; {FIX_FORMULA}"
    )


@pytest.mark.parametrize(
    "file, row, column, error",
    [
        ("population.csv", 2, "population", "#N/A"),
        ("population.csv", 4, "year", "#VALUE!"),
        ("harm_weights.csv", 3, "weight", "#NUM!"),
        ("counts.csv", 7, "area_code", "#REF!"),  # text columns too: an exported lookup that failed
        ("counts.csv", 7, "area", "#REF!"),  # even the optional name, which the reference replaces
    ],
)
def test_spreadsheet_error_in_any_table(workspace, capsys, file, row, column, error):
    data, _ = workspace
    replace_cell(data / file, row, column, error)
    message = run_refused(workspace, capsys)
    assert message == f"{data / file}: row {row}: column '{column}' holds the spreadsheet error {error}; {FIX_FORMULA}"


def test_spreadsheet_error_in_a_partner_csv(tmp_path):
    path = partner_csv(tmp_path / "return.csv", " #div/0! ")
    assert refused(read_indicators, path) == (
        f"{path}: row 2: column 'value' holds the spreadsheet error #DIV/0!; {FIX_FORMULA}"
    )


def test_calamine_reads_an_error_cell_as_empty(tmp_path):
    # Why the error is looked up again with openpyxl: calamine gives no trace of it.
    path = partner_book(tmp_path / "return.xlsx", "F7", "#DIV/0!")
    raw = pd.read_excel(path, header=None, dtype=object, engine="calamine")
    assert pd.isna(raw.iloc[6, 5]) and raw.iloc[5, 5] == 274


@pytest.mark.parametrize("error", EXCEL_ERROR_CELLS)
def test_error_cell_in_a_partner_spreadsheet(tmp_path, error):
    path = partner_book(tmp_path / "return.xlsx", "F7", error)
    with zipfile.ZipFile(path) as archive:
        assert f'<c r="F7" t="e"><v>{error}</v></c>' in archive.read("xl/worksheets/sheet1.xml").decode()
    assert refused(read_indicators, path) == (
        f"{path}: row 7: column 'value' holds the spreadsheet error {error}; {FIX_FORMULA}"
    )


@pytest.mark.parametrize("error", ["#SPILL!", "#CALC!"])
def test_newer_error_as_text_in_a_partner_spreadsheet(tmp_path, error):
    path = partner_book(tmp_path / "return.xlsx", "F5", error)
    assert refused(read_indicators, path) == (
        f"{path}: row 5: column 'value' holds the spreadsheet error {error}; {FIX_FORMULA}"
    )


def test_formula_with_a_cached_error_through_the_cli(workspace, capsys):
    # What Excel saves for =A1/0: the formula and its result, an error.
    data, _ = workspace
    path = partner_book(data / "partners" / "x.xlsx", "F7", "=1/0")
    rewrite_sheet(path, '<c r="F7"><f>1/0</f><v /></c>', '<c r="F7" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    message = run_refused(workspace, capsys)
    assert message == f"{path}: row 7: column 'value' holds the spreadsheet error #DIV/0!; {FIX_FORMULA}"


def test_error_cell_outside_the_value_column(tmp_path):
    path = partner_book(tmp_path / "return.xlsx", "E8", "#REF!")
    assert refused(read_indicators, path) == (
        f"{path}: row 8: column 'period_end' holds the spreadsheet error #REF!; {FIX_FORMULA}"
    )


def test_truly_empty_cell_is_still_called_empty(tmp_path):
    path = partner_book(tmp_path / "return.xlsx", "F7", None)
    assert refused(read_indicators, path) == f"{path}: row 7: column 'value' is empty"


# --- 4. parameters files -----------------------------------------------------------------------


def yaml_refused(path: Path, text: str) -> str:
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_yaml(path)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_duplicated_key_through_the_cli(workspace, capsys):
    _, params = workspace
    path = params / "assessment.yaml"
    lines = path.read_text().splitlines()
    first = next(n for n, line in enumerate(lines, start=1) if line.startswith("area:"))
    path.write_text("\n".join(lines + ["area: Dover"]) + "\n")
    message = run_refused(workspace, capsys)
    assert message == (
        f"{path}: line {len(lines) + 1}: key 'area' is given twice in the same mapping "
        f"(first on line {first}); keep one"
    )


def test_duplicated_nested_key(tmp_path):
    path = tmp_path / "assessment.yaml"
    message = yaml_refused(path, "area: Sevenoaks\nscoring:\n  draws: 500\n  seed: 1\n  draws: 200\n")
    assert message == f"{path}: line 5: key 'draws' is given twice in the same mapping (first on line 3); keep one"


def test_merge_key_may_be_overridden(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("base: &base {draws: 500, seed: 1}\nscoring:\n  <<: *base\n  draws: 200\n")
    assert load_yaml(path)["scoring"] == {"draws": 200, "seed": 1}


@pytest.mark.parametrize(
    "text, line",
    [
        ("area: " + "[" * 100_000 + "]" * 100_000 + "\n", 1),
        ("area: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n", 1),
        ("- " * 100_000 + "x\n", 1),
        ("".join("  " * level + f"k{level}:\n" for level in range(60)) + "  " * 60 + "x: 1\n", MAX_YAML_DEPTH),
    ],
)
def test_nesting_too_deep(tmp_path, text, line):
    path = tmp_path / "deep.yaml"
    started = time.perf_counter()
    message = yaml_refused(path, text)
    assert message == (
        f"{path}: line {line}: nested more than {MAX_YAML_DEPTH} levels deep; a parameters file needs a few"
    )
    assert time.perf_counter() - started < 2


def test_billion_laughs(tmp_path):
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 10)]
    path = tmp_path / "laughs.yaml"
    started = time.perf_counter()
    message = yaml_refused(path, "\n".join(levels) + "\n")
    assert message == (
        f"{path}: line 6: with its aliases (*name) expanded the file holds more than 1,000,000 "
        "values; write the settings out instead"
    )
    assert time.perf_counter() - started < 2


def test_a_few_aliases_are_fine(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("types: &t [Drugs, Robbery]\nasb: {crime_types: *t}\nviolence: {crime_types: *t}\n")
    assert load_yaml(path)["violence"] == {"crime_types": ["Drugs", "Robbery"]}


def test_parameters_file_too_large_is_refused_before_parsing(tmp_path):
    path = sparse_file(tmp_path / "assessment.yaml", 2 * 2**30, b"area: Sevenoaks\n")
    started = time.perf_counter()
    with pytest.raises(ConfigError) as caught:
        load_yaml(path)
    message = str(caught.value)
    assert message == f"{path}: larger than 8 MB; a parameters file is a few KB, is it the right file?"
    assert time.perf_counter() - started < 2


def test_parameters_file_at_the_limit_is_read(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("area: Sevenoaks\n" + "#" * (MAX_PARAMS_BYTES - 17) + "\n")
    assert load_yaml(path) == {"area": "Sevenoaks"}


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2022-02-30", "'2022-02-30' cannot be read as a date; correct it"),
        ("2022-13-01", "'2022-13-01' cannot be read as a date; correct it"),
        ("9" * 5000, f"'{'9' * 40}...' cannot be read as a whole number; correct it"),
        ("!!int many", "'many' cannot be read as a whole number; correct it"),
        ("!!bool maybe", "'maybe' cannot be read as true or false; correct it"),
        ("!!timestamp soon", "'soon' cannot be read as a date; correct it"),
        ("99999999999999999999", "'99999999999999999999' is too large for any setting; check the number"),
        (".inf", "'.inf' is not a finite number; write a number"),
        ("-.Inf", "'-.Inf' is not a finite number; write a number"),
        (".nan", "'.nan' is not a finite number; write a number"),
        ("1.0e+400", "'1.0e+400' is not a finite number; write a number"),
    ],
)
def test_value_that_cannot_be_right(tmp_path, value, expected):
    path = tmp_path / "p.yaml"
    assert yaml_refused(path, f"area: Sevenoaks\nsetting: {value}\n") == f"{path}: line 2: {expected}"


def test_infinite_weight_through_the_cli(workspace, capsys):
    _, params = workspace
    path = params / "assessment.yaml"
    settings = yaml.safe_load(path.read_text())
    settings["scoring"]["weights"]["harm"] = float("inf")
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    line = next(n for n, row in enumerate(path.read_text().splitlines(), start=1) if row.strip() == "harm: .inf")
    assert run_refused(workspace, capsys) == f"{path}: line {line}: '.inf' is not a finite number; write a number"


# --- 5. street-level headers that differ only in spelling --------------------------------------

ROWS = [street_row(), street_row(month="2022-02", crime_type="Drugs"), street_row(crime_type="Drugs")]
EXPECTED = [
    ("E07000111", "Sevenoaks", "2022-01", "Burglary", 1),
    ("E07000111", "Sevenoaks", "2022-01", "Drugs", 1),
    ("E07000111", "Sevenoaks", "2022-02", "Drugs", 1),
]


@pytest.mark.parametrize(
    "text",
    [
        street_csv(ROWS, separator=", "),  # spaces after every comma
        street_csv(ROWS, separator=",  \t"),  # and tabs
        street_csv(ROWS, bom=True),  # Excel's CSV UTF-8
        street_csv(ROWS, quote_all=True),  # quoted names and values
        street_csv(ROWS, separator=", ", quote_all=True),  # "Crime ID", "Month", ...
        street_csv(ROWS, separator=", ", bom=True).replace("\n", "\r\n"),
    ],
    ids=["spaces", "tabs", "bom", "quoted", "quoted-spaces", "bom-spaces-crlf"],
)
def test_street_header_variants_are_read(tmp_path, text):
    path = tmp_path / "2022-01-kent-street.csv"
    path.write_text(text, encoding="utf-8")
    counts, report = read_street_files([path], GEOGRAPHY)
    assert list(counts.itertuples(index=False, name=None)) == EXPECTED
    assert report.rows_read[path.name] == 3 and report.months[path.name] == ["2022-01", "2022-02"]


def test_street_header_name_beyond_the_csv_module_limit(tmp_path):
    path = tmp_path / "odd-street.csv"
    path.write_text(",".join(STREET_COLUMNS) + ",Notes" + "x" * 200_000 + "\n")
    message = refused(lambda p: read_street_files([p], GEOGRAPHY), path)
    assert message == (
        f"{path}: line 1 is not a header row (field larger than field limit (131072)); "
        "expected a data.police.uk street-level CSV"
    )


# --- 6. bounded time and memory on giant files -------------------------------------------------

TWO_GB = 2 * 2**30


def test_street_file_without_line_breaks_through_the_cli(tmp_path, capsys):
    path = sparse_file(tmp_path / "2022-01-kent-street.csv", TWO_GB)
    started = time.perf_counter()
    status = main(["ingest", str(path), "--out", str(tmp_path / "counts.csv")])
    error = capsys.readouterr().err
    assert status == 2 and "Traceback" not in error
    assert error == f"assess: error: {path}: line 1 is longer than 1 MB; not a CSV table\n"
    assert time.perf_counter() - started < 2


def test_street_file_with_a_giant_second_line(tmp_path):
    path = sparse_file(tmp_path / "2022-01-kent-street.csv", TWO_GB, (",".join(STREET_COLUMNS) + "\n").encode())
    started = time.perf_counter()
    message = refused(lambda p: read_street_files([p], GEOGRAPHY), path)
    assert message == f"{path}: a row is longer than 1 MB; not a data.police.uk street-level CSV"
    assert time.perf_counter() - started < 2


def test_table_larger_than_any_real_one(workspace, capsys):
    data, _ = workspace
    path = sparse_file(data / "counts.csv", TWO_GB, (GOOD_COUNTS[0] + "\n").encode())
    assert run_refused(workspace, capsys) == (
        f"{path}: the file is larger than the {MAX_TABLE_BYTES // 2**20} MB a table may be; is it the right file?"
    )


@pytest.mark.parametrize(
    "file, start, line",
    [
        ("counts.csv", "\n".join(GOOD_COUNTS[:3]) + "\n", 4),
        ("population.csv", "area_code,area,year,population\r", 2),  # old Mac line endings
        ("partners/big.csv", ",".join(INDICATOR_COLUMNS) + "\r\n" + ",".join(PARTNER_ROW) + "\r\n", 3),
    ],
)
def test_over_long_line_in_a_table(workspace, capsys, file, start, line):
    data, _ = workspace
    path = sparse_file(data / file, 50 * 2**20, start.encode())
    started = time.perf_counter()
    assert run_refused(workspace, capsys) == f"{path}: line {line} is longer than 1 MB; not a CSV table"
    assert time.perf_counter() - started < 2


def test_line_at_the_limit_is_read(tmp_path):
    path = tmp_path / "return.csv"
    source = "x" * (MAX_LINE_BYTES - len(",".join(PARTNER_ROW)))
    path.write_text(",".join(INDICATOR_COLUMNS) + "\n" + ",".join(PARTNER_ROW[:-1] + [PARTNER_ROW[-1] + source]) + "\n")
    assert len(path.read_bytes().splitlines()[1]) == MAX_LINE_BYTES
    assert read_indicators(path)["value"].tolist() == [274]


def zip_bomb(path: Path, unpacked: int) -> Path:
    """A real partner workbook whose sheet repeats one row until it unpacks to `unpacked` bytes."""
    partner_book(path, "A1", "indicator")
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts.pop("xl/worksheets/sheet1.xml").decode()
    head, tail = sheet[: sheet.index("</sheetData>")].encode(), sheet[sheet.index("</sheetData>") :].encode()
    row = b"<row>" + b"".join(b'<c t="n"><v>274</v></c>' for _ in range(8)) + b"</row>"
    block = row * (2**20 // len(row))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(head)
            for _ in range(unpacked // len(block)):
                member.write(block)
            member.write(tail)
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return zip_bomb(tmp_path_factory.mktemp("bomb") / "return.xlsx", 3 * MAX_UNPACKED_BYTES)


def test_zip_bomb_is_refused_before_it_is_opened(bomb, workspace, capsys):
    data, _ = workspace
    path = data / "partners" / bomb.name
    shutil.copyfile(bomb, path)
    assert path.stat().st_size < 2 * 2**20
    started = time.perf_counter()
    message = run_refused(workspace, capsys)
    assert message == f"{path}: unpacks to more than the 100 MB a workbook may; not a partner return"
    assert time.perf_counter() - started < 2


def test_highly_compressed_part_is_refused(tmp_path):
    path = zip_bomb(tmp_path / "return.xlsx", 8 * 2**20)
    message = refused(read_indicators, path)
    assert message.startswith(f"{path}: part 'xl/worksheets/sheet1.xml' shrank ")
    assert message.endswith(" times when zipped, more than the 100 a real workbook may; not a partner return")


def test_part_that_unpacks_beyond_its_declared_size(tmp_path):
    # The archive's directory says 1,000 bytes; the part really unpacks to 8 MB.
    path = tmp_path / "return.xlsx"
    partner_book(path, "A1", "indicator")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.xml", b"<x/>" * 2**21)
        archive.filelist[-1].file_size = 1_000
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/media/padding.xml").file_size == 1_000
    assert refused(read_indicators, path) == (
        f"{path}: not a readable spreadsheet (BadZipFile); save it again as .xlsx"
    )


@pytest.mark.parametrize("name", ["return.xlsx", "return.xls"])
def test_spreadsheet_larger_than_a_partner_return(tmp_path, name):
    path = sparse_file(tmp_path / name, MAX_SPREADSHEET_BYTES + 1, b"PK\x03\x04" if name.endswith("x") else b"")
    assert refused(read_indicators, path) == (
        f"{path}: the file is larger than the 20 MB a partner return may be; send only the indicator rows"
    )


MEASURE = """
import json, resource, sys
from pathlib import Path
from assess.data.geography import Geography
from assess.data.counts import read_counts
from assess.data.indicators import read_indicators
from assess.data.police_uk import read_street_files
from assess.errors import InputError

reader, path = sys.argv[1], Path(sys.argv[2])
geography = Geography.from_dir(Path(sys.argv[3]))
read = {"counts": read_counts, "indicators": read_indicators,
        "street": lambda p: read_street_files([p], geography)}[reader]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read(path)
    message = None
except InputError as error:
    message = str(error)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"message": message, "grown_kb": grown}))
"""


@pytest.mark.parametrize(
    "reader, name, start",
    [
        ("street", "2022-01-kent-street.csv", b""),
        ("street", "2022-02-kent-street.csv", (",".join(STREET_COLUMNS) + "\n").encode()),
        ("counts", "counts.csv", b"area_code,area,month,crime_type,count\n"),
        ("indicators", "return.csv", b""),
        ("indicators", "return.xlsx", None),
    ],
)
def test_refusing_a_giant_file_takes_little_memory(tmp_path, bomb, reader, name, start):
    path = shutil.copyfile(bomb, tmp_path / name) if start is None else sparse_file(tmp_path / name, 90 * 2**20, start)
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, reader, str(path), str(DEFAULT_DATA_DIR)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout)
    assert measured["message"] and str(path) in measured["message"]
    assert measured["grown_kb"] < 32 * 1024, measured

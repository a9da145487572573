"""The partners' workbook: its sheets, human headers, number formats, filters, disclosure and bytes.

Built from a `RunContext` on the embedded default (no notebooks run), and once more from a
copy whose anti-social behaviour is made sensitive and small in the assessed area.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import openpyxl
import pytest

from assess.config import DEFAULT_PARAMS
from assess.context import RunContext
from assess.evidence import Evidence
from assess.excel import WORKBOOK, write_workbook
from assess.pages.plan import ActionPlanPage
from conftest import sensitive_asb_in_small_numbers
from params_facts import actions, criteria, issues

AS_OF = date(2022, 12, 31)
SHEETS = [
    "About",
    "Ranking",
    "Criteria",
    "Success measures",
    "Actions",
    "Monitoring",
    "Area comparisons",
    "Hotspots",
    "Partner figures",
]
TABLES = SHEETS[1:]
# Expected number formats of some columns, by sheet and header.
FORMATS = {
    "Ranking": {
        "Rank": "0",
        "Score (1-5)": "0.00",
        "90% rank interval, best": "0",
        "90% rank interval, worst": "0",
        "Chance of the top 3": "0%",
        "Community concern (1-5)": "0",
    },
    "Criteria": {"Score (1-5)": "0", "Weight": "0%"},
    "Actions": {"Due by": "mmm yyyy"},
    "Monitoring": {"This quarter (Oct to Dec 2022)": "#,##0", "Baseline (quarterly average)": "#,##0.0"},
    "Area comparisons": {
        "Recorded offences or incidents": "#,##0",
        "Residents": "#,##0",
        "Rate per 1,000 residents": "0.00",
        "95% interval, lower": "0.00",
        "95% interval, upper": "0.00",
    },
    "Hotspots": {
        "Rank in the area": "0",
        "IMD 2019 decile (1 = most deprived)": "0",
        "Recorded offences or incidents": "#,##0",
        "Share of the area's records": "0%",
        "Expected if spread evenly": "#,##0.0",
        "p-value (adjusted, Benjamini-Hochberg)": "0.000",
    },
    "Partner figures": {"Period start": "d mmm yyyy", "Period end": "d mmm yyyy"},
}


@pytest.fixture(scope="module")
def run() -> RunContext:
    return RunContext.load(DEFAULT_PARAMS)


@pytest.fixture(scope="module")
def written(run, tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    path = write_workbook(run, out, AS_OF)
    return path, openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def book(written):
    return written[1]


def table(sheet) -> tuple[list[str], list[list]]:
    """A table sheet's headers and its rows of cells."""
    rows = list(sheet.iter_rows())
    return [c.value for c in rows[0]], [list(r) for r in rows[1:]]


def column(sheet, header: str) -> list:
    headers, rows = table(sheet)
    return [row[headers.index(header)] for row in rows]


def texts(book) -> list[str]:
    return [c.value for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]


def test_the_sheets_in_order(written):
    path, book = written
    assert path.name == WORKBOOK and book.sheetnames == SHEETS
    # Written in one step: no partial file is left beside it.
    assert [p.name for p in path.parent.iterdir()] == [WORKBOOK]


def test_one_row_per_issue_criterion_and_action(book):
    assert book["Ranking"].max_row == 1 + len(issues())
    assert book["Criteria"].max_row == 1 + len(issues()) * len(criteria())
    assert book["Actions"].max_row == 1 + len(actions())


def test_about_says_what_where_when_and_links_every_sheet(book):
    about = book["About"]
    lines = [row[0].value for row in about.iter_rows()]
    assert lines[0] == "Strategic assessment: Sevenoaks, January to December 2022"
    facts = {row[0].value: row[1].value for row in about.iter_rows() if row[0].value and len(row) > 1}
    assert facts["Area"] == "Sevenoaks" and facts["Assessment period"] == "January to December 2022"
    assert facts["Actions judged as of"] == datetime(2022, 12, 31)
    assert facts["Produced"].date() == date.today()
    links = {c.value: c.hyperlink.location for row in about.iter_rows() for c in row if c.hyperlink}
    assert links == {name: f"'{name}'!A1" for name in TABLES}
    words = " ".join(str(v) for row in about.iter_rows(values_only=True) for v in row if v)
    assert "DAVSS quarterly return" in words and "GREEN" in words and "fewer than 5" in words
    for jargon in ("params/", ".yaml", ".csv", "(default)", "data folder", "\\", "/work", "/tmp"):
        assert jargon not in words, jargon


def test_headers_are_words_not_code_names(book):
    headers = {name: table(book[name])[0] for name in TABLES if name != "Monitoring"}
    headers["Monitoring"] = table(book["Monitoring"])[0]
    assert {"Chance of the top 3", "90% rank interval, best", "90% rank interval, worst"} <= set(headers["Ranking"])
    for name, row in headers.items():
        for header in row:
            assert "_" not in header and (header[0].isupper() or header[0].isdigit() or header.startswith("p-")), (
                name,
                header,
            )


def test_issue_and_criterion_names_not_keys(run, book):
    keys = {p.key for p in run.assessment.priorities} | set(run.assessment.criteria.keys)
    cells = texts(book)
    assert not [v for v in cells if v in keys]
    underscored = [k for k in keys if "_" in k]
    assert underscored  # domestic_abuse, added_value, ...
    assert not [v for v in cells if any(k in v for k in underscored)]
    assert "Domestic abuse" in [c.value for c in column(book["Ranking"], "Issue")]
    assert {c.value for c in column(book["Criteria"], "Criterion")} == {c.label for c in run.assessment.criteria}


@pytest.mark.parametrize("name", FORMATS)
def test_number_formats_on_their_columns(book, name):
    for header, number_format in FORMATS[name].items():
        cells = column(book[name], header)
        assert cells and {c.number_format for c in cells} == {number_format}, header


def test_partner_counts_whole_and_other_figures_with_a_decimal(book):
    values, units = column(book["Partner figures"], "Value"), column(book["Partner figures"], "Unit")
    formats = {(u.value, v.number_format) for v, u in zip(values, units)}
    assert ("count", "#,##0") in formats and ("count", "#,##0.0") not in formats
    assert any(f == "#,##0.0" for u, f in formats if u != "count")


def test_figures_are_numbers_or_blank_with_a_note(book):
    """No 'no data' text among figures: a blank, with the row's Note saying why."""
    for name in TABLES:
        headers, rows = table(book[name])
        note = headers.index("Note") if "Note" in headers else None
        for row in rows:
            for cell in row:
                if cell.number_format == "General":
                    continue
                assert cell.value is None or isinstance(cell.value, (int, float, datetime)), (name, cell.coordinate)
                if cell.value is None:
                    assert note is not None and row[note].value, (name, cell.coordinate)


def test_dates_are_dates(book):
    starts = column(book["Partner figures"], "Period start")
    assert starts and all(isinstance(c.value, datetime) for c in starts)
    due = [c.value for c in column(book["Actions"], "Due by")]
    assert all(v is None or isinstance(v, datetime) for v in due) and any(v is not None for v in due)


@pytest.mark.parametrize("name", TABLES)
def test_every_table_frozen_filtered_and_printable(book, name):
    sheet = book[name]
    headers, rows = table(sheet)
    assert sheet.freeze_panes.endswith("2")
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}{1 + len(rows)}"
    assert all(c.font.bold and c.fill.fgColor.rgb.endswith("DCE6F1") for c in sheet[1])
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1"
    widths = [sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, len(headers) + 1)]
    assert all(10 <= w <= 60 for w in widths), widths


def test_long_text_wraps(book):
    reasons = column(book["Criteria"], "Reason")
    assert all(c.alignment.wrap_text for c in reasons)
    assert not any(c.alignment.wrap_text for c in column(book["Criteria"], "Criterion"))


def test_status_words_stay_and_the_fill_repeats_them(run, book):
    statuses = [c.value for c in column(book["Success measures"], "Status")]
    results = ActionPlanPage(run, AS_OF.isoformat()).measure_results()
    assert statuses == [r.status.upper() if r.status != "no data" else "no data" for r in results]
    for name, header, word in (
        ("Success measures", "Status", "GREEN"),
        ("Actions", "Overdue at 31 Dec 2022", "OVERDUE"),
    ):
        letter = column(book[name], header)[0].column_letter
        rules = [
            (str(ranges.sqref), rule.formula)
            for ranges in book[name].conditional_formatting
            for rule in ranges.rules
            if rule.dxf and rule.dxf.fill
        ]
        assert (f"{letter}2:{letter}{book[name].max_row}", [f'"{word}"']) in rules, rules


def test_overdue_actions_as_of_the_date(run, book):
    overdue = [c.value for c in column(book["Actions"], "Overdue at 31 Dec 2022")]
    assert overdue.count("OVERDUE") == sum(a.is_overdue(AS_OF) for a in run.actions) > 0
    assert set(overdue) == {"OVERDUE", "no"}


def test_monitoring_and_comparisons_hold_the_pages_figures(run, book):
    rows = {c[0].value: c for c in table(book["Monitoring"])[1]}
    assert set(rows) == {p.title for p in run.assessment.priorities if p.has_police_data and not p.is_candidate}
    comparisons = table(book["Area comparisons"])[1]
    police = [p for p in run.assessment.priorities if p.has_police_data]
    assert len(comparisons) == len(police) * len(run.assessment.comparators)
    rates = run.evidence.for_priority("serious_acquisitive").rates().set_index("area")
    headers = table(book["Area comparisons"])[0]
    row = next(r for r in comparisons if r[0].value == "Serious and acquisitive crime" and r[1].value == "Sevenoaks")
    shown = {h: c.value for h, c in zip(headers, row)}
    assert shown["Rate per 1,000 residents"] == pytest.approx(rates.at["Sevenoaks", "rate"])
    assert shown["Rank (1 = lowest rate)"] == rates.at["Sevenoaks", "rank"] and shown["Assessed area"] == "yes"


def test_the_same_run_gives_the_same_bytes(run, written, tmp_path):
    first, _ = written
    again = write_workbook(run, tmp_path, AS_OF)
    assert again.read_bytes() == first.read_bytes()
    later = write_workbook(run, tmp_path, date(2023, 6, 30))
    assert later.read_bytes() != first.read_bytes()


def test_sheets_with_nothing_to_show_say_why_in_one_line(run, tmp_path):
    """Dover has no plan of its own, and two months of data hold no whole quarter."""
    short = RunContext.load(DEFAULT_PARAMS, area="Dover", period=("2022-01", "2022-02"))
    book = openpyxl.load_workbook(write_workbook(short, tmp_path, AS_OF))
    for name, words in (
        (
            "Monitoring",
            "No quarter is monitored in this workbook: the police data do not hold every month of the "
            "quarter Dec 2021 to Feb 2022 (missing Dec 2021).",
        ),
        ("Success measures", "No success measures are set for Dover yet"),
        ("Actions", "No action plan is held for Dover yet."),
    ):
        sheet = book[name]
        assert sheet.max_row == 1 and sheet.max_column == 1 and sheet["A1"].value.startswith(words), name
        assert sheet.auto_filter.ref is None


@pytest.fixture(scope="module")
def small(run, tmp_path_factory):
    """Anti-social behaviour made sensitive, with 3 incidents in Sevenoaks all year (all in December)."""
    assessment = replace(
        run.assessment,
        priorities=tuple(replace(p, sensitive=True) if p.key == "asb" else p for p in run.assessment.priorities),
    )
    counts = run.tables.counts.copy()
    mask = (counts["area"] == "Sevenoaks") & (counts["crime_type"] == "Anti-social behaviour")
    counts.loc[mask, "count"] = 0
    counts.loc[counts[mask & (counts["month"] == "2022-12")].index, "count"] = 3
    context = RunContext(Evidence(assessment, replace(run.tables, counts=counts)))
    path = write_workbook(context, tmp_path_factory.mktemp("small"), AS_OF)
    return context, openpyxl.load_workbook(path)


def test_a_small_sensitive_count_never_appears_as_a_number(small):
    context, book = small
    asb = [
        [c.value for c in row]
        for name in ("Monitoring", "Area comparisons")
        for row in table(book[name])[1]
        if row[0].value == "Anti-social behaviour" and (name == "Monitoring" or row[1].value == "Sevenoaks")
    ]
    assert len(asb) == 2
    for values in asb:
        assert 3 not in values and 0.75 not in values  # the count, and its quarterly average
        assert "fewer than 5" in values[-1]
    monitoring, comparison = asb
    headers = table(book["Area comparisons"])[0]
    shown = dict(zip(headers, comparison))
    assert shown["Rate per 1,000 residents"] is None and shown["95% interval, upper"] is None
    # The change on the previous quarter would give the count back: no verdict, no p-value.
    assert monitoring[3] in ("", None) and monitoring[4] is None


def test_small_partner_counts_are_blank_with_fewer_than(run, book):
    hidden = run.evidence.disclosure.hidden_indicators(run.tables.indicators, run.assessment.comparators)
    assert hidden.any()
    values, notes = column(book["Partner figures"], "Value"), column(book["Partner figures"], "Note")
    blanks = [n.value for v, n in zip(values, notes) if v.value is None]
    assert len(blanks) == hidden.sum()
    assert all(n.startswith(("fewer than 5", "withheld")) for n in blanks)


@pytest.mark.e2e
def test_the_run_writes_the_workbook_with_its_quarter(default_run):
    _, out = default_run
    book = openpyxl.load_workbook(out / WORKBOOK)
    assert book.sheetnames == SHEETS
    assert book["Monitoring"]["B1"].value == "This quarter (Oct to Dec 2022)"


def test_hotspots_hold_each_police_priority_s_top_neighbourhoods_as_its_page(run, book):
    from assess.pages import PriorityPage

    police = [p for p in run.assessment.pages if p.has_police_data]
    sheet = book["Hotspots"]
    assert sheet.max_row == 1 + 10 * len(police)
    issues_shown = column(sheet, "Issue")
    assert [c.value for c in issues_shown[::10]] == [p.title for p in police]
    page = PriorityPage(run, police[0].key)
    rows = page.hotspot_rows()
    assert [c.value for c in column(sheet, "LSOA code")[:10]] == list(rows["lsoa_code"])
    assert [c.value for c in column(sheet, "Recorded offences or incidents")[:10]] == list(rows["count"])
    assert [c.value for c in column(sheet, "Hotspot (more than chance)")[:10]] == [
        "yes" if h else "no" for h in rows["hotspot"]
    ]


def test_small_hotspot_counts_are_blank_with_a_note(run, tmp_path):
    """Anti-social behaviour made sensitive, with 1 or 2 incidents in most of Sevenoaks' neighbourhoods."""
    context = sensitive_asb_in_small_numbers(run)
    book = openpyxl.load_workbook(write_workbook(context, tmp_path, AS_OF))
    headers, rows = table(book["Hotspots"])
    asb = [dict(zip(headers, (c.value for c in row))) for row in rows if row[0].value == "Anti-social behaviour"]
    assert len(asb) == 10
    for row in asb:
        assert row["Recorded offences or incidents"] is None and row["Share of the area's records"] is None
        assert row["Note"].startswith("fewer than 5 (small numbers on a sensitive subject)")

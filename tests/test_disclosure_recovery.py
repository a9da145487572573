"""No suppressed count can be read back from anything a run publishes.

A synthetic data folder puts small counts (1 to 4) on sensitive subjects wherever a run
shows a count or a figure made from one: a sensitive priority with a page (violence, a
sensitive crime type, with robbery) has small months, a small monitored quarter, a small
crime type this year and last, and a comparator with a small yearly count; a sensitive
candidate (possession of
weapons) is small in the area this year and last and in a comparator; partner returns of
a sensitive priority (domestic abuse) carry small counts with the unit spelled `count`,
`Count` and `number`, one with a county row beside the districts. Every crime type in the
data belongs to exactly one priority, so the area's totals are the sum of the published
priority totals.

The real pipeline runs once (`assess run`). Everything it publishes is read back: the
visible text and alt text of every HTML page, the outputs of every kept notebook,
`criteria.csv`, `ranking.csv` and every sheet of the workbook. Then each count that must
be suppressed is attacked:

(a) it must not be shown as a number in any of its places;
(b) it must not be recoverable: every published figure it feeds is a relation (a monthly
    grid with its row and column totals, the breakdown with its total, the quarters, the
    baseline, the area's totals over the priorities, harm as weights x counts, rates and
    intervals x residents, the county rate, rate ratios, percentage changes, p-values and
    shares), and solving all of them for the hidden counts, with every count under
    "fewer than 5" between 1 and 4 and every other withheld figure unknown, must leave
    more than one possible value.

The structures are derived from the evidence objects and the data written here, not
from hard-coded figures.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from assess import stats, wording
from assess.config import DEFAULT_CRITERIA, DEFAULT_DATA_DIR, load_criteria, month_range
from assess.criteria.partner import period_label
from assess.evidence import Evidence
from conftest import assess

pytestmark = pytest.mark.e2e

THRESHOLD = 5
SMALL = range(1, THRESHOLD)
# What a reader can assume of a hidden count never shown anywhere: any value from 0 up.
UNSEEN = range(0, 4 * THRESHOLD)
AREA = "Sevenoaks"
V, R, W = "Violence and sexual offences", "Robbery", "Possession of weapons"
ASB, D, B = "Anti-social behaviour", "Drugs", "Burglary"
MONTHS = {2021: month_range("2021-01", "2021-12"), 2022: month_range("2022-01", "2022-12")}
POPULATION = {"Sevenoaks": 20_000, "Ashford": 35_000, "Dover": 30_000, "Swale": 25_000, "Thanet": 40_000}
# The assessed area month by month (2021, 2022).
SEVENOAKS = {
    V: ([5, 6, 4, 7, 5, 6, 5, 4, 6, 5, 6, 7], [6, 0, 7, 3, 8, 9, 1, 2, 0, 2, 8, 6]),
    R: ([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0], [0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0]),
    W: ([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0]),
    ASB: ([150 + (7 * i) % 20 for i in range(12)], [160 + (5 * i) % 20 for i in range(12)]),
    # Small months of a subject that is not sensitive: shown as they are.
    D: ([10, 11, 9, 12, 10, 11, 9, 12, 10, 11, 9, 12], [3, 12, 2, 15, 10, 9, 11, 8, 14, 13, 1, 10]),
    B: ([25 + i % 4 for i in range(12)], [22 + i % 5 for i in range(12)]),
}
# The comparators' yearly totals (2021, 2022), spread over the months.
COMPARATORS = {
    "Ashford": {V: (360, 380), R: (20, 24), W: (7, 8), ASB: (2400, 2500), D: (150, 160), B: (300, 310)},
    "Dover": {V: (300, 320), R: (15, 18), W: (9, 10), ASB: (2000, 2100), D: (120, 130), B: (250, 260)},
    "Swale": {V: (6, 3), R: (2, 1), W: (3, 2), ASB: (1800, 1900), D: (100, 110), B: (200, 210)},
    "Thanet": {V: (500, 520), R: (30, 28), W: (11, 12), ASB: (3000, 3100), D: (200, 210), B: (400, 420)},
}
PRIORITIES = {
    "priorities": {
        "serious_acquisitive": {
            "title": "Violence and robbery",
            "summary": "Violence (sensitive) and robbery.",
            "crime_types": [V, R],
        },
        "asb": {
            "title": "Anti-social behaviour",
            "summary": "ASB.",
            "crime_types": [ASB],
            "indicators": {"Fly-tipping reports": "trend"},
        },
        "domestic_abuse": {
            "title": "Domestic abuse",
            "summary": "From partners.",
            "indicators": {"DA referrals": "trend", "DA repeat victims": "comparison"},
        },
        "substance_misuse": {"title": "Substance misuse", "summary": "Drugs.", "crime_types": [D]},
    },
    "candidates": {
        "weapons": {"title": "Possession of weapons", "summary": "Sensitive by name.", "crime_types": [W]},
        "burglary": {"title": "Burglary", "summary": "Burglary.", "crime_types": [B]},
    },
}
MEASURES = {
    "measures": [
        {
            "id": "da_referrals",
            "priority": "domestic_abuse",
            "title": "DA referrals",
            "target": "Fewer referrals",
            "kind": "indicator_falls",
            "indicator": "DA referrals",
        },
        {
            "id": "stalking",
            "priority": "domestic_abuse",
            "title": "Stalking referrals",
            "target": "At least 10",
            "kind": "indicator_at_least",
            "indicator": "Stalking referrals",
            "target_value": 10,
        },
        {
            "id": "violence_rank",
            "priority": "serious_acquisitive",
            "title": "Violence and robbery",
            "target": "Improve the position",
            "kind": "rank_improves",
            "crime_types": [V, R],
        },
    ]
}
SENSITIVE_PRIORITIES = ["domestic_abuse", "weapons"]
SENSITIVE_TYPES = [V]
Q3, Q4 = ("2022-07-01", "2022-09-30"), ("2022-10-01", "2022-12-31")
YEAR = ("2022-01-01", "2022-12-31")
# Partner returns: (file, unit, rows of indicator, priority, area, period, value).
PARTNERS = {
    "da-referrals.csv": (
        "count",
        [("DA referrals", "domestic_abuse", AREA, Q3, 1), ("DA referrals", "domestic_abuse", AREA, Q4, 3)],
    ),
    "stalking.csv": ("Count", [("Stalking referrals", "domestic_abuse", AREA, YEAR, 2)]),
    "repeat-victims.csv": (
        "number",
        [
            ("DA repeat victims", "domestic_abuse", area, YEAR, value)
            for area, value in (
                ("Sevenoaks", 2),
                ("Ashford", 12),
                ("Dover", 15),
                ("Swale", 9),
                ("Thanet", 20),
                ("Kent", 58),
            )
        ],
    ),
    "flytipping.csv": (
        "count",
        [("Fly-tipping reports", "asb", AREA, Q3, 3), ("Fly-tipping reports", "asb", AREA, Q4, 2)],
    ),
}


def spread(total: int) -> list[int]:
    """A yearly total over twelve months, the remainder in the first months."""
    return [total // 12 + (1 if i < total % 12 else 0) for i in range(12)]


def build_case(root: Path) -> Path:
    """Write the data folder and the parameters; returns the parameters file."""
    data, params = root / "data", root / "params"
    (data / "partners").mkdir(parents=True)
    params.mkdir()
    rows = []
    for year_index, year in enumerate((2021, 2022)):
        for crime_type, series in SEVENOAKS.items():
            rows += [(AREA, m, crime_type, c) for m, c in zip(MONTHS[year], series[year_index])]
        for area, totals in COMPARATORS.items():
            for crime_type, years in totals.items():
                rows += [(area, m, crime_type, c) for m, c in zip(MONTHS[year], spread(years[year_index]))]
    codes = pd.read_csv(DEFAULT_DATA_DIR / "districts.csv").set_index("area")["area_code"]
    counts = pd.DataFrame(rows, columns=["area", "month", "crime_type", "count"])
    counts.insert(0, "area_code", counts["area"].map(codes))
    counts.to_csv(data / "counts.csv", index=False)
    pd.DataFrame(
        [(codes[a], a, 2020, n) for a, n in POPULATION.items()], columns=["area_code", "area", "year", "population"]
    ).to_csv(data / "population.csv", index=False)
    for name, (unit, indicator_rows) in PARTNERS.items():
        pd.DataFrame(
            [(i, p, a, s, e, v, unit, "Synthetic partner return") for i, p, a, (s, e), v in indicator_rows],
            columns=["indicator", "priority", "area", "period_start", "period_end", "value", "unit", "source"],
        ).to_csv(data / "partners" / name, index=False)
    marked = {
        group: {key: {**spec, "sensitive": key in SENSITIVE_PRIORITIES} for key, spec in items.items()}
        for group, items in PRIORITIES.items()
    }
    (params / "priorities.yaml").write_text(yaml.safe_dump(marked, sort_keys=False))
    # The area's own success measures, in its folder of local content (by its ONS code).
    (params / "areas" / "E07000111").mkdir(parents=True)
    (params / "areas" / "E07000111" / "measures.yaml").write_text(yaml.safe_dump(MEASURES, sort_keys=False))
    settings = {
        "area": AREA,
        "period": {"start": "2022-01", "end": "2022-12"},
        "comparators": sorted(POPULATION),
        "data_dir": str(data),
        "priorities_file": "priorities.yaml",
        "scoring": {"draws": 100},
        "disclosure": {"threshold": THRESHOLD, "sensitive_crime_types": SENSITIVE_TYPES},
    }
    path = params / "assessment.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    return path


# --- what the run published ---------------------------------------------------------------------


@dataclass
class Document:
    """One output as a reader sees it: its text (alt text included) and its tables, cells as text."""

    name: str
    text: str = ""
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    # Kept notebooks: each code cell's source with its plain-text output.
    cells: list[tuple[str, str]] = field(default_factory=list)

    def table(self, caption: str) -> pd.DataFrame | None:
        """The first table whose caption contains `caption`."""
        return next((frame for title, frame in self.tables if caption in title), None)


def _read_html(html: str, document: Document) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["style", "script"]):
        tag.decompose()
    for table in soup.find_all("table"):
        caption = table.find("caption")
        head = [th.get_text(" ", strip=True) for th in table.find_all("th")]
        rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in table.find_all("tr")]
        rows = [r for r in rows if r]
        if head and rows:
            document.tables.append(
                (caption.get_text(" ", strip=True) if caption else "", pd.DataFrame(rows, columns=head))
            )
    alts = " ".join(img.get("alt", "") for img in soup.find_all("img"))
    document.text += " " + re.sub(r"\s+", " ", soup.get_text(" ")) + " " + alts


def read_published(out: Path) -> list[Document]:
    """Every page, kept notebook, CSV and sheet the run wrote."""
    documents = []
    for page in sorted(out.glob("*.html")):
        document = Document(f"page {page.name}")
        _read_html(page.read_text(encoding="utf-8"), document)
        documents.append(document)
    for path in sorted(out.glob("*.ipynb")):
        document = Document(f"notebook {path.name}")
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "text/html" in data:
                    _read_html("".join(data["text/html"]), document)
                elif "text/plain" in data or "text" in output:
                    plain = "".join(data.get("text/plain", output.get("text", "")))
                    document.text += " " + plain
                    document.cells.append(("".join(cell["source"]), plain))
        documents.append(document)
    for name in ("criteria.csv", "ranking.csv"):
        frame = pd.read_csv(out / name, dtype=str, keep_default_na=False)
        documents.append(Document(name, frame.to_string(), [(name, frame)]))
    book = openpyxl.load_workbook(out / "assessment.xlsx")
    for sheet in book.worksheets:
        rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
        frame = pd.DataFrame(rows[1:], columns=[str(c) for c in rows[0]]) if len(rows) > 1 else pd.DataFrame()
        text = " ".join(str(v) for row in rows for v in row)
        documents.append(Document(f"workbook {sheet.title}", text, [(sheet.title, frame)]))
    return documents


# --- the attack ---------------------------------------------------------------------------------


Key = tuple
NUMBER = re.compile(r"^-?[\d,]*\.?\d+$")


def number(text: object) -> float | None:
    """A published cell as a number, or None when it shows words ("fewer than 5", "withheld")."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    text = str(text).strip().rstrip(",;.")
    return float(text.replace(",", "")) if NUMBER.match(text) else None


class Bounds(NamedTuple):
    low: float
    high: float


def interval(text: str, scale: float = 1.0) -> Bounds:
    """What a rounded figure can stand for: +- half its last digit, times `scale`."""
    text = text.strip().replace(",", "")
    decimals = len(text.split(".")[1]) if "." in text else 0
    half = 0.5 * 10**-decimals
    return Bounds((float(text) - half) * scale, (float(text) + half) * scale)


@dataclass
class Relation:
    """A published figure that ties hidden counts to each other or to published ones."""

    where: str
    unknowns: tuple[Key, ...]
    holds: Callable[[dict[Key, float]], bool]


class Ledger:
    """Every published figure by the quantity it stands for, and the relations between them.

    `secret` holds the counts that must be suppressed with their true values: a reader knows
    only that each lies between 1 and the threshold - 1 where it is shown as "fewer than".
    """

    def __init__(self, secret: dict[Key, int]):
        self.secret = secret
        self.places: dict[Key, list[tuple[str, str]]] = defaultdict(list)
        self.relations: list[Relation] = []
        self._pending: list[Callable[[], None]] = []

    def put(self, key: Key, where: str, text: object) -> None:
        self.places[key].append((where, str(text).strip()))

    def known(self, key: Key) -> float | None:
        values = [number(text) for _, text in self.places.get(key, []) if number(text) is not None]
        return values[0] if values else None

    def later(self, build: Callable[[], None]) -> None:
        """Build a relation once every place is read (it needs the published values)."""
        self._pending.append(build)

    def _split(self, keys: Iterable[Key]) -> tuple[dict[Key, float], tuple[Key, ...], list[Key]]:
        """The published values, the secrets and the quantities that are neither."""
        known, hidden, unknown = {}, [], []
        for key in keys:
            # A secret stays unknown even where it is shown: that is reported on its own, and
            # the relations then tell every other way it could be read.
            value = None if key in self.secret else self.known(key)
            if value is not None:
                known[key] = value
            elif key in self.secret:
                hidden.append(key)
            else:
                unknown.append(key)
        return known, tuple(dict.fromkeys(hidden)), unknown

    def domain(self, key: Key) -> range:
        """What a reader knows of a secret: 1 to threshold - 1 where shown as "fewer than", else nothing."""
        return SMALL if any(text.startswith("fewer than") for _, text in self.places.get(key, [])) else UNSEEN

    def relate(self, where: str, keys: Iterable[Key], holds: Callable[[dict[Key, float]], bool]) -> None:
        """A figure computed from these quantities; formed only if each is published or a secret."""
        known, hidden, unknown = self._split(keys)

        def possible(values: dict[Key, float]) -> bool:
            try:
                return holds({**known, **values})
            except (ArithmeticError, TypeError, ValueError):
                return False  # undefined there (a ratio to 0): the published figure cannot come from it

        if hidden and not unknown:
            self.relations.append(Relation(where, hidden, possible))

    def relate_sum(self, where: str, terms: list[tuple[float, Key]], total: Key | Bounds) -> None:
        """sum(coefficient x quantity) = total, a quantity or a published interval.

        Quantities neither published nor secret (withheld totals, never-published parts) are
        unknown but not negative, so they only bound the hidden ones from above.
        """
        keys = [k for _, k in terms] + ([] if isinstance(total, Bounds) else [total])
        known, hidden, unknown = self._split(keys)
        open_ended = any(k in unknown for _, k in terms)
        # An unknown part with a negative coefficient bounds nothing.
        if not hidden or total in unknown or any(c < 0 and k in unknown for c, k in terms):
            return

        def holds(values: dict[Key, float]) -> bool:
            scope = {**known, **values}
            low, high = total if isinstance(total, Bounds) else (scope[total] - 0.5, scope[total] + 0.5)
            s = sum(c * scope[k] for c, k in terms if k in scope)
            eps = 1e-6
            return s <= high + eps and (open_ended or s >= low - eps)

        self.relations.append(Relation(where, hidden, holds))

    def attack(self) -> list[str]:
        """Each secret shown as a number, or narrowed by the relations to its one true value, and how."""
        for build in self._pending:
            build()
        truth = {k: float(v) for k, v in self.secret.items()}
        for relation in self.relations:
            assert relation.holds(truth), f"the test misread a published figure: {relation.where}"
        leaks = []
        for key, value in self.secret.items():
            ways = []
            # Any digit in a hidden count's place is a leak, however it is written.
            shown = [
                f"{where}: {text!r}"
                for where, text in self.places.get(key, [])
                if re.search(r"\d", re.sub(r"fewer than \d+", "", text))
            ]
            if shown:
                ways.append(f"shown as a number in {'; '.join(shown)}")
            candidates, routes, narrowing = set(self.domain(key)), [], []
            for relation in self.relations:
                if key not in relation.unknowns:
                    continue
                others = [k for k in relation.unknowns if k != key]
                possible = {
                    v
                    for v in self.domain(key)
                    if any(
                        relation.holds({key: v, **dict(zip(others, rest))})
                        for rest in itertools.product(*(self.domain(k) for k in others))
                    )
                }
                if possible == {value}:
                    routes.append(relation.where)
                elif possible != set(self.domain(key)):
                    narrowing.append(relation.where)
                candidates &= possible
            if candidates == {value}:
                ways.append(f"recovered from {_places(routes or narrowing)}")
            if ways:
                leaks.append(f"{key} = {value}: " + "; and ".join(ways))
        return leaks


def _places(wheres: list[str]) -> str:
    """Relations named once each, with the number of outputs that publish them."""
    outputs = defaultdict(set)
    for where in wheres:
        named = ": " in where and ", " in where.split(": ")[0]
        document, _, what = where.rpartition(", ") if named else ("", "", where)
        outputs[what].add(document)
    return "; ".join(f"{what} (in {len(docs)} outputs)" if any(docs) else what for what, docs in outputs.items())


# --- reading each published figure as the quantity it stands for -----------------------------------


MONTH_OF = {pd.Period(m, freq="M").strftime("%b %Y"): m for months in MONTHS.values() for m in months}
COUNT_OR_WORDS = r"[\d,]+(?:\.\d+)?|fewer than \d+|[a-z][a-z ]*?"
# The monitored quarters: this one, the one before and the same one a year earlier.
QUARTERS = {"this": ("2022-10", "2022-12"), "previous": ("2022-07", "2022-09"), "year": ("2021-10", "2021-12")}
QUARTER_LABELS = {"this quarter": "this", "previous quarter": "previous", "same quarter a year earlier": "year"}
# The pages name criteria by label: back to their keys, as declared.
CRITERION_KEYS = {c.label: c.key for c in load_criteria(DEFAULT_CRITERIA)}


def is_sensitive(key: str) -> bool:
    spec = {**PRIORITIES["priorities"], **PRIORITIES["candidates"]}[key]
    return key in SENSITIVE_PRIORITIES or any(t in SENSITIVE_TYPES for t in spec.get("crime_types", []))


def types_of(key: str) -> list[str]:
    return {**PRIORITIES["priorities"], **PRIORITIES["candidates"]}[key].get("crime_types", [])


def all_column(key: str) -> str:
    """The monthly table's total column: All, or the only crime type."""
    types = types_of(key)
    return "All" if len(types) > 1 else types[0]


def indicator_rows() -> pd.DataFrame:
    rows = [(i, p, a, s, e, v, unit) for unit, items in PARTNERS.values() for i, p, a, (s, e), v in items]
    frame = pd.DataFrame(rows, columns=["indicator", "priority", "area", "start", "end", "value", "unit"])
    frame["label"] = [period_label(pd.Timestamp(s), pd.Timestamp(e)) for s, e in zip(frame["start"], frame["end"])]
    return frame


def indicator_key(indicator: str, area: str, label: str) -> Key:
    row = INDICATORS[
        (INDICATORS["indicator"] == indicator) & (INDICATORS["area"] == area) & (INDICATORS["label"] == label)
    ].iloc[0]
    return ("indicator", indicator, area, row["start"], row["end"])


INDICATORS = indicator_rows()


def secrets(evidence: Evidence) -> dict[Key, int]:
    """Every count that must be suppressed, with its true value, from the evidence objects."""
    found: dict[Key, int] = {}

    def keep(key: Key, value) -> None:
        if value is not None and int(value) in SMALL:
            found[key] = int(value)

    for priority in evidence.assessment.priorities:
        if not is_sensitive(priority.key) or not priority.has_police_data:
            continue
        key, pe = priority.key, evidence.for_priority(priority)
        keep(("total", key, "current"), pe.total())
        keep(("total", key, "previous"), pe.previous_total())
        for row in pe.breakdown().itertuples():
            keep(("type_total", key, row.crime_type, "current"), row.count)
            keep(("type_total", key, row.crime_type, "previous"), row.previous)
        monthly = pe.monthly()
        for month, row in monthly.iterrows():
            for crime_type, value in row.items():
                keep(("cell", key, month, crime_type), value)
            if len(row) > 1:
                keep(("cell", key, month, "All"), row.sum())
        for first, last in QUARTERS.values():
            keep(("quarter", key, (first, last)), pe.total(month_range(first, last)))
        for row in pe.rates().itertuples():
            keep(("area_count", key, row.area), row.count)
    for row in INDICATORS.itertuples():
        if is_sensitive(row.priority) and row.unit.lower() in ("count", "number"):
            keep(("indicator", row.indicator, row.area, row.start, row.end), row.value)
    return found


def read_priority_page(ledger: Ledger, document: Document, key: str) -> None:
    """Headline, monthly table and chart, breakdown, comparison table and chart of one priority."""
    where, text, types = document.name, document.text, types_of(key)
    total, previous = ("total", key, "current"), ("total", key, "previous")
    here = ("area_count", key, AREA)
    if m := re.search(rf"Police recorded ({COUNT_OR_WORDS}) (?:offences|incidents) \(", text):
        ledger.put(total, f"{where}, headline", m.group(1))
    if m := re.search(r"The previous \d+ months had ([\d,]+|fewer than \d+|[a-z]+):", text):
        ledger.put(previous, f"{where}, headline", m.group(1))
    if m := re.search(
        r"from [^:]+: ([\d.]+) per 1,000 residents \(95% confidence interval ([\d.]+) to ([\d.]+)\)", text
    ):
        rate_relations(ledger, f"{where}, headline rate", here, *m.groups())
    for source, output in document.cells:
        if "NBVAL_CHECK_OUTPUT" in source and "total" in source:
            ledger.put(total, f"{where}, checked total", output.strip().strip("'\""))
    if (monthly := document.table("per month")) is not None:
        for row in monthly.to_dict("records"):
            month = MONTH_OF[row.pop("Month")]
            for column, value in row.items():
                ledger.put(("cell", key, month, column), f"{where}, monthly table", value)
    columns = "|".join(re.escape(c) for c in types + ["All"])
    for m in re.finditer(
        rf"({columns}): from ([\d,]+) in (\w{{3}} \d{{4}}) to ([\d,]+) in (\w{{3}} \d{{4}}), "
        rf"highest ([\d,]+) in (\w{{3}} \d{{4}})",
        text,
    ):
        column = m.group(1)
        for value, month in ((m.group(2), m.group(3)), (m.group(4), m.group(5)), (m.group(6), m.group(7))):
            ledger.put(("cell", key, MONTH_OF[month], column), f"{where}, monthly chart", value)
    if (breakdown := document.table("by crime type")) is not None:
        count_column = next(c for c in breakdown.columns if c in ("Offences", "Incidents"))
        for row in breakdown.to_dict("records"):
            current = ("type_total", key, row["Crime type"], "current")
            ledger.put(current, f"{where}, breakdown", row[count_column])
            if "Same months a year earlier" in row:
                ledger.put(
                    ("type_total", key, row["Crime type"], "previous"),
                    f"{where}, breakdown",
                    row["Same months a year earlier"],
                )
            share = row["Share of the priority"]
            if number(share.rstrip("%")) is not None:
                ledger.later(
                    lambda c=current, s=share: ledger.relate(
                        f"{where}, share in the breakdown", [c, total], lambda v: f"{v[c] / v[total]:.0%}" == s
                    )
                )
    if (rates := document.table("in each area compared")) is not None:
        count_column = next(c for c in rates.columns if c in ("Offences", "Incidents"))
        for row in rates.to_dict("records"):
            area = row["Area"].replace(" (assessed)", "")
            ledger.put(("area_count", key, area), f"{where}, comparison table", row[count_column])
            rate_relations(
                ledger,
                f"{where}, comparison table",
                ("area_count", key, area),
                row["Rate per 1,000"],
                row["95% interval, lower"],
                row["95% interval, upper"],
            )
    areas = "|".join(re.escape(a) for a in POPULATION)
    if m := re.search(
        rf"({areas}) is marked with a diamond at ([\d.]+) per 1,000 "
        rf"\(95% interval ([\d.]+) to ([\d.]+)\); "
        rf"rates range from ([\d.]+) in ({areas}) to ([\d.]+) in ({areas})\.",
        text,
    ):
        rate_relations(ledger, f"{where}, comparison chart", ("area_count", key, m.group(1)), *m.group(2, 3, 4))
        for rate, area in (m.group(5, 6), m.group(7, 8)):
            rate_relations(ledger, f"{where}, comparison chart", ("area_count", key, area), rate)


def rate_relations(ledger: Ledger, where: str, count: Key, rate: str, lower: str = "", upper: str = "") -> None:
    """A rate per 1,000 residents (and its interval) of a count, the residents being published."""
    population = POPULATION[count[-1]] if count[-1] in POPULATION else POPULATION[AREA]
    for shown, part in ((rate, "rate"), (lower, "lower"), (upper, "upper")):
        if number(shown) is not None:
            ledger.later(
                lambda s=shown, p=part: ledger.relate(
                    where, [count], lambda v: f"{getattr(stats.rate_per_1000(v[count], population), p):.2f}" == s
                )
            )


def harm_terms(evidence: Evidence, key: str, eliminate: str | None = None) -> list[tuple[float, Key]]:
    """A priority's harm as weights x counts; `eliminate` writes that type as the total less the others."""
    weights = dict(zip(evidence.tables.harm_weights["crime_type"], evidence.tables.harm_weights["weight"]))
    types = [t for t in types_of(key) if t in weights]
    if len(types_of(key)) == 1:
        return [(weights[t], ("total", key, "current")) for t in types]
    if eliminate is None:
        return [(weights[t], ("type_total", key, t, "current")) for t in types]
    # sum w_t x_t with x_e = total - sum of the others.
    return [(weights[eliminate], ("total", key, "current"))] + [
        (weights[t] - weights[eliminate], ("type_total", key, t, "current")) for t in types if t != eliminate
    ]


def harm_forms(evidence: Evidence, keys: list[str]) -> list[list[tuple[float, Key]]]:
    """Every way of writing the harm of these priorities from published counts."""
    choices = [[None] + (types_of(k) if len(types_of(k)) > 1 else []) for k in keys]
    return [
        sum((harm_terms(evidence, k, e) for k, e in zip(keys, chosen)), []) for chosen in itertools.product(*choices)
    ]


def criterion_texts(documents: list[Document], evidence: Evidence) -> list[tuple[str, str, str, str, str]]:
    """(priority, criterion, where, evidence, reason) from every table of criteria in the run."""
    titles = {t: p.key for p in evidence.assessment.priorities for t in (p.title, f"{p.title} (candidate)")}
    found = []
    for document in documents:
        for caption, frame in document.tables:
            if {"priority", "criterion", "evidence", "reason"} <= set(frame.columns):
                found += [
                    (r["priority"], r["criterion"], f"{document.name}", r["evidence"], r["reason"])
                    for r in frame.to_dict("records")
                ]
            elif {"Criterion", "Evidence", "Reason"} <= set(frame.columns):
                for r in frame.to_dict("records"):
                    key = (
                        titles[r["Issue"]]
                        if "Issue" in r
                        else titles[
                            caption.split(f": the {wording.number(len(evidence.assessment.criteria))} criteria")[0]
                        ]
                    )
                    found.append((key, CRITERION_KEYS[r["Criterion"]], document.name, r["Evidence"], r["Reason"]))
    return found


def read_criterion(
    ledger: Ledger, evidence: Evidence, key: str, criterion: str, where: str, text: str, reason: str
) -> None:
    """The figures in one criterion's evidence and reason."""
    where = f"{where}, {key} {criterion}"
    total, previous = ("total", key, "current"), ("total", key, "previous")
    police = [p.key for p in evidence.assessment.priorities if p.has_police_data]
    if criterion == "trend" and types_of(key):
        if m := re.match(rf"({COUNT_OR_WORDS}) in .+? against ({COUNT_OR_WORDS}) in the previous \d+ months", text):
            ledger.put(total, where, m.group(1))
            ledger.put(previous, where, m.group(2))
        change_relations(ledger, where, total, previous, text, reason, ".3g")
    elif criterion == "trend":
        if m := re.match(rf"(.+?): ({COUNT_OR_WORDS}) in (.+?) against ({COUNT_OR_WORDS}) in (.+?) \(", text):
            name, latest, now, before, then = m.groups()
            ledger.put(indicator_key(name, AREA, now), where, latest)
            ledger.put(indicator_key(name, AREA, then), where, before)
        if m := re.match(r"(.+?) (?:rose|fell|held steady)", reason):
            rows = INDICATORS[(INDICATORS["indicator"] == m.group(1)) & (INDICATORS["area"] == AREA)]
            rows = rows.sort_values("start")
            latest, before = (indicator_key(m.group(1), AREA, label) for label in rows["label"].iloc[[-1, -2]])
            change_relations(ledger, where, latest, before, text, reason, ".3g")
    elif criterion == "volume":
        if m := re.match(rf"({COUNT_OR_WORDS}) of ([\d,]+) recorded", text):
            ledger.put(total, where, m.group(1))
            ledger.put(("area_total",), where, m.group(2))
            ledger.later(
                lambda: ledger.relate_sum(
                    f"{where}: the area's total", [(1, ("total", k, "current")) for k in police], ("area_total",)
                )
            )
            if s := re.search(r"\(([\d.]+)%\)", text) or re.search(r"made up ([\d.]+)%", reason):
                area_total = number(m.group(2))
                ledger.later(
                    lambda: ledger.relate(
                        f"{where}: share", [total], lambda v: f"{v[total] / area_total:.1%}" == f"{s.group(1)}%"
                    )
                )
    elif criterion == "harm":
        if m := re.match(r"([\d,]+) of ([\d,]+) .+? of harm", text):
            harm, area_harm = m.groups()
            for terms in harm_forms(evidence, [key]):
                ledger.later(lambda t=terms: ledger.relate_sum(f"{where}: harm", t, interval(harm)))
            for terms in harm_forms(evidence, police):
                ledger.later(lambda t=terms: ledger.relate_sum(f"{where}: the area's harm", t, interval(area_harm)))
            if s := re.search(r"\(([\d.]+)%\)", text):
                share = interval(s.group(1), number(area_harm) / 100)
                for terms in harm_forms(evidence, [key]):
                    ledger.later(lambda t=terms: ledger.relate_sum(f"{where}: share of harm", t, share))
    elif criterion == "comparison":
        if m := re.match(r"(?:(.+?): )?([\d.]+) per 1,000 residents against ([\d.]+) across \d+ areas, (.+?);", text):
            name, rate, target, period = m.groups()
            counts = (
                [indicator_key(name, a, period) for a in POPULATION]
                if name
                else [("area_count", key, a) for a in POPULATION]
            )
            here = counts[list(POPULATION).index(AREA)]
            if not name:
                ledger.later(lambda: ledger.relate_sum(f"{where}: the area's count", [(1, here)], total))
            rate_relations(ledger, f"{where}: the area's rate", here, rate)
            county = interval(target, sum(POPULATION.values()) / 1000)
            ledger.later(lambda: ledger.relate_sum(f"{where}: the county rate", [(1, c) for c in counts], county))
            if phi := re.search(r"phi = ([\d.]+)", text):
                ledger.later(
                    lambda: ledger.relate(
                        f"{where}: overdispersion",
                        counts,
                        lambda v: f"{dispersion([v[c] for c in counts]):.1f}" == phi.group(1),
                    )
                )
        elif m := re.match(r"(.+?): ([\d,.]+) \((.+?)\) against a median of [\d,.]+ across \d+ areas, (.+?);", text):
            ledger.put(indicator_key(m.group(1), AREA, m.group(4)), where, m.group(2))


def dispersion(counts: list[float]) -> float:
    populations = list(POPULATION.values())
    return stats.overdispersion_factor(counts, populations, target_rate=sum(counts) / sum(populations) * 1000)


def change_relations(ledger: Ledger, where: str, now: Key, before: Key, text: str, reason: str, p_format: str) -> None:
    """Rate ratio, p-value, direction and percentage change of two counts."""

    def test(v):
        return stats.compare_periods(int(v[now]), int(v[before]))

    if ratio := re.search(r"rate ratio ([\d.]+) \(([\d.]+) to ([\d.]+)\)", text):
        ledger.later(
            lambda: ledger.relate(
                f"{where}: rate ratio",
                [now, before],
                lambda v: (
                    (f"{test(v).ratio:.2f}", f"{test(v).ratio_lower:.2f}", f"{test(v).ratio_upper:.2f}")
                    == ratio.groups()
                ),
            )
        )
    if p := re.search(r"p = ([\d.e+-]+)", text):
        ledger.later(
            lambda: ledger.relate(
                f"{where}: p-value", [now, before], lambda v: f"{test(v).p_value:{p_format}}" == p.group(1)
            )
        )
    if words := re.search(r" (rose|fell|held steady)(?: (\d+)%)?", reason):
        direction, pct = words.groups()

        def holds(v) -> bool:
            sign = {"rose": 1, "fell": -1, "held steady": 0}[direction]
            if (v[now] > v[before]) - (v[now] < v[before]) != sign:
                return False
            return pct is None or (v[before] > 0 and f"{abs(100 * (v[now] - v[before]) / v[before]):.0f}" == pct)

        ledger.later(lambda: ledger.relate(f"{where}: change in words", [now, before], holds))


def relate_change(ledger: Ledger, where: str, column: str, key: str, now: Key, pct: str) -> None:
    """A % change of this quarter on the previous one, the one a year earlier or the baseline."""
    if column.endswith("baseline"):
        total = ("total", key, "current")
        ledger.relate(
            f"{where}, change on the baseline",
            [now, total],
            lambda v: f"{100 * (v[now] - (v[total] - v[now]) / 3) / ((v[total] - v[now]) / 3):+.1f}" == pct,
        )
        return
    before = ("quarter", key, QUARTERS["previous" if column.endswith("previous quarter") else "year"])
    ledger.relate(
        f"{where}, % change", [now, before], lambda v: f"{100 * (v[now] - v[before]) / v[before]:+.1f}" == pct
    )


def read_monitoring(ledger: Ledger, document: Document, evidence: Evidence) -> None:
    """The quarterly counts (with p-values and the baseline), their chart and the measures by quarter."""
    where = document.name
    titles = {p.title: p.key for p in evidence.assessment.priorities}
    if (table := document.table("per quarter")) is not None:
        for row in table.to_dict("records"):
            key = titles[row.pop("Priority")]
            now = ("quarter", key, QUARTERS["this"])
            for column, text in row.items():
                # The baseline is the rest of the period per quarter: (total - this quarter) / 3.
                if column.startswith("Baseline"):
                    if number(text) is not None:
                        ledger.later(
                            lambda t=text, k=key, n=now: ledger.relate_sum(
                                f"{where}, baseline", [(1, ("total", k, "current")), (-1, n)], interval(t, 3)
                            )
                        )
                    continue
                if column.startswith("Change on"):
                    if m := re.fullmatch(r"([+-][\d.]+)%", text):
                        change = m.group(1)
                        ledger.later(
                            lambda c=column, k=key, n=now, pct=change: relate_change(ledger, where, c, k, n, pct)
                        )
                    continue
                which = QUARTER_LABELS[column.split(" (")[0].lower()]
                quarter = ("quarter", key, QUARTERS[which])
                ledger.put(quarter, f"{where}, quarterly table", text.split(" (")[0])
                if m := re.search(r"p = ([\d.e+-]+)\)$", text):
                    p = m.group(1)
                    ledger.later(
                        lambda n=now, q=quarter, p=p: ledger.relate(
                            f"{where}, quarterly p-value",
                            [n, q],
                            lambda v: f"{stats.compare_periods(int(v[n]), int(v[q])).p_value:.2g}" == p,
                        )
                    )
    titles_pattern = "|".join(re.escape(t) for t in titles)
    for m in re.finditer(rf"({titles_pattern}): ((?:[a-z ()]+ [\d,]+(?:, )?)+)", document.text):
        key = titles[m.group(1)]
        for label, value in re.findall(r"([a-z][a-z ()]+?) (\d+(?:,\d{3})*)", m.group(2)):
            if label.startswith("baseline"):
                ledger.later(
                    lambda k=key, t=value: ledger.relate_sum(
                        f"{where}, quarterly chart baseline", [(1, ("total", k, "current"))], interval(t, 4)
                    )
                )
            else:
                ledger.put(("quarter", key, QUARTERS[QUARTER_LABELS[label]]), f"{where}, quarterly chart", value)
    if (table := document.table("Partner returns per quarter")) is not None:
        for row in table.to_dict("records"):
            period = row["Latest quarter returned"].removesuffix(" (older than the quarter monitored)")
            key = indicator_key(row["Partner figure"], AREA, period)
            ledger.put(key, f"{where}, partner returns per quarter", row["Latest"])
    if (table := document.table("Success measures this quarter")) is not None:
        ends = {
            "This quarter": "2022-12-31",
            "Previous quarter": "2022-09-30",
            "Same quarter a year earlier": "2021-12-31",
        }
        for row in table.to_dict("records"):
            indicator = next((m.get("indicator") for m in MEASURES["measures"] if m["title"] == row["Measure"]), None)
            for column, end in ends.items():
                rows = INDICATORS[
                    (INDICATORS["indicator"] == indicator) & (INDICATORS["area"] == AREA) & (INDICATORS["end"] <= end)
                ].sort_values("end")
                if indicator and len(rows):
                    ledger.put(
                        indicator_key(indicator, AREA, rows["label"].iloc[-1]),
                        f"{where}, measures by quarter",
                        row[column].split(" (")[0],
                    )


def read_partner_figures(ledger: Ledger, document: Document) -> None:
    """Partner figures on the pages, the workbook's Indicators sheet and the success measures."""
    for caption, frame in document.tables:
        if "figures from partners" in caption:
            # One row per indicator: its latest figure, and the one it is compared with, "743 (Oct 2018 to Sep 2019)".
            for row in frame.to_dict("records"):
                area = row.get("Area", AREA)
                ledger.put(indicator_key(row["Indicator"], area, row["Period"]), document.name, row["Latest"])
                if m := re.match(rf"({COUNT_OR_WORDS}) \((.+)\)$", row["Compared with"]):
                    ledger.put(indicator_key(row["Indicator"], area, m.group(2)), document.name, m.group(1))
        elif caption == "Partner figures":
            # The workbook leaves a figure not shown blank, its Note saying how it is withheld.
            for row in frame.to_dict("records"):
                shown = row["Value"] if row["Value"] != "" else row["Note"]
                ledger.put(indicator_key(row["Indicator"], row["Area"], row["Period"]), document.name, shown)
        elif caption.startswith("Success measures,"):
            for row in frame.to_dict("records"):
                measure = next(m for m in MEASURES["measures"] if m["title"] == row["Measure"])
                if "indicator" not in measure or row["Period"] == "none":
                    continue
                ledger.put(
                    indicator_key(measure["indicator"], AREA, row["Period"]), document.name, row["Position or value"]
                )
                if m := re.match(rf"({COUNT_OR_WORDS}) against ({COUNT_OR_WORDS}) in (.+?) \(", row["Evidence"]):
                    ledger.put(indicator_key(measure["indicator"], AREA, m.group(3)), document.name, m.group(2))


def county_rows(ledger: Ledger) -> None:
    """A partner figure for an area outside the comparators (the county) is their total."""
    for (indicator, start, end), rows in INDICATORS.groupby(["indicator", "start", "end"]):
        outside = rows[~rows["area"].isin(POPULATION)]
        inside = [("indicator", indicator, a, start, end) for a in rows["area"] if a in POPULATION]
        for area in outside["area"]:
            ledger.later(
                lambda i=inside, t=("indicator", indicator, area, start, end): ledger.relate_sum(
                    f"{t[2]} total of {t[1]}", [(1, k) for k in i], t
                )
            )


def structure(ledger: Ledger, evidence: Evidence) -> None:
    """The sums every published count table obeys: rows, columns, totals and quarters."""
    for priority in evidence.assessment.priorities:
        if not priority.has_police_data:
            continue
        key, types, column = priority.key, list(priority.crime_types), all_column(priority.key)
        months = MONTHS[2022]
        total = ("total", key, "current")
        sums = [
            (f"{key} {m}: the row's total", [("cell", key, m, t) for t in types], ("cell", key, m, "All"))
            for m in months
            if len(types) > 1
        ]
        sums += [
            (f"{key} {t}: the column's total", [("cell", key, m, t) for m in months], ("type_total", key, t, "current"))
            for t in types
            if len(types) > 1
        ]
        sums += [
            (f"{key}: the monthly total", [("cell", key, m, column) for m in months], total),
            (f"{key}: the total of the breakdown", [("type_total", key, t, "current") for t in types], total),
            (
                f"{key}: the previous total of the breakdown",
                [("type_total", key, t, "previous") for t in types],
                ("total", key, "previous"),
            ),
        ]
        sums += [
            (
                f"{key} {first} to {last}: the quarter",
                [("cell", key, m, column) for m in month_range(first, last)],
                ("quarter", key, (first, last)),
            )
            for first, last in QUARTERS.values()
            if first.startswith("2022")
        ]
        sums.append((f"{key}: the area's count", [("area_count", key, AREA)], total))
        for where, parts, whole in sums:
            ledger.later(lambda w=where, p=parts, t=whole: ledger.relate_sum(w, [(1, k) for k in p], t))


# --- the tests ----------------------------------------------------------------------------------


@dataclass
class Run:
    out: Path
    evidence: Evidence
    documents: list[Document]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    """The synthetic case through the real pipeline, once for the module."""
    root = tmp_path_factory.mktemp("disclosure")
    params = build_case(root)
    out = root / "out"
    result = assess("run", "--params", str(params), "--out", str(out), "--as-of", "2022-12-31")
    assert result.returncode == 0, result.stderr
    return Run(out, Evidence.load(params), read_published(out))


def published_ledger(run: Run) -> Ledger:
    """Every published figure read into the quantities it stands for, with the relations between them."""
    ledger = Ledger(secrets(run.evidence))
    pages = {run.evidence.assessment.page_stem(key): key for key in PRIORITIES["priorities"]}
    for document in run.documents:
        stem = document.name.split()[-1].rsplit(".", 1)[0]
        if stem in pages and types_of(pages[stem]):
            read_priority_page(ledger, document, pages[stem])
        if stem == "95_monitoring":
            read_monitoring(ledger, document, run.evidence)
        read_partner_figures(ledger, document)
    for key, criterion, where, text, reason in criterion_texts(run.documents, run.evidence):
        read_criterion(ledger, run.evidence, key, criterion, where, text, reason)
    county_rows(ledger)
    structure(ledger, run.evidence)
    return ledger


def test_the_case_puts_small_counts_everywhere(run):
    """The data hold what the attack needs: small months, types, totals, areas and partner counts."""
    secret = secrets(run.evidence)
    kinds = defaultdict(int)
    for key in secret:
        kinds[key[0]] += 1
    assert kinds["cell"] >= 5 and kinds["type_total"] >= 2 and kinds["total"] == 2
    assert kinds["area_count"] >= 3 and kinds["indicator"] >= 4
    assert ("total", "weapons", "previous") in secret and ("area_count", "serious_acquisitive", "Swale") in secret
    assert ("quarter", "serious_acquisitive", QUARTERS["previous"]) in secret
    # Every crime type belongs to exactly one priority, so the area's totals are sums of priority totals.
    types = [
        t for key in ("serious_acquisitive", "asb", "substance_misuse", "weapons", "burglary") for t in types_of(key)
    ]
    assert sorted(types) == sorted(SEVENOAKS)


def test_no_suppressed_count_can_be_read_back(run):
    ledger = published_ledger(run)
    leaks = ledger.attack()
    # The reading found each hidden count where the run shows it (in words): the attack saw its places.
    placed = [
        k
        for k in ledger.secret
        if k[0] in ("indicator", "total")
        or (k[1] == "serious_acquisitive" and k[0] in ("cell", "type_total", "area_count"))
    ]
    assert len(placed) >= 15 and not [k for k in placed if not ledger.places.get(k)]
    assert not leaks, f"{len(leaks)} of {len(ledger.secret)} suppressed counts can be read:\n" + "\n".join(leaks)


# Words around figures that say nothing of a count: periods, ranks, the number of areas, funnel limits.
SAFE = re.compile(
    r"(January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}|previous \d+ months|\d+ areas"
    r"|rank(?:ed)? \d+ of \d+|\(1 = lowest(?: rate)?\)|\b9(?:5|9\.8)%|fewer than \d+|per 1,000 residents"
    # Facts about the method, not the data: the population estimate's year, the family of tests.
    r"|mid-\d{4} estimate|with the \d+ \w+ tests of this assessment at a \d+% false discovery rate"
)


@pytest.mark.parametrize(
    "key, criterion",
    [
        ("weapons", "trend"),
        ("weapons", "volume"),
        ("weapons", "harm"),
        ("weapons", "comparison"),
        ("serious_acquisitive", "harm"),
        ("domestic_abuse", "trend"),
        ("domestic_abuse", "comparison"),
    ],
)
def test_no_figure_is_left_in_a_suppressed_criterion(run, key, criterion):
    """Whatever its wording, a criterion resting on hidden counts shows no figure at all."""
    texts = [
        (where, f"{text} {reason}")
        for k, c, where, text, reason in criterion_texts(run.documents, run.evidence)
        if (k, c) == (key, criterion)
    ]
    assert len(texts) >= 3
    for where, text in texts:
        assert not re.search(r"\d", SAFE.sub("", text)), f"{where}: {text}"


def test_what_is_not_sensitive_is_shown_as_it_was(run):
    """Small counts of subjects that are not sensitive, and large counts of sensitive ones, are shown."""
    documents = {d.name: d for d in run.documents}
    drugs = documents[f"page {run.evidence.assessment.page_stem('substance_misuse')}.html"].table("per month")
    assert list(drugs["Drugs"][:3]) == ["3", "12", "2"]
    flytipping = documents["page 20_asb.html"].table("figures from partners")
    assert list(flytipping["Latest"]) == ["2"] and list(flytipping["Compared with"]) == ["3 (Jul 2022 to Sep 2022)"]
    criteria = documents["criteria.csv"].tables[0][1].set_index(["priority", "criterion"])
    assert criteria.loc[("asb", "trend"), "evidence"].startswith("2,010 in January to December 2022 against 1,902 ")
    assert criteria.loc[("asb", "trend"), "reason"] == (
        "Anti-social behaviour rose 6% year on year, not a significant change."
    )
    violence = documents["page 10_serious_acquisitive.html"]
    assert "Police recorded 56 offences" in violence.text and "The previous 12 months had 68:" in violence.text
    assert criteria.loc[("serious_acquisitive", "comparison"), "evidence"].startswith("2.80 per 1,000 residents")

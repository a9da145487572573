"""Re-derive the embedded default in `data/` from the raw open data in `../shared/data/`.

Run `python scripts/derive_default_data.py` after the raw files change. The tests derive
again and compare with what is committed, so the two cannot drift apart.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from assess.data.counts import write_counts
from assess.data.geography import Geography
from assess.data.indicators import INDICATOR_COLUMNS
from assess.data.police_uk import IngestReport, read_street_files
from assess.data.population import read_ons_mid_year_estimate
from assess.errors import InputError
from assess.paths import DEFAULT_DATA_DIR

DEFAULT_FORCE = "Kent"
DEFAULT_YEAR = "2022"
POPULATION_YEAR = 2020
HARM_SOURCE = "Cambridge Crime Harm Index (2026 update), median per offence subgroup"


def derive_districts(shared: Path) -> pd.DataFrame:
    """Every district of England and Wales with its CSP and police force area (ONS, Dec 2019)."""
    lookup = pd.read_csv(shared / "reference" / "lad-to-csp-2019.csv", sep=";", dtype=str)
    return pd.DataFrame(
        {
            "area_code": lookup["lad-code"],
            "area": lookup["lad-name"],
            "csp": lookup["csp-name"],
            "force": lookup["PFA21NM"],
        }
    ).sort_values("area_code", ignore_index=True)


def derive_lsoa_lookup(shared: Path, districts: pd.DataFrame, force: str) -> pd.DataFrame:
    """LSOA (2011) -> district for one force area, from the IoD 2019 file 1."""
    imd = pd.read_excel(shared / "reference" / "imd2019-lsoa-file1.xlsx", sheet_name="IMD2019", engine="calamine")
    codes = set(districts.loc[districts["force"] == force, "area_code"])
    rows = imd[imd["Local Authority District code (2019)"].isin(codes)]
    if rows.empty:
        raise InputError(f"no LSOAs found for force {force!r} in the IoD 2019 file")
    return pd.DataFrame(
        {
            "lsoa_code": rows["LSOA code (2011)"],
            "lsoa_name": rows["LSOA name (2011)"],
            "area_code": rows["Local Authority District code (2019)"],
            "area": rows["Local Authority District name (2019)"],
        }
    ).sort_values("lsoa_code", ignore_index=True)


def derive_harm_weights(shared: Path) -> pd.DataFrame:
    """Crime Harm Index days per data.police.uk crime type (no weight exists for ASB)."""
    weights = pd.read_csv(shared / "reference" / "cchi-weights-by-crime-type.csv")
    return pd.DataFrame(
        {
            "crime_type": weights["crime_type"],
            "weight": weights["cchi_days"],
            "unit": "days of imprisonment",
            "source": HARM_SOURCE,
        }
    ).sort_values("crime_type", ignore_index=True)


DEFRA_SOURCE = "DEFRA, fly-tipping incidents and actions reported by local authorities (WasteDataFlow), OGL"
PHE_SOURCE = "Public Health England, Fingertips ({indicator}), OGL"
# Fingertips indicator file -> (indicator name in the workbook, priority it informs, unit).
PHE_FILES = {
    "alcohol-related-admissions.csv": (
        "Alcohol-related hospital admissions",
        "substance_misuse",
        "standardised rate per 100,000",
    ),
    "alcohol-related-mortality.csv": ("Alcohol-related mortality", "substance_misuse", "standardised rate per 100,000"),
    "admissions-self-harm.csv": (
        "Emergency hospital admissions for intentional self-harm",
        "safeguarding",
        "standardised rate per 100,000",
    ),
}


def _period(label: str) -> tuple[str, str]:
    """'2017-18' or '2017/18' (financial year) or '2017' (calendar year) as ISO start and end dates."""
    first = int(label[:4])
    if len(label) == 4:
        return f"{first}-01-01", f"{first}-12-31"
    return f"{first}-04-01", f"{first + 1}-03-31"


def derive_flytipping(shared: Path, districts: pd.DataFrame, force: str) -> pd.DataFrame:
    """DEFRA fly-tipping incidents and enforcement actions per district of one force, per year."""
    codes = districts.loc[districts["force"] == force].set_index("area_code")["area"]
    workbook = shared / "partners" / "defra-flytipping-la-2012-13-to-2017-18.xlsx"
    rows = []
    for sheet, column, indicator in (
        ("LA_incidents", "Total Incidents", "Fly-tipping incidents (DEFRA)"),
        ("LA_actions", "Total Actions", "Fly-tipping enforcement actions (DEFRA)"),
    ):
        table = pd.read_excel(workbook, sheet_name=sheet, header=2, engine="calamine")
        table = table[table["ONS Code"].isin(codes.index)]
        values = pd.to_numeric(table[column], errors="coerce")
        for (year, code), value in zip(zip(table["Year"], table["ONS Code"]), values):
            if pd.isna(value):
                continue  # DEFRA marks data not available with ':'
            start, end = _period(str(year))
            rows.append([indicator, "asb", codes[code], start, end, int(value), "count", DEFRA_SOURCE])
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS).sort_values(
        ["indicator", "area", "period_start"], ignore_index=True
    )


def derive_fingertips(shared: Path, districts: pd.DataFrame, force: str) -> pd.DataFrame:
    """PHE Fingertips rates (alcohol, self-harm) per district of one force, per period."""
    codes = districts.loc[districts["force"] == force].set_index("area_code")["area"]
    frames = []
    for name, (indicator, priority, unit) in PHE_FILES.items():
        table = pd.read_csv(shared / "partners" / name, dtype={"period": str})
        table = table[table["area_code"].isin(codes.index)].dropna(subset=["value"])
        periods = [_period(p) for p in table["period"]]
        frames.append(
            pd.DataFrame(
                {
                    "indicator": indicator,
                    "priority": priority,
                    "area": table["area_code"].map(codes).to_numpy(),
                    "period_start": [p[0] for p in periods],
                    "period_end": [p[1] for p in periods],
                    "value": table["value"].to_numpy(),
                    "unit": unit,
                    "source": PHE_SOURCE.format(indicator=table["indicator"].iloc[0]),
                }
            )
        )
    return pd.concat(frames, ignore_index=True).sort_values(["indicator", "area", "period_start"], ignore_index=True)


def derive_default(shared: Path, out: Path) -> IngestReport:
    """Write every embedded table into `out`, returning the ingest report of the counts."""
    out.mkdir(parents=True, exist_ok=True)
    districts = derive_districts(shared)
    districts.to_csv(out / "districts.csv", index=False, lineterminator="\n")
    derive_lsoa_lookup(shared, districts, DEFAULT_FORCE).to_csv(
        out / "lsoa_lookup.csv", index=False, lineterminator="\n"
    )
    population = read_ons_mid_year_estimate(
        shared / "reference" / f"ons-mye-mid{POPULATION_YEAR}-persons.xls", POPULATION_YEAR
    )
    population.to_csv(out / "population.csv", index=False, lineterminator="\n")
    derive_harm_weights(shared).to_csv(out / "harm_weights.csv", index=False, lineterminator="\n")
    partners = out / "partners"
    partners.mkdir(exist_ok=True)
    derive_flytipping(shared, districts, DEFAULT_FORCE).to_csv(
        partners / "defra-flytipping.csv", index=False, lineterminator="\n"
    )
    derive_fingertips(shared, districts, DEFAULT_FORCE).to_csv(
        partners / "phe-fingertips.csv", index=False, lineterminator="\n"
    )

    # The alias table is curated by hand, not derived: carry it along.
    aliases = DEFAULT_DATA_DIR / "district_aliases.csv"
    if (out / aliases.name).resolve() != aliases.resolve():
        shutil.copyfile(aliases, out / aliases.name)
    geography = Geography.from_dir(out)
    files = sorted((shared / "police-uk" / "kent").glob(f"{DEFAULT_YEAR}-*-street.csv"))
    counts, report = read_street_files(files, geography)
    write_counts(counts, out / "counts.csv")
    return report

"""Re-derive the embedded default in `data/` from the raw open data in `../shared/data/`.

Run `python scripts/derive_default_data.py` after the raw files change. The tests derive
again and compare with what is committed, so the two cannot drift apart.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from assess.data.counts import write_counts
from assess.data.geography import Geography, normalise_name
from assess.data.police_uk import IngestReport, ingest_street_files
from assess.data.population import read_ons_mid_year_estimate
from assess.data.small_areas import write_lsoa_counts, write_lsoa_points
from assess.data.tables import read_table
from assess.errors import InputError
from assess.paths import DEFAULT_DATA_DIR

DEFAULT_FORCE = "Kent"
DEFAULT_YEAR = "2022"
POPULATION_YEARS = (2019, 2020)
# The partner tables: the indicator columns with each row's ONS code beside its name.
PARTNER_COLUMNS = [
    "indicator",
    "priority",
    "area",
    "area_code",
    "period_start",
    "period_end",
    "value",
    "unit",
    "source",
]
HARM_SOURCE = "Cambridge Crime Harm Index (2026 update), median per offence subgroup"


def derive_districts(shared: Path, changes: pd.DataFrame) -> pd.DataFrame:
    """Every district of England and Wales with its CSP(s) and police force area.

    The ONS LAD -> CSP -> PFA lookup has a row per CSP of a district (Buckinghamshire has
    four); they are joined with "; ". Successors created after the lookup (curated in
    `district_changes.csv`) are added with the CSPs and force of their predecessors.
    """
    lookup = pd.read_csv(shared / "reference" / "lad-to-csp-2019.csv", sep=";", dtype=str).drop_duplicates()
    lookup = lookup.rename(
        columns={
            "lad-code": "area_code",
            "lad-name": "area",
            "csp-name": "csp",
            "PFA21CD": "force_code",
            "PFA21NM": "force",
        }
    )
    later = changes[~changes["successor_code"].isin(lookup["area_code"])]
    successors = later.merge(lookup, left_on="predecessor_code", right_on="area_code", how="left", suffixes=("", "_"))
    unknown = successors["force"].isna()
    if unknown.any():
        raise InputError(
            f"district_changes.csv: predecessor {successors.loc[unknown, 'predecessor_code'].iloc[0]} of a successor "
            "missing from the ONS lookup is not in the lookup either; correct the code"
        )
    successors = successors.assign(area_code=successors["successor_code"], area=successors["successor"])
    rows = pd.concat([lookup, successors[lookup.columns]], ignore_index=True)
    by_district = rows.groupby(["area_code", "area"], as_index=False).agg(
        csp=("csp", lambda names: "; ".join(sorted(set(names)))),
        force_code=("force_code", _the_one),
        force=("force", _the_one),
    )
    return by_district.sort_values("area_code", ignore_index=True)


def _the_one(values: pd.Series) -> str:
    """The single value a district's rows share; a district in two forces is a fault of the lookup."""
    distinct = sorted(set(values))
    if len(distinct) != 1:
        raise InputError(f"lad-to-csp-2019.csv: one district in several forces ({', '.join(distinct)})")
    return distinct[0]


def derive_lsoa_lookup(imd: pd.DataFrame) -> pd.DataFrame:
    """LSOA (2011) -> district code and IMD 2019 decile (1 = most deprived 10%) for every English LSOA,
    from the IoD 2019 file 1."""
    return pd.DataFrame(
        {
            "lsoa_code": imd["LSOA code (2011)"],
            "lsoa_name": imd["LSOA name (2011)"],
            "area_code": imd["Local Authority District code (2019)"],
            "imd_decile": imd["Index of Multiple Deprivation (IMD) Decile"].astype("int64"),
        }
    ).sort_values("lsoa_code", ignore_index=True)


# Spellings met outside the 2011 LSOA names (police and partner files), with why.
OTHER_ALIASES = (
    ("Bristol", "E06000023", "data.police.uk and partner files drop ', City of'"),
    ("Kingston upon Hull", "E06000010", "data.police.uk and partner files drop ', City of'"),
    ("Hull", "E06000010", "the short name used by Humberside Police and the council"),
    ("Herefordshire", "E06000019", "data.police.uk and partner files drop ', County of'"),
    ("The Vale of Glamorgan", "W06000014", "the council's own name, used in Welsh returns"),
    ("Rhondda Cynon Taff", "W06000016", "the anglicised spelling"),
    ("Ynys Mon", "W06000001", "the Welsh name of the Isle of Anglesey, without the circumflex"),
    ("Ynys M\u00f4n", "W06000001", "the Welsh name of the Isle of Anglesey"),
)


def derive_aliases(imd: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Names that stand for a district: every LSOA name prefix that is not the district's own name.

    The 2011 LSOA names keep the names districts had in 2011 ("Shepway 001A",
    "Bristol 001A"); each such prefix becomes an alias of the 2019 district its LSOAs lie
    in, unless it names a merged predecessor ("Taunton Deane 001A"), which
    `district_changes.csv` already places. A few spellings met in other files are added
    (`OTHER_ALIASES`).
    """
    prefix = imd["LSOA name (2011)"].str.replace(r"\s+\d{3}[A-Z]$", "", regex=True)
    code = imd["Local Authority District code (2019)"]
    name = imd["Local Authority District name (2019)"]
    predecessor = prefix.map(normalise_name).isin(changes["predecessor"].map(normalise_name))
    differs = pd.DataFrame({"alias": prefix, "area_code": code, "name": name})[(prefix != name) & ~predecessor]
    differs = differs.drop_duplicates()
    derived = differs.assign(
        note=[f"2011 LSOA names use '{a}' for {n}" for a, n in zip(differs["alias"], differs["name"])]
    )[["alias", "area_code", "note"]]
    other = pd.DataFrame(OTHER_ALIASES, columns=["alias", "area_code", "note"])
    return (
        pd.concat([derived, other], ignore_index=True).drop_duplicates("alias").sort_values("alias", ignore_index=True)
    )


def derive_population(shared: Path) -> pd.DataFrame:
    """Mid-2019 and mid-2020 estimates for every district, from the ONS MYE2 workbooks."""
    years = [
        read_ons_mid_year_estimate(shared / "reference" / f"ons-mye-mid{year}-persons.xls", year)
        for year in POPULATION_YEARS
    ]
    return pd.concat(years, ignore_index=True).sort_values(["area_code", "year"], ignore_index=True)


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
            rows.append([indicator, "asb", codes[code], code, start, end, int(value), "count", DEFRA_SOURCE])
    return pd.DataFrame(rows, columns=PARTNER_COLUMNS).sort_values(
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
                    "area_code": table["area_code"].to_numpy(),
                    "period_start": [p[0] for p in periods],
                    "period_end": [p[1] for p in periods],
                    "value": table["value"].to_numpy(),
                    "unit": unit,
                    "source": PHE_SOURCE.format(indicator=table["indicator"].iloc[0]),
                }
            )
        )
    return pd.concat(frames, ignore_index=True).sort_values(["indicator", "area", "period_start"], ignore_index=True)


CURATED = ("district_changes.csv", "forces.csv")
"""Reference tables written by hand from the statutory instruments and data.police.uk (see data/README.md)."""


def derive_default(shared: Path, out: Path) -> IngestReport:
    """Write every embedded table into `out`, returning the ingest report of the counts."""
    out.mkdir(parents=True, exist_ok=True)
    # The curated tables are not derived: carry them along, since the derivation reads them.
    for name in CURATED:
        if (out / name).resolve() != (DEFAULT_DATA_DIR / name).resolve():
            shutil.copyfile(DEFAULT_DATA_DIR / name, out / name)
    changes = read_table(
        out / "district_changes.csv", ["predecessor_code", "predecessor", "successor_code", "successor"]
    )
    districts = derive_districts(shared, changes)
    _write(districts, out / "districts.csv")
    imd = pd.read_excel(shared / "reference" / "imd2019-lsoa-file1.xlsx", sheet_name="IMD2019", engine="calamine")
    _write(derive_lsoa_lookup(imd), out / "lsoa_lookup.csv")
    _write(derive_aliases(imd, changes), out / "district_aliases.csv")
    _write(derive_population(shared), out / "population.csv")
    _write(derive_harm_weights(shared), out / "harm_weights.csv")
    (out / "partners").mkdir(exist_ok=True)
    _write(derive_flytipping(shared, districts, DEFAULT_FORCE), out / "partners" / "defra-flytipping.csv")
    _write(derive_fingertips(shared, districts, DEFAULT_FORCE), out / "partners" / "phe-fingertips.csv")

    files = sorted((shared / "police-uk" / "kent").glob(f"{DEFAULT_YEAR}-*-street.csv"))
    ingested = ingest_street_files(files, Geography.from_dir(out))
    write_counts(ingested.counts, out / "counts.csv")
    write_lsoa_counts(ingested.lsoa_counts, out / "lsoa_counts.csv")
    write_lsoa_points(ingested.lsoa_points, out / "lsoa_points.csv")
    return ingested.report


def _write(table: pd.DataFrame, path: Path) -> None:
    table.to_csv(path, index=False, lineterminator="\n")

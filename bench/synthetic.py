"""Synthetic data.police.uk street-level files at national scale, in the real format.

Every force area of England and Wales (from data/districts.csv), twelve months, rows spread
over each force's districts with realistic LSOA names ("<district> NNNX"), crime types,
Crime IDs (64 hex characters, empty for ASB) and outcomes, written with pyarrow.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from assess.config import DEFAULT_DATA_DIR
from assess.data.police_uk import CRIME_TYPES, STREET_COLUMNS

OUTCOMES = [
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Status update unavailable",
    "",
]


def write_national_year(folder: Path, rows: int, year: int = 2022, seed: int = 1) -> list[Path]:
    """Write one file per force and month, `rows` records in all; returns the paths."""
    rng = np.random.default_rng(seed)
    districts = pd.read_csv(DEFAULT_DATA_DIR / "districts.csv")
    forces = sorted(districts["force"].unique())
    per_file = max(1, rows // (len(forces) * 12))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for force in forces:
        names = districts.loc[districts["force"] == force, "area"].to_numpy()
        offsets = districts.index[districts["force"] == force].to_numpy()
        for month in range(1, 13):
            n = per_file
            which = rng.integers(0, len(names), n)
            district = names[which]
            lsoa_number = rng.integers(1, 40, n)
            letter_index = rng.integers(0, 5, n)
            letter = np.array(list("ABCDE"))[letter_index]
            # One code per LSOA name, as in the real files (about 66,000 nationally).
            code = 900000 + offsets[which] * 200 + lsoa_number * 5 + letter_index
            crime_type = np.array(CRIME_TYPES)[rng.integers(0, len(CRIME_TYPES), n)]
            is_asb = crime_type == "Anti-social behaviour"
            ids = rng.integers(0, 2**63, (n, 4), dtype=np.int64)
            crime_id = np.array([f"{a:016x}{b:016x}{c:016x}{d:016x}" for a, b, c, d in ids])
            crime_id[is_asb] = ""
            lsoa_name = np.char.add(
                np.char.add(district.astype(str), " "), np.char.add(np.char.zfill(lsoa_number.astype(str), 3), letter)
            )
            table = pa.table(
                {
                    "Crime ID": crime_id,
                    "Month": np.full(n, f"{year}-{month:02d}"),
                    "Reported by": np.full(n, f"{force} Police"),
                    "Falls within": np.full(n, f"{force} Police"),
                    "Longitude": np.round(rng.uniform(-3, 1, n), 6).astype(str),
                    "Latitude": np.round(rng.uniform(50.5, 54, n), 6).astype(str),
                    "Location": np.full(n, "On or near High Street"),
                    "LSOA code": np.char.add("E01", code.astype(str)),  # above every real LSOA code
                    "LSOA name": lsoa_name,
                    "Crime type": crime_type,
                    "Last outcome category": np.where(is_asb, "", np.array(OUTCOMES)[rng.integers(0, 5, n)]),
                    "Context": np.full(n, ""),
                }
            )
            assert table.column_names == list(STREET_COLUMNS)
            path = folder / f"{year}-{month:02d}-{force.lower().replace(' ', '-')}-street.csv"
            pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
            paths.append(path)
    return paths

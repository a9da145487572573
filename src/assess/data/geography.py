"""Where a police record happened: LSOA -> district, and which districts belong to which force.

data.police.uk places each record in a 2011 LSOA whose name is "<district> NNNX". We
prefer an explicit LSOA -> district lookup and fall back to that name prefix (with an
alias table for renamed districts), so a force we have no lookup for still works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assess.data.tables import read_table

# "Sevenoaks 012B" -> "Sevenoaks": three digits and a letter close every LSOA name.
_LSOA_SUFFIX = re.compile(r"\s+\d{3}[A-Z]$")


@dataclass(frozen=True)
class Geography:
    """Reference tables for placing records in districts.

    Attributes
    ----------
    lsoa_to_area
        LSOA code -> district name (may cover only some forces).
    aliases
        Former or variant district name -> current name (e.g. Shepway -> Folkestone and Hythe).
    area_force
        District name -> police force area name, for England and Wales.
    """

    lsoa_to_area: dict[str, str]
    aliases: dict[str, str]
    area_force: dict[str, str]

    @classmethod
    def from_dir(cls, data_dir: Path) -> Geography:
        """Load `lsoa_lookup.csv`, `district_aliases.csv` and `districts.csv` from a data folder."""
        lookup = read_table(data_dir / "lsoa_lookup.csv", ["lsoa_code", "area"])
        aliases = read_table(data_dir / "district_aliases.csv", ["alias", "area"])
        districts = read_table(data_dir / "districts.csv", ["area", "force"])
        return cls(
            lsoa_to_area=dict(zip(lookup["lsoa_code"], lookup["area"])),
            aliases=dict(zip(aliases["alias"], aliases["area"])),
            area_force=dict(zip(districts["area"], districts["force"])),
        )

    def district_from_lsoa_name(self, names: pd.Series) -> pd.Series:
        """District named by each LSOA name's prefix, with renamed districts resolved."""
        prefix = names.str.replace(_LSOA_SUFFIX, "", regex=True).str.strip()
        return prefix.replace(self.aliases)

    def place(self, lsoa_codes: pd.Series, lsoa_names: pd.Series) -> pd.Series:
        """District of each record: the lookup first, else the LSOA name's prefix; NA if neither."""
        by_code = lsoa_codes.map(self.lsoa_to_area)
        by_name = self.district_from_lsoa_name(lsoa_names)
        return by_code.fillna(by_name).replace(self.aliases)

    def force_of(self, areas: pd.Series) -> pd.Series:
        """Police force area of each district, NA where the reference list does not know it."""
        return areas.map(self.area_force)

"""Where a police record happened, by ONS code: LSOA -> district, districts' names, forces and reorganisations.

Every join in the workbook is by ONS district code; names are for display. data.police.uk
places each record in an LSOA whose name is "<district> NNNX". We look the LSOA code up in
the IoD 2019 lookup (every English 2011 LSOA) and fall back to the name's prefix, matched
against district names and aliases, for what the lookup cannot know: Welsh LSOAs and the
2021 LSOAs that newer files use. Districts merged into unitary authorities follow
`district_changes.csv`, so a series can be mapped to the district that exists in a month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from assess.data.tables import first_row, read_table, shown, to_number, whole_between
from assess.errors import InputError

# "Sevenoaks 012B" -> "Sevenoaks": three digits and a letter close every LSOA name.
_LSOA_SUFFIX = re.compile(r"\s+\d{3}[A-Z]$")
# Words that vary between spellings of one district ("Bristol, City of", "The Vale of Glamorgan").
_NAME_NOISE = re.compile(r"\b(the|city of|county of)\b")
# Words that vary between spellings of one force ("Kent Police", "Avon and Somerset Constabulary").
_FORCE_NOISE = re.compile(r"\b(police service|police|constabulary)\b")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
AREA_CODE_PATTERN = r"^[EW]0[6-9]\d{6}$"
"""An ONS local authority district code: E06-E09 in England, W06 in Wales."""


def checked_area_codes(frame: pd.DataFrame, path: Path) -> pd.Series:
    """A table's `area_code` column, trimmed and upper-cased; one line for the first that is not an ONS
    district code, quoted as written so it can be found."""
    return checked_codes(frame, "area_code", AREA_CODE_PATTERN, "an ONS district code such as E07000111", path)


def checked_codes(frame: pd.DataFrame, column: str, pattern: str, what: str, path: Path) -> pd.Series:
    """A table's column of ONS codes, trimmed and upper-cased; one line for the first that does not
    match `pattern` (`what` it must be, in words), quoted as written so it can be found."""
    codes = frame[column].str.strip().str.upper()
    bad = ~codes.str.fullmatch(pattern)
    if bad.any():
        raise InputError(
            f"{path}: row {first_row(bad)}: '{column}' must be {what}, not {shown(frame[column][bad].iloc[0].strip())}"
        )
    return codes


def normalise_name(text: str) -> str:
    """A district name reduced to what identifies it: no case, spaces, punctuation, 'The' or 'City of'."""
    return _NOT_ALNUM.sub("", _NAME_NOISE.sub("", _words(text)))


def normalise_force(text: str) -> str:
    """A force name reduced to what identifies it: 'Devon & Cornwall Police' -> 'devonandcornwall'."""
    return _NOT_ALNUM.sub("", _FORCE_NOISE.sub("", _words(text)))


def _words(text: str) -> str:
    """Lower-case words separated by single spaces, '&' as 'and': 'Stockton-on-Tees' -> 'stockton on tees'."""
    return _NOT_ALNUM.sub(" ", str(text).lower().replace("&", " and ")).strip()


@dataclass(frozen=True)
class Change:
    """One district merged into another on a date (YYYY-MM-DD)."""

    effective: str
    predecessor: str
    successor: str


@dataclass(frozen=True)
class Geography:
    """Reference tables for placing records in districts and districts in forces.

    Attributes
    ----------
    names
        District code -> reference name (districts, successors and merged predecessors).
    forces
        District code -> police force area name, for the districts of `districts.csv`.
    lsoa_to_code
        2011 LSOA code -> district code (IoD 2019, all England).
    name_to_code
        Normalised district name or alias -> district code.
    changes
        Predecessor code -> its merger into a successor.
    falls_within
        Normalised force name, `Falls within` name or data.police.uk id -> force name.
    lsoas
        Every LSOA of the lookup: `lsoa_code, lsoa_name, area_code, imd_decile` (IMD 2019 decile,
        1 = most deprived 10% of England's LSOAs; NA where the lookup gives none).
    """

    names: dict[str, str]
    forces: dict[str, str]
    lsoa_to_code: dict[str, str]
    name_to_code: dict[str, str]
    changes: dict[str, Change]
    falls_within: dict[str, str]
    lsoas: pd.DataFrame = field(compare=False)

    @classmethod
    def from_dir(cls, data_dir: Path) -> Geography:
        """Load districts, district_changes, forces, lsoa_lookup and district_aliases from a data folder."""
        data_dir = Path(data_dir)
        districts = read_table(data_dir / "districts.csv", ["area_code", "area", "force"])
        changes = read_table(
            data_dir / "district_changes.csv",
            ["effective", "predecessor_code", "predecessor", "successor_code", "successor"],
        )
        forces = read_table(data_dir / "forces.csv", ["force", "falls_within", "police_uk_id"])
        lookup = read_table(data_dir / "lsoa_lookup.csv", ["lsoa_code", "area_code"])
        aliases = read_table(data_dir / "district_aliases.csv", ["alias", "area_code"])

        names = dict(zip(changes["predecessor_code"], changes["predecessor"]))
        names |= dict(zip(changes["successor_code"], changes["successor"]))
        names |= dict(zip(districts["area_code"], districts["area"]))
        name_to_code: dict[str, str] = {}
        for source, pairs in (
            ("district_changes.csv", zip(names.values(), names.keys())),
            ("district_aliases.csv", zip(aliases["alias"], aliases["area_code"])),
        ):
            for name, code in pairs:
                key = normalise_name(name)
                if name_to_code.get(key, code) != code:
                    raise InputError(
                        f"{data_dir / source}: {name!r} names both {name_to_code[key]} and {code}; "
                        "give each spelling one district"
                    )
                name_to_code[key] = code
        falls_within = {}
        for column in ("force", "falls_within", "police_uk_id"):
            for texts, force in zip(forces[column], forces["force"]):
                # A force renamed (Hampshire and Isle of Wight, 2022) keeps every name its files carry: "a|b".
                falls_within |= {normalise_force(text): force for text in texts.split("|")}
        return cls(
            names=names,
            forces=dict(zip(districts["area_code"], districts["force"])),
            lsoa_to_code=dict(zip(lookup["lsoa_code"], lookup["area_code"])),
            name_to_code=name_to_code,
            changes={
                p: Change(e, p, s)
                for e, p, s in zip(changes["effective"], changes["predecessor_code"], changes["successor_code"])
            },
            falls_within=falls_within,
            lsoas=_lsoas(lookup, data_dir / "lsoa_lookup.csv"),
        )

    @classmethod
    def default(cls) -> Geography:
        """The embedded reference tables (data/), loaded once."""
        return _default_geography()

    def name(self, code: str) -> str:
        """Reference name of a district ('E07000111' -> 'Sevenoaks'); the code itself if unknown."""
        return self.names.get(code, code)

    def force(self, code: str) -> str | None:
        """Police force area of a district, of a successor or of a merged predecessor; None if unknown."""
        while code not in self.forces and code in self.changes:
            code = self.changes[code].successor
        return self.forces.get(code)

    def code_for(self, text: str) -> str | None:
        """The district a code (any case) or a name or alias stands for; None if unknown."""
        text = str(text).strip()
        if text.upper() in self.names:
            return text.upper()
        return self.name_to_code.get(normalise_name(text))

    def current(self, code: str, month: str) -> str:
        """The district the code's land belongs to in a month (YYYY-MM), after every merger by then."""
        first_day = f"{month}-01"
        while code in self.changes and self.changes[code].effective <= first_day:
            code = self.changes[code].successor
        return code

    def predecessors(self, code: str) -> tuple[str, ...]:
        """Codes merged into a district, over all generations; () if none."""
        direct = [p for p, change in self.changes.items() if change.successor == code]
        return tuple(sorted(direct + [older for p in direct for older in self.predecessors(p)]))

    def force_of_falls_within(self, text: str) -> str | None:
        """The force a data.police.uk `Falls within` names ('Northumbria Police' -> 'Northumbria').

        None for British Transport Police, the Police Service of Northern Ireland and
        anything else that is not one of the 43 territorial forces of England and Wales.
        """
        return self.falls_within.get(normalise_force(text))

    def district_from_lsoa_name(self, names: pd.Series) -> pd.Series:
        """District code named by each LSOA name's prefix ('Shepway 001A' -> 'E07000112'); NA if unknown."""
        prefixes = names.astype("string").str.replace(_LSOA_SUFFIX, "", regex=True)
        unique = prefixes.dropna().unique()
        codes = {prefix: self.name_to_code.get(normalise_name(prefix)) for prefix in unique}
        return prefixes.map(codes).astype("string")

    def place(self, lsoa_codes: pd.Series, lsoa_names: pd.Series) -> pd.Series:
        """District code of each record: by LSOA code, else by the LSOA name's prefix; NA if neither."""
        by_code = lsoa_codes.astype("string").map(self.lsoa_to_code).astype("string")
        return by_code.fillna(self.district_from_lsoa_name(lsoa_names))


def _lsoas(lookup: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The lookup's LSOAs with their name and IMD decile (both optional columns of a lookup of one's own)."""
    names = lookup["lsoa_name"] if "lsoa_name" in lookup else lookup["lsoa_code"]
    if "imd_decile" in lookup:
        text = lookup["imd_decile"].str.strip()
        blank = text == ""  # Welsh LSOAs have no English decile
        checked = pd.DataFrame({"imd_decile": text.mask(blank, "1")})
        what = "a whole number from 1 to 10, or empty"
        deciles = to_number(checked, "imd_decile", path, what, whole_between(1, 10)).astype("Int64").mask(blank)
    else:
        deciles = pd.Series(pd.NA, index=lookup.index, dtype="Int64")
    return pd.DataFrame(
        {"lsoa_code": lookup["lsoa_code"], "lsoa_name": names, "area_code": lookup["area_code"], "imd_decile": deciles}
    )


@cache
def _default_geography() -> Geography:
    from assess.paths import DEFAULT_DATA_DIR

    return Geography.from_dir(DEFAULT_DATA_DIR)

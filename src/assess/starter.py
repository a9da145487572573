"""`assess init AREA`: a starter folder of an area's own content for a new partnership.

It writes `areas/<code>/` (beside the parameters file): a README saying what each file is
for, empty but valid judgements, actions and measures with a commented example each, an
empty status return (its header only), a
partners/ folder with the return format, and the scoring sheet to fill in. Every file is
written into a temporary folder beside the area's, then moved into place, so a failure leaves
nothing half-written; an existing file is replaced only when asked, and nothing else in the
folder is touched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template

from assess import wording
from assess.config import areas_dir_for
from assess.errors import OutputError
from assess.local import ACTIONS, JUDGEMENTS, MEASURES, PARTNERS, README, STATUS, district_name, holds_entries
from assess.scoring_sheet import SheetParams, current_umask, sheet_params, sheet_partners, write_sheet

TEMPLATES = Path(__file__).parent / "templates" / "local"
SCORING_SHEET = "scoring-sheet.xlsx"
# Rows of the sheet for a partner not yet named: the workshop copies them for each partner.
PLACEHOLDER_PARTNER = "Partner name"
# Each file the folder starts with, and the template it is written from.
STARTER_FILES = {
    README: "README.md",
    JUDGEMENTS: "judgements.yaml",
    ACTIONS: "actions.yaml",
    MEASURES: "measures.yaml",
    STATUS: "status.csv",
    f"{PARTNERS}/{README}": "partners-README.md",
}


@dataclass(frozen=True)
class Started:
    """What `init_area` wrote: the area's folder and the files in it, and the sheet's partners."""

    folder: Path
    files: tuple[str, ...]
    partners: tuple[str, ...]


def init_area(area: str, params_file: Path | None = None, partners: Sequence[str] = (), force: bool = False) -> Started:
    """Write the starter folder of an area (a name or an ONS code) into the parameters file's areas folder.

    Existing files of the area are refused unless `force`; with it they are replaced and any
    other file in the folder (a partner return, an own indicators.yaml) is left as it was.
    """
    params = sheet_params(params_file, area)
    folder = params.judgements_file.parent
    code = folder.name
    names = (*STARTER_FILES, SCORING_SHEET)
    existing = [name for name in names if (folder / name).exists()]
    filled = [name for name in existing if holds_entries(folder / name)]
    if filled:
        raise OutputError(
            f"{folder}: {wording.join(filled)} already {'lists' if len(filled) == 1 else 'list'} the partnership's "
            "entries; a starter never replaces them, even with --force (move the file away first if you mean to)"
        )
    if existing and not force:
        raise OutputError(
            f"{folder}: already holds {wording.join(existing)}; pass --force to replace "
            f"{'it' if len(existing) == 1 else 'them'} (other files are left as they are)"
        )
    areas_dir = areas_dir_for(params_file)
    if not areas_dir.parent.is_dir():
        raise OutputError(f"{areas_dir.parent}: no such folder; check 'areas_dir' in the parameters file")
    areas_dir.mkdir(exist_ok=True)
    named = tuple(sheet_partners(params, partners)) if partners or params.judgements else (PLACEHOLDER_PARTNER,)
    values = _template_values(params, district_name(code) or code, code, folder, params_file)
    staging = Path(tempfile.mkdtemp(dir=areas_dir, prefix=f".{code}."))
    try:
        for name, template in STARTER_FILES.items():
            path = staging / name
            path.parent.mkdir(exist_ok=True)
            text = Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)
            path.write_text(text, encoding="utf-8")
        write_sheet(params, list(named), staging / SCORING_SHEET)
        written = tuple(str(p.relative_to(staging)) for p in sorted(staging.rglob("*")) if p.is_file())
        _move_into_place(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Started(folder, written, named)


def _template_values(
    params: SheetParams, area: str, code: str, folder: Path, params_file: Path | None
) -> dict[str, str]:
    """What the starter files' $placeholders stand for."""
    judged = params.criteria.judged
    pages = [p for p in params.priorities if p.has_page] or list(params.priorities)
    try:
        shown = os.path.relpath(folder, Path.cwd())
    except ValueError:  # another drive (Windows)
        shown = str(folder)
    return {
        "area": area,
        "code": code,
        "params_option": f" --params {params_file}" if params_file else "",
        "folder": shown if not shown.startswith("..") else str(folder),
        "judged": wording.join(wording.lower_first(c.label) for c in judged) or "none declared",
        "criterion": judged[0].key if judged else "concern",
        "priority": pages[0].key,
        # A priority police data cannot see, for the example of a partner indicator.
        "partner_priority": next((p.key for p in pages if not p.has_police_data), pages[0].key),
        "priorities": ", ".join(p.key for p in params.priorities),
    }


def _move_into_place(staging: Path, folder: Path) -> None:
    """A new folder is renamed into place whole; into an existing one each file is moved (replacing its own)."""
    if not folder.exists():
        os.rename(staging, folder)
        # mkdtemp made it private; the area's folder gets the permissions of any new folder.
        os.chmod(folder, 0o777 & ~current_umask())
        return
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            target = folder / path.relative_to(staging)
            target.parent.mkdir(exist_ok=True)
            os.replace(path, target)

"""An area's local content: its partnership's own judgements, action plan, success measures and partner returns.

Each area keeps its own in a folder named by its ONS code, `areas/<code>/` beside the
parameters file (`params/areas/` by default):

- `judgements.yaml`: the partners' scores on the judged criteria;
- `actions.yaml` and `measures.yaml`: the action plan and its measures of success;
- `status.csv`: the status return, partners' reports of each action's progress over time;
- `partners/`: the partnership's own returns, in the indicator format;
- `indicators.yaml` (optional): which of those returns inform a priority's trend or comparison;
- `previous.yaml` (optional): the order of the priorities in the last assessment, so the index
  can say what changed.
- `glossary.yaml` (optional): the partnership's own acronyms and terms, for its pages alone.

Only the assessed area's folder is ever read, so no area's pages carry another's content;
what an area has not written yet is said on its index (`LocalContent.missing`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from assess.data.geography import AREA_CODE_PATTERN, Geography
from assess.data.indicators import partner_files
from assess.errors import ConfigError
from assess.params_file import load_yaml
from assess.paths import DEFAULT_PARAMS

JUDGEMENTS, ACTIONS, MEASURES, INDICATORS = "judgements.yaml", "actions.yaml", "measures.yaml", "indicators.yaml"
PREVIOUS = "previous.yaml"
GLOSSARY = "glossary.yaml"
STATUS = "status.csv"
PARTNERS = "partners"
README = "README.md"
# A local authority district's ONS code: the only folder names an area's content is read from,
# so no name typed in a parameters file can lead outside the areas folder.


@dataclass(frozen=True)
class LocalContent:
    """The files of one area's own content; a file the area has not written is None (partner returns: empty).

    Attributes
    ----------
    area_code
        The area's ONS code, or "" where the reference does not know the area.
    areas_dir
        The folder holding every area's folder.
    folder
        This area's folder (`areas_dir/<code>`), whether or not it exists yet; None without a code.
    """

    area_code: str
    areas_dir: Path
    folder: Path | None = None
    judgements_file: Path | None = None
    actions_file: Path | None = None
    measures_file: Path | None = None
    indicators_file: Path | None = None
    previous_file: Path | None = None
    glossary_file: Path | None = None
    status_file: Path | None = None
    partner_files: tuple[Path, ...] = ()
    params_file: Path | None = None

    def command(self, words: str) -> str:
        """An `assess` command for this area, naming the parameters file when it is not the default."""
        option = f" --params {self.params_file}" if self.params_file and self.params_file != DEFAULT_PARAMS else ""
        return f"assess {words}{option}"

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file of the area's content that a run reads."""
        named = (
            self.judgements_file,
            self.actions_file,
            self.measures_file,
            self.indicators_file,
            self.previous_file,
            self.glossary_file,
            self.status_file,
        )
        return (*(p for p in named if p is not None), *self.partner_files)

    def missing(self) -> list[tuple[str, str]]:
        """What the area has not provided yet, and how to add it, in plain words: (what, how) pairs."""
        if self.folder is None:
            return [
                (
                    "the partnership's own judgements, action plan, success measures and partner returns",
                    "this area has no ONS code in the reference list of districts, so no folder of its own "
                    "content can be found; check the area's name",
                )
            ]
        where = f"areas/{self.area_code}"
        if not self.folder.is_dir():
            return [
                (
                    "the partnership's own judgements, action plan, success measures and partner returns",
                    f"run the command '{self.command(f'init {self.area_code}')}': it writes a starter folder, {where}, "
                    "with a scoring sheet for the partners to fill in and a note on each file",
                )
            ]
        wanted = [
            (
                _with_entries(self.judgements_file, "judgements"),
                "the partners' judged scores (community concern and where the partnership adds value)",
                f"fill in the scoring sheet in {where} at a scoring workshop, then read it back with "
                f"the command '{self.command(f'read-scores SHEET --area {self.area_code}')}'",
            ),
            (
                _with_entries(self.actions_file, "actions"),
                "the action plan",
                f"list the partnership's actions, each with its lead and deadline, in {where}/{ACTIONS}",
            ),
            (
                _with_entries(self.measures_file, "measures"),
                "the success measures",
                f"say how the partnership will know it is succeeding in {where}/{MEASURES}",
            ),
            (
                self.previous_file,
                "the last assessment's order of priorities, so the summary can say what changed",
                f"list the priorities of your last plan, highest first, in {where}/{PREVIOUS} (its README shows how)",
            ),
            (
                self.partner_files or None,
                "the partnership's own partner returns",
                f"save partners' figures in the folder {where}/{PARTNERS}, in the format its README describes",
            ),
        ]
        return [(what, how) for present, what, how in wanted if present is None]


FILLED_IN = {JUDGEMENTS: "judgements", ACTIONS: "actions", MEASURES: "measures"}
"""The local files a partnership fills in, and the key under which their entries are listed."""


def holds_entries(path: Path) -> bool:
    """Whether a local file lists anything: a partnership's work, never to be replaced by a starter."""
    if path.name == STATUS:
        # Any row below the header is a partner's report.
        return path.is_file() and len(path.read_text(encoding="utf-8-sig").strip().splitlines()) > 1
    key = FILLED_IN.get(path.name)
    return key is not None and path.is_file() and bool(load_yaml(path).get(key))


def _with_entries(path: Path | None, key: str) -> Path | None:
    """The file, if it lists anything under `key`: a starter file with none is content still missing."""
    return path if path is not None and load_yaml(path).get(key) else None


def local_content(areas_dir: Path, area_code: str, params_file: Path | None = None) -> LocalContent:
    """The local content an area has in `areas_dir` (nothing, for a code that is not an ONS district code);
    `params_file`, the parameters file naming `areas_dir`, is said in the commands the index suggests."""
    areas_dir = Path(areas_dir)
    if not re.fullmatch(AREA_CODE_PATTERN, area_code):
        return LocalContent(area_code, areas_dir, params_file=params_file)
    folder = areas_dir / area_code

    def present(name: str) -> Path | None:
        path = folder / name
        return path.resolve() if path.is_file() else None

    return LocalContent(
        area_code=area_code,
        areas_dir=areas_dir,
        folder=folder,
        judgements_file=present(JUDGEMENTS),
        actions_file=present(ACTIONS),
        measures_file=present(MEASURES),
        indicators_file=present(INDICATORS),
        previous_file=present(PREVIOUS),
        glossary_file=present(GLOSSARY),
        status_file=present(STATUS),
        partner_files=tuple(p.resolve() for p in partner_files(folder / PARTNERS)),
        params_file=params_file,
    )


def read_local_indicators(
    path: Path, priorities: Collection[str], measured: Sequence[str]
) -> dict[str, tuple[tuple[str, str], ...]]:
    """An area's own partner indicators (its `indicators.yaml`), per priority: (indicator, criterion) pairs.

    The file maps, per priority, an indicator's name to the criterion it informs, as a
    priority's `indicators` does in priorities.yaml; `measured` are the criteria that may be
    named. Which of them take partner indicators depends on their scorers, and is checked
    with them (`criteria.check_scorers`).
    """
    data = load_yaml(path)
    if not isinstance(data, dict) or set(data) != {"indicators"} or not isinstance(data["indicators"], dict):
        raise ConfigError(
            f"{path}: expected one setting, 'indicators': per priority, each indicator's name and its criterion"
        )
    own: dict[str, tuple[tuple[str, str], ...]] = {}
    for key, mapping in data["indicators"].items():
        where = f"{path}: field 'indicators.{key}'"
        if key not in priorities:
            raise ConfigError(f"{where}: unknown priority; known: {', '.join(sorted(priorities))}")
        if not isinstance(mapping, dict) or not mapping:
            raise ConfigError(
                f"{where}: give each indicator's name and the criterion it informs, e.g. 'Referrals: trend'"
            )
        for name, criterion in mapping.items():
            if not isinstance(name, str) or not name.strip() or criterion not in measured:
                raise ConfigError(
                    f"{where}.{name}': map an indicator's name to a measured criterion ({', '.join(measured)})"
                )
        own[key] = tuple(mapping.items())
    return own


# --- the reference list of districts (data/districts.csv) ----------------------------------------


def district_code(name: str) -> str:
    """The ONS code of a district given by name, alias or code, "" where the reference does not know it."""
    return Geography.default().code_for(name) or ""


def area_code_of(area: str, where: str) -> str:
    """The ONS code of a district given by name or code; an unknown one is refused in one line naming `where`."""
    code = district_code(area)
    if not code:
        raise ConfigError(
            f"{where}: unknown area {area!r}; give a district's name or ONS code as the reference list "
            "of districts (data/districts.csv) has it"
        )
    return code


def district_name(code: str) -> str | None:
    """The reference name of a district's ONS code; None where the reference does not know it."""
    return Geography.default().names.get(code.strip().upper())

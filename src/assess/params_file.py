"""Reading a parameters file (YAML) safely: one line for any problem, bounded time and memory.

PyYAML's safe loader runs no code, but it silently keeps the last of two equal keys, recurses
until Python's limit on deep nesting, expands aliases of aliases into billions of values, and
fails with a traceback on impossible dates and numbers. The loader here refuses each of those
with the file and line.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from assess.data.tables import shown
from assess.errors import ConfigError

MAX_PARAMS_BYTES = 8 * 2**20
"""The largest parameters file read (8 MB): the longest shipped is 12 KB, but a scoring
workshop's judgements (the sheet's 20,000 rows) run to about 4 MB; PyYAML's safe parser,
written in Python, takes a few seconds a megabyte."""
MAX_YAML_DEPTH = 50
"""How deeply a parameters file may nest; the settings nest four levels at most."""
MAX_YAML_VALUES = 1_000_000
"""How many values a parameters file may hold with its aliases expanded, so a few lines of
aliases of aliases ("billion laughs") cannot become billions of values to validate."""
_KINDS = {"int": "a whole number", "float": "a number", "timestamp": "a date", "bool": "true or false"}


class _Refused(yaml.MarkedYAMLError):
    """YAML that PyYAML accepts but a parameters file must not hold."""


class _ParamsLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing what it would let through or fail on without a line number.

    Refused: a key given twice in one mapping (PyYAML keeps the last silently), nesting
    deeper than MAX_YAML_DEPTH (PyYAML recurses until Python's limit), more than
    MAX_YAML_VALUES values once aliases are expanded, impossible dates and numbers
    (2022-02-30, 1e999, .nan, integers beyond 64 bits).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._values = 0
        self._anchor_values: dict[str, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._count(self._anchor_values.get(event.anchor, 0), event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise _Refused(
                problem=f"nested more than {MAX_YAML_DEPTH} levels deep; a parameters file needs a few",
                problem_mark=event.start_mark,
            )
        before = self._values
        self._count(1, event.start_mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        if event.anchor is not None:
            self._anchor_values[event.anchor] = self._values - before
        return node

    def _count(self, values: int, mark: yaml.Mark) -> None:
        self._values += values
        if self._values > MAX_YAML_VALUES:
            raise _Refused(
                problem=f"with its aliases (*name) expanded the file holds more than {MAX_YAML_VALUES:,} "
                "values; write the settings out instead",
                problem_mark=mark,
            )

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict:
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep)  # refused there: "expected a mapping node"
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # "<<: *defaults" may be overridden by the keys beside it
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue  # the base constructor refuses it with its own message
            if key in first_line:
                raise _Refused(
                    problem=f"key {shown(str(key))} is given twice in the same mapping (first on line "
                    f"{first_line[key]}); keep one",
                    problem_mark=key_node.start_mark,
                )
            first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            value = super().construct_object(node, deep)
        except (ValueError, TypeError, LookupError, AttributeError, OverflowError):  # a scalar Python cannot convert
            raise _Refused(
                problem=f"{shown(str(node.value))} cannot be read as {_kind(node)}; correct it",
                problem_mark=node.start_mark,
            ) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise _Refused(
                problem=f"{shown(str(node.value))} is not a finite number; write a number", problem_mark=node.start_mark
            )
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise _Refused(
                problem=f"{shown(str(node.value))} is too large for any setting; check the number",
                problem_mark=node.start_mark,
            )
        return value


def _kind(node: yaml.Node) -> str:
    """The kind of value a scalar's tag asks for, in words ("a date")."""
    kind = node.tag.rsplit(":", 1)[-1]
    return _KINDS.get(kind, f"a {kind}")


def load_yaml(path: Path) -> Any:
    """Parse a parameters file, turning any problem into one line naming the file and line.

    A file over MAX_PARAMS_BYTES is refused before it is parsed.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_PARAMS_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(data) > MAX_PARAMS_BYTES:
        raise ConfigError(
            f"{path}: larger than {MAX_PARAMS_BYTES // 2**20} MB; a parameters file is a few KB, is it the right file?"
        )
    try:
        return yaml.load(data.decode("utf-8"), Loader=_ParamsLoader)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except _Refused as exc:
        raise ConfigError(f"{path}: line {exc.problem_mark.line + 1}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: {where}invalid YAML ({problem})") from None

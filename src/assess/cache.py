"""A small on-disk cache for results that are slow to compute and fully fixed by their inputs.

The key is a hash of every input and of the package's source, so a cached value cannot
be stale: change an input or the code and the key changes. The batch computes once and
every notebook of the run reuses it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from assess.paths import PROJECT_ROOT

CACHE_DIR = Path(os.environ.get("ASSESS_CACHE_DIR", PROJECT_ROOT / ".cache"))
T = TypeVar("T")


def _code_version() -> bytes:
    """A hash of the package's own source, so results computed by older code are not reused."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.digest()


def input_key(*parts: Any) -> str:
    """A hash of the inputs and of the code: bytes are hashed as they are, anything else by its repr."""
    digest = hashlib.sha256(_code_version())
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def cached(name: str, key: str, compute: Callable[[], T]) -> T:
    """The value stored under (name, key), computing and storing it the first time."""
    path = CACHE_DIR / f"{name}-{key[:32]}.pickle"
    if path.is_file():
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError):
            pass  # A damaged entry is recomputed below.
    value = compute()
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        with open(partial, "wb") as handle:
            pickle.dump(value, handle)
        partial.replace(path)
    except OSError:
        # A cache that cannot be written (read-only install, full disk) only costs time.
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return value


def file_stamp(path: Path) -> tuple[int, int]:
    """A file's size and modification time, (-1, -1) if it is missing: a change to either is a new input."""
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)

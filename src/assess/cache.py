"""A small on-disk cache for results that are slow to compute and fully fixed by their inputs.

The key is a hash of every input, so a cached value can never be stale: change anything
and the key changes. The batch computes once and every notebook of the run reuses it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any, Callable, TypeVar

from assess.config import PROJECT_ROOT

CACHE_DIR = Path(os.environ.get("ASSESS_CACHE_DIR", PROJECT_ROOT / ".cache"))
T = TypeVar("T")


def input_key(*parts: Any) -> str:
    """A hash of the inputs: bytes are hashed as they are, anything else by its repr."""
    digest = hashlib.sha256()
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
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with open(partial, "wb") as handle:
        pickle.dump(value, handle)
    partial.replace(path)
    return value

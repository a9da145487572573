"""Find the street-level files in what a user downloaded from data.police.uk, and open them as streams.

A user may pass plain CSVs, gzipped CSVs, the zip archive data.police.uk serves (folders
`YYYY-MM/` of `YYYY-MM-<force>-street.csv`, `-outcomes.csv` and `-stop-and-search.csv`)
or a folder holding any of these. Each street-level file becomes a `Source` that opens a
fresh binary stream, so nothing is unpacked to disk and memory does not follow file size.
Compressed members are bounded: a zip member that would unpack to more than 1 GB or more
than 200 times its packed size, or a gzip stream that goes beyond the same limits while
read, is refused.
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa

from assess.errors import InputError

MAX_UNPACKED_BYTES = 2**30
"""The most a compressed street-level file may unpack to: a national month is about 150 MB."""
MAX_RATIO = 200
"""The most a compressed file may grow when unpacked: CSV text packs about 5 to 10 times."""
_STREET = re.compile(r"-street\.csv(\.gz)?$", re.IGNORECASE)
_OTHER_KINDS = {
    "outcomes": re.compile(r"-outcomes\.csv(\.gz)?$", re.IGNORECASE),
    "stop-and-search": re.compile(r"-stop-and-search\.csv(\.gz)?$", re.IGNORECASE),
}


@dataclass(frozen=True)
class Source:
    """One street-level file, wherever it lies.

    Attributes
    ----------
    label
        How messages name it: the path, or `archive.zip:2022-01/2022-01-kent-street.csv`.
    name
        Its file name, as the summary lists it.
    open
        Opens a new binary stream of its CSV text (unpacked).
    """

    label: str
    name: str
    open: Callable[[], BinaryIO]
    path: Path | None = None  # a plain file on disk, which pyarrow reads natively

    @contextmanager
    def native(self) -> Iterator[pa.NativeFile]:
        """The CSV text as a file pyarrow reads itself: the file, or an unpacked copy in a temporary file.

        pyarrow reading a Python stream (a gzip or zip member) in its own threads can abort the
        interpreter when it stops at a bad row; a native file cannot.
        """
        if self.path is not None:
            with pa.OSFile(str(self.path)) as stream:
                yield stream
            return
        with tempfile.TemporaryDirectory(prefix="assess-ingest-") as folder:
            copy = Path(folder) / self.name
            with self.open() as handle, open(copy, "wb") as out:
                shutil.copyfileobj(handle, out, 2**20)  # bounded: the stream refuses a bomb
            with pa.OSFile(str(copy)) as stream:
                yield stream


@dataclass
class Found:
    """The street-level files found, and the other data.police.uk files passed over."""

    sources: list[Source] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)


def find_sources(paths: Iterable[Path]) -> Found:
    """Every street-level file in the given files, archives and folders, in the order given (folders sorted).

    A file named explicitly is read as a street-level CSV whatever its name (unless it is a
    zip archive or ends in `.gz`); inside folders and archives only `*-street.csv` files
    are, and outcomes and stop-and-search files are counted as skipped.
    """
    found = Found()
    for path in map(Path, paths):
        if path.is_dir():
            before = len(found.sources)
            for inner in sorted(p for p in path.rglob("*") if p.is_file() and not _is_system_file(str(p))):
                if zipfile.is_zipfile(inner):
                    _add_archive(inner, found, required=False)  # beside the downloads, a zip of something else
                elif _STREET.search(inner.name):
                    _add_file(inner, found)
                else:
                    _count_skipped(inner.name, found)
            if len(found.sources) == before:
                raise InputError(f"{path}: no *-street.csv files (or zip archives of them) in this folder")
        elif path.is_file():
            _add_file(path, found)
        else:
            raise InputError(f"{path}: file not found")
    return found


def _add_file(path: Path, found: Found) -> None:
    if zipfile.is_zipfile(path):
        _add_archive(path, found)
    elif path.name.lower().endswith(".gz"):
        limit = min(MAX_UNPACKED_BYTES, MAX_RATIO * max(path.stat().st_size, 1))
        found.sources.append(
            Source(str(path), path.name[:-3], lambda: _Bounded(gzip.open(path, "rb"), limit, str(path)))
        )
    else:
        found.sources.append(Source(str(path), path.name, lambda: open(path, "rb"), path))


def _is_system_file(name: str) -> bool:
    """What an operating system adds to folders and archives: macOS's __MACOSX/ and ._ files, .DS_Store."""
    parts = name.replace("\\", "/").split("/")
    return "__MACOSX" in parts or parts[-1].startswith("._") or parts[-1] == ".DS_Store"


def _add_archive(path: Path, found: Found, required: bool = True) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path}: not a readable zip archive ({exc})") from None
    before = len(found.sources)
    for member in sorted(members, key=lambda m: m.filename):
        name = member.filename.rsplit("/", 1)[-1]
        if _is_system_file(member.filename):
            continue
        if not _STREET.search(name):
            _count_skipped(name, found)
            continue
        label = f"{path}:{member.filename}"
        if member.file_size > MAX_UNPACKED_BYTES or member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise InputError(
                f"{label}: unpacks to {member.file_size:,} bytes from {member.compress_size:,}; a street-level "
                f"file is at most {MAX_UNPACKED_BYTES / 2**30:g} GB and {MAX_RATIO} times its packed size"
            )
        packed = name.lower().endswith(".gz")
        found.sources.append(Source(label, name[:-3] if packed else name, _member_opener(path, member, label, packed)))
    if len(found.sources) == before:
        if required:
            raise InputError(f"{path}: no *-street.csv files in this archive; download the street-level crime")
        found.skipped["archive without street-level files"] += 1


def _member_opener(path: Path, member: zipfile.ZipInfo, label: str, packed: bool) -> Callable[[], BinaryIO]:
    """Opens a member (a gzipped one unpacked as well), bounded so that neither layer can bomb."""

    def open_member() -> BinaryIO:
        archive = zipfile.ZipFile(path)
        try:
            stream = archive.open(member.filename)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            archive.close()
            raise InputError(f"{label}: cannot be unpacked ({exc})") from None
        if packed:
            limit = min(MAX_UNPACKED_BYTES, MAX_RATIO * max(member.file_size, 1))
            stream = gzip.GzipFile(fileobj=_Bounded(stream, MAX_UNPACKED_BYTES, label), mode="rb")
            return _Bounded(stream, limit, label, also_close=archive)
        return _Bounded(stream, MAX_UNPACKED_BYTES, label, also_close=archive)

    return open_member


def _count_skipped(name: str, found: Found) -> None:
    for kind, pattern in _OTHER_KINDS.items():
        if pattern.search(name):
            found.skipped[kind] += 1


class _Bounded(io.RawIOBase):
    """A read-only stream that refuses to yield more than `limit` bytes (a decompression bomb)."""

    def __init__(self, inner: BinaryIO, limit: int, label: str, also_close: zipfile.ZipFile | None = None) -> None:
        self._inner, self._limit, self._label, self._also_close = inner, limit, label, also_close
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._inner.read(len(buffer))
        except (OSError, EOFError, zipfile.BadZipFile) as exc:  # a corrupt or truncated archive
            raise InputError(f"{self._label}: cannot be unpacked ({exc})") from None
        self._read += len(data)
        if self._read > self._limit:
            raise InputError(
                f"{self._label}: unpacks to more than {self._limit:,} bytes; a street-level file is at most "
                f"{MAX_UNPACKED_BYTES / 2**30:g} GB and {MAX_RATIO} times its packed size"
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
            if self._also_close is not None:
                self._also_close.close()
        super().close()

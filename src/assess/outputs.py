"""Where a run writes, and how it replaces earlier output without ever losing what it did not make.

Three rules keep a user's files safe:

- **Only our own folders are replaced.** Every folder a run writes carries a marker file
  listing the files the run made. An existing folder is replaced only if it is empty, or its
  marker lists everything in it; anything else (a data folder, a checkout, a folder where
  someone saved `final.docx` beside the pages) is refused with one line, untouched.
- **Names from data are never paths.** Folder names are safe slugs (lowercase ASCII letters,
  digits and hyphens), never raw text, and every path is checked to stay inside its root.
- **No moment without the earlier output.** A run writes into a hidden staging folder beside
  the destination, holds a lock on the destination while it works, and swaps the finished
  folder into place in one atomic step where the system allows it (Linux `renameat2` with
  `RENAME_EXCHANGE`). Where it does not, the old folder is renamed aside first, and the next
  run restores it if the run was killed between the two renames.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from assess.errors import OutputError

MARKER = ".assess-output"
_MARKER_HEADING = "# Made by assess; the files listed below are the only ones it may replace.\n"
_STAGING = "partial"
_BACKUP = "old"
_MAX_NAME = 60
# Names the batch gives folders of its own; an area called "County" must not take them.
RESERVED_NAMES = frozenset({"county"})


def folder_name(text: str) -> str:
    """A safe folder name for a name read from data: 'Tunbridge Wells' -> 'tunbridge-wells'.

    Letters are reduced to ASCII ('Ynys Môn' -> 'ynys-mon'); everything else but digits
    becomes a hyphen, so no separator, dot or quote survives. A name with nothing left
    ('-', '../..') gets a stable name from its hash rather than an empty one, which would
    be the parent folder.
    """
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = "-".join(re.findall(r"[a-z0-9]+", plain.lower()))[:_MAX_NAME].strip("-")
    if not name:
        return "area-" + _short_hash(text)
    return f"{name}-area" if name in RESERVED_NAMES else name


def folder_names(names: Iterable[str]) -> dict[str, str]:
    """A distinct safe folder name per name; names that slug alike get a hash suffix each."""
    names = sorted(set(names))
    plain = {n: folder_name(n) for n in names}
    taken = [plain[n] for n in names]
    return {n: plain[n] if taken.count(plain[n]) == 1 else f"{plain[n]}-{_short_hash(n)}" for n in names}


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def inside(root: Path, *parts: str) -> Path:
    """`root / parts`, refused unless it stays inside root (a last line of defence for names)."""
    root = Path(root).resolve()
    path = root.joinpath(*parts).resolve()
    if path != root and root not in path.parents:
        raise OutputError(f"{root}: refusing to write {path}, which is outside the output folder")
    return path


def absolute(path: Path) -> Path:
    """The output path as the user meant it: relative to where they ran the command."""
    return Path(os.path.abspath(Path(path).expanduser()))


def check_destination(target: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse, in one line, any destination whose replacement could lose a user's files."""
    target = absolute(target)
    if target.parent == target:
        raise OutputError(f"--out {target}: the root of a file system cannot be an output folder")
    if target.is_symlink():
        raise OutputError(f"--out {target}: is a symbolic link; give the folder it points to")
    if target.exists() and not target.is_dir():
        raise OutputError(f"--out {target}: is a file, not a folder; choose a folder for the output")
    for source in inputs:
        source = absolute(source)
        if source == target or target in source.parents:
            raise OutputError(f"--out {target}: holds this run's input {source}; choose another folder")
    foreign = foreign_files(target)
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise OutputError(
            f"--out {target}: the folder holds files assess did not write ({shown}); "
            "choose an empty or new folder, or move them"
        )


_LEFTOVER = re.compile(rf"^\..+\.({_STAGING}-\d+|{_BACKUP}-\d+|lock)$")


def check_collection(root: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse a folder meant to hold several outputs (one per area) unless it holds only those.

    The folder itself is never replaced, only its sub-folders one by one; but a user's folder
    full of other things is no place to write a dozen area folders either.
    """
    root = absolute(root)
    if root.parent == root:
        raise OutputError(f"--out {root}: the root of a file system cannot be an output folder")
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        raise OutputError(f"--out {root}: is a file or a link, not a folder; choose a folder for the output")
    for source in inputs:
        source = absolute(source)
        if source == root or root in source.parents:
            raise OutputError(f"--out {root}: holds this run's input {source}; choose another folder")
    if not root.is_dir():
        return
    foreign = sorted(
        entry.name
        for entry in root.iterdir()
        if not (
            _LEFTOVER.match(entry.name)
            or (entry.is_dir() and not entry.is_symlink() and (is_ours(entry) or not any(entry.iterdir())))
        )
    )
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise OutputError(
            f"--out {root}: the folder holds things assess did not write ({shown}); "
            "choose an empty or new folder, or move them"
        )


def foreign_files(folder: Path) -> list[str]:
    """Files in a folder that no earlier run recorded making (all of them if it has no marker)."""
    if not folder.is_dir():
        return []
    if not is_ours(folder):
        # Not ours at all: its own entries say so, without walking a home folder's every file.
        return sorted(entry.name for entry in folder.iterdir())
    present = sorted(_relative_files(folder))
    made = set(_marker_list(folder))
    return [name for name in present if name != MARKER and name not in made]


def _relative_files(folder: Path) -> Iterable[str]:
    for path in folder.rglob("*"):
        if path.is_file() or path.is_symlink():
            yield path.relative_to(folder).as_posix()
        elif path.is_dir() and not any(path.iterdir()):
            yield path.relative_to(folder).as_posix() + "/"


def _marker_list(folder: Path) -> list[str]:
    marker = folder / MARKER
    if not marker.is_file() or marker.is_symlink():
        return []
    try:
        text = marker.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def write_marker(folder: Path, extra: Iterable[str] = ()) -> None:
    """Record every file now in the folder (and any sub-folder names given) as made by this run."""
    names = sorted({*(n for n in _relative_files(folder) if n != MARKER), *extra})
    (folder / MARKER).write_text(_MARKER_HEADING + "".join(f"{n}\n" for n in names), encoding="utf-8")


def is_ours(folder: Path) -> bool:
    """True for a folder an earlier run made (it has our marker)."""
    return (folder / MARKER).is_file()


def say(message: str) -> None:
    """Tell the user what was done to their folders (stderr, one line)."""
    print(f"assess: {message}", file=sys.stderr)


class Destination:
    """One output folder being written: locked, staged beside it, then swapped into place.

    Use as a context manager; write into `staging`, then call `commit()`. Leaving the block
    without committing (an error, Ctrl-C) removes the staging folder and leaves any earlier
    output as it was.
    """

    def __init__(self, target: Path, inputs: Iterable[Path] = ()):
        self.target = absolute(target)
        self._inputs = tuple(inputs)
        self.staging = self.target.parent / f".{self.target.name}.{_STAGING}-{os.getpid()}"
        self._lock: int | None = None
        self._committed = False

    def __enter__(self) -> Destination:
        check_destination(self.target, self._inputs)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _acquire(self._lock_path, self.target)
        try:
            recover(self.target)
            # Checked again under the lock: another run may have finished in between.
            check_destination(self.target, self._inputs)
            self.staging.mkdir()
            write_marker(self.staging)  # marks it ours at once, so a later run may clear it up
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if not self._committed:
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._release()

    @property
    def _lock_path(self) -> Path:
        return self.target.parent / f".{self.target.name}.lock"

    def commit(self, extra: Iterable[str] = ()) -> None:
        """Mark the staged folder as ours and put it in the target's place."""
        write_marker(self.staging, extra)
        swap_into_place(self.staging, self.target)
        self._committed = True

    def _release(self) -> None:
        if self._lock is None:
            return
        try:
            # Unlinked while still held, so a run waiting on this file cannot mistake it for free.
            self._lock_path.unlink(missing_ok=True)
        finally:
            os.close(self._lock)
            self._lock = None


def _acquire(lock_path: Path, target: Path) -> int:
    """An exclusive lock on the destination, or one line saying another run holds it."""
    while True:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise OutputError(
                f"{target}: another assess run is writing this folder; wait for it to finish or choose another --out"
            ) from None
        # The holder before us may have unlinked the file after we opened it: lock the live file.
        try:
            same = os.stat(lock_path).st_ino == os.fstat(descriptor).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return descriptor
        os.close(descriptor)


def recover(target: Path) -> None:
    """Tidy what a killed run left beside the target: restore its earlier output, drop the rest.

    Called with the target's lock held, so no live run owns these folders. Only folders that
    carry our marker are touched; anything else is left and reported.
    """
    leftovers = sorted(target.parent.glob(f".{target.name}.{_STAGING}-*")) + sorted(
        target.parent.glob(f".{target.name}.{_BACKUP}-*")
    )
    for folder in leftovers:
        if not (is_ours(folder) or not any(folder.iterdir())):
            say(f"left {folder} alone: it looks like an interrupted run's folder but has no assess marker")
            continue
        if folder.name.startswith(f".{target.name}.{_BACKUP}-") and not target.exists():
            folder.rename(target)
            say(f"restored the earlier output {target}, which an interrupted run had moved aside")
        else:
            shutil.rmtree(folder, ignore_errors=True)
            say(f"removed {folder}, left by an interrupted run")


def swap_into_place(staging: Path, target: Path) -> None:
    """Replace target with staging; at no moment is neither of them at the target's path."""
    if not target.exists():
        staging.rename(target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the earlier output
        return
    backup = target.parent / f".{target.name}.{_BACKUP}-{os.getpid()}"
    target.rename(backup)
    staging.rename(target)
    shutil.rmtree(backup, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def check_table_destination(path: Path, header: str) -> None:
    """Refuse to overwrite anything but a table of the same kind (same header line) with a new one."""
    path = absolute(path)
    if path.is_dir():
        raise OutputError(f"--out {path}: is a folder; give a file name such as {path / 'counts.csv'}")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise OutputError(f"--out {path}: is not a regular file; give a new file name")
    if path.exists():
        with open(path, "rb") as handle:
            first = handle.readline(len(header) + 3).decode("utf-8", "replace").strip()
        if first != header:
            raise OutputError(
                f"--out {path}: exists and is not a table assess wrote (its first line is not "
                f"'{header}'); give a new file name"
            )


# What to do about the faults a user can fix, by errno.
_OS_ADVICE = {
    errno.ENOSPC: "the disk is full; free some space and run again",
    errno.EDQUOT: "the disk quota is used up; free some space and run again",
    errno.EROFS: "the file system is read-only; choose another --out",
    errno.EACCES: "permission denied; choose a folder you can write to",
    errno.EPERM: "not permitted; choose a folder you can write to",
    errno.ENAMETOOLONG: "the path is too long; choose a shorter --out",
    errno.EMFILE: "too many open files; raise the limit (ulimit -n) or use fewer --workers",
}


def os_error_line(exc: OSError) -> str:
    """One line for a fault of the machine or folder (disk full, read-only, no permission)."""
    where = exc.filename or "the output folder"
    advice = _OS_ADVICE.get(exc.errno, exc.strerror or type(exc).__name__)
    return f"{where}: {advice} (any earlier output is as it was)"

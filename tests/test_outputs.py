"""Output never deletes what it did not make: marked folders, locks, atomic swaps, recovery, safe names."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assess import outputs
from assess.cli import main
from assess.config import DEFAULT_DATA_DIR
from assess.errors import OutputError
from assess.outputs import (
    MARKER,
    Destination,
    check_collection,
    check_destination,
    folder_name,
    folder_names,
    inside,
    recover,
    swap_into_place,
)
from conftest import made_by_assess, snapshot

HOSTILE_NAMES = [
    "../../victim",
    "-",
    "..",
    ".",
    "",
    "/etc",
    "a/../../b",
    '"><script>alert(1)</script>',
    "$x^2$",
    '=HYPERLINK("x")',
    "County",
    "COUNTY",
    "nul\x00byte",
    "\\\\server\\share",
    "~root",
    "x" * 500,
    "Ynys Môn",
    "   ",
    "..\\..\\windows",
    "%2e%2e%2f",
]


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_folder_names_are_safe_slugs(name, tmp_path):
    slug = folder_name(name)
    assert slug and len(slug) <= 70
    assert set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert slug not in outputs.RESERVED_NAMES and not slug.startswith("-")
    assert inside(tmp_path, slug).parent == tmp_path.resolve()


def test_folder_names_keep_real_districts_readable_and_distinct():
    assert folder_name("Tunbridge Wells") == "tunbridge-wells"
    assert folder_name("Bristol, City of") == "bristol-city-of"
    assert folder_name("Ynys Môn") == "ynys-mon"
    names = folder_names(["St Albans", "St. Albans", "st-albans", "Dover"])
    assert len(set(names.values())) == 4 and names["Dover"] == "dover"


def test_a_path_outside_the_root_is_refused(tmp_path):
    with pytest.raises(OutputError, match="outside the output folder"):
        inside(tmp_path / "out", "..", "elsewhere")


# -- destinations ----------------------------------------------------------------------------


def test_a_folder_assess_did_not_make_is_refused_untouched(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "final.docx").write_bytes(b"the board paper")
    before = snapshot(tmp_path)
    with pytest.raises(OutputError, match=r"final\.docx.*choose an empty or new folder"):
        check_destination(folder)
    assert snapshot(tmp_path) == before


def test_a_file_added_to_an_earlier_output_is_not_lost(tmp_path):
    folder = made_by_assess(tmp_path / "sevenoaks", {"index.html": "<p>old</p>"})
    (folder / "notes for the board.docx").write_text("mine")
    with pytest.raises(OutputError, match="notes for the board.docx"):
        check_destination(folder)


@pytest.mark.parametrize("where", ["root", "file", "symlink", "input", "inside input"])
def test_destinations_that_cannot_be_replaced_are_refused(where, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "counts.csv").write_text("area,month,crime_type,count\n")
    target = {
        "root": Path("/"),
        "file": data / "counts.csv",
        "symlink": tmp_path / "link",
        "input": data,
        "inside input": tmp_path,
    }[where]
    if where == "symlink":
        target.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutputError) as error:
        check_destination(target, inputs=[data / "counts.csv"])
    assert "\n" not in str(error.value) and str(target) in str(error.value)


def test_empty_and_earlier_output_folders_are_accepted(tmp_path):
    (tmp_path / "empty").mkdir()
    check_destination(tmp_path / "empty")
    check_destination(made_by_assess(tmp_path / "earlier", {"index.html": "x"}))
    check_destination(tmp_path / "new" / "folder")


def test_a_collection_holds_only_area_folders(tmp_path):
    root = tmp_path / "kent"
    made_by_assess(root / "dover", {"index.html": "x"})
    (root / "empty").mkdir()
    (root / ".dover.partial-123").mkdir()
    check_collection(root)
    (root / "minutes.docx").write_text("mine")
    with pytest.raises(OutputError, match="minutes.docx"):
        check_collection(root)


def test_a_run_replaces_its_earlier_output_and_marks_the_new_one(tmp_path):
    target = made_by_assess(tmp_path / "out", {"index.html": "old", "old-page.html": "gone"})
    with Destination(target) as destination:
        (destination.staging / "index.html").write_text("new")
        destination.commit()
    assert (target / "index.html").read_text() == "new" and not (target / "old-page.html").exists()
    assert outputs.foreign_files(target) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging, backup or lock left


def test_a_failed_run_leaves_the_earlier_output_as_it_was(tmp_path):
    target = made_by_assess(tmp_path / "out", {"index.html": "old"})
    before = snapshot(tmp_path)
    with pytest.raises(RuntimeError):
        with Destination(target) as destination:
            (destination.staging / "index.html").write_text("half")
            raise RuntimeError("notebook failed")
    assert snapshot(tmp_path) == before


def test_a_second_run_into_the_same_folder_is_refused_while_the_first_holds_it(tmp_path):
    target = tmp_path / "out"
    with Destination(target):
        with pytest.raises(OutputError, match="another assess run is writing this folder"):
            with Destination(target):
                pass
    with Destination(target) as again:  # free once the first has finished
        again.commit()


def test_the_lock_is_held_across_processes(tmp_path):
    target = tmp_path / "out"
    script = textwrap.dedent(f"""
        from assess.outputs import Destination
        from assess.errors import OutputError
        try:
            with Destination({str(target)!r}):
                print("entered")
        except OutputError as exc:
            print("refused:", exc)
    """)
    with Destination(target):
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("refused:") and "another assess run" in result.stdout


@pytest.mark.parametrize("exchange", [True, False], ids=["atomic exchange", "two renames"])
def test_swap_replaces_the_target(exchange, tmp_path, monkeypatch):
    if not exchange:
        monkeypatch.setattr(outputs, "_exchange", lambda first, second: False)
    target = made_by_assess(tmp_path / "out", {"index.html": "old"})
    staging = made_by_assess(tmp_path / ".out.partial-1", {"index.html": "new"})
    swap_into_place(staging, target)
    assert (target / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_kill_between_the_two_renames_loses_nothing(tmp_path):
    """Where the system cannot swap atomically, a kill between the renames is repaired next time."""
    target = made_by_assess(tmp_path / "out", {"index.html": "old"})
    staging = made_by_assess(tmp_path / ".out.partial-1", {"index.html": "new"})
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from assess import outputs
        outputs._exchange = lambda first, second: False
        real_rename = Path.rename
        def rename(self, to):
            result = real_rename(self, to)
            if ".old-" in str(to):
                os.kill(os.getpid(), signal.SIGKILL)  # after the first rename, before the second
            return result
        Path.rename = rename
        outputs.swap_into_place(Path({str(staging)!r}), Path({str(target)!r}))
    """)
    result = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert result.returncode == -signal.SIGKILL
    assert not target.exists()  # the moment the kill hit
    recover(target)
    assert (target / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_leftovers_of_a_killed_run_are_removed_and_foreign_folders_kept(tmp_path, capsys):
    target = made_by_assess(tmp_path / "out", {"index.html": "current"})
    made_by_assess(tmp_path / ".out.partial-99999", {"index.html": "half"})
    made_by_assess(tmp_path / ".out.old-99998", {"index.html": "older"})
    (tmp_path / ".out.old-99997").mkdir()
    (tmp_path / ".out.old-99997" / "thesis.tex").write_text("not ours")
    recover(target)
    said = capsys.readouterr().err
    assert (target / "index.html").read_text() == "current"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.old-99997", "out"]
    assert said.count("removed") == 2 and "left" in said and "no assess marker" in said


# -- through the command ---------------------------------------------------------------------


def run_cli(*args: str) -> tuple[int, str]:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    return code, err.getvalue()


@pytest.mark.parametrize("case", ["foreign folder", "data folder", "file", "dot", "root", "project"])
def test_run_refuses_unsafe_out_in_one_line_touching_nothing(case, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "final.docx").write_bytes(b"board paper")
    monkeypatch.chdir(home)
    out = {
        "foreign folder": str(home),
        "data folder": str(DEFAULT_DATA_DIR),
        "file": str(home / "final.docx"),
        "dot": ".",
        "root": "/",
        "project": str(DEFAULT_DATA_DIR.parent),
    }[case]
    before, data_before = snapshot(tmp_path), snapshot(DEFAULT_DATA_DIR)
    code, err = run_cli("run", "--out", out, "--as-of", "2022-12-31")
    assert code == 2 and err.count("\n") == 1 and err.startswith("assess: error: --out "), err
    assert snapshot(tmp_path) == before and snapshot(DEFAULT_DATA_DIR) == data_before


def test_all_areas_refuses_a_folder_of_other_things(tmp_path):
    (tmp_path / "minutes.docx").write_text("mine")
    code, err = run_cli("run", "--all-areas", "--out", str(tmp_path))
    assert code == 2 and "minutes.docx" in err and err.count("\n") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["minutes.docx"]


@pytest.mark.parametrize("existing", ["docx", "folder"])
def test_ingest_never_overwrites_what_is_not_a_counts_table(existing, tmp_path, write_street):
    street = write_street("2022-01-kent-street.csv", [{**__import__("conftest").street_row()}])
    target = tmp_path / ("report.docx" if existing == "docx" else "folder")
    if existing == "docx":
        target.write_bytes(b"PK\x03\x04 a partner's document")
    else:
        target.mkdir()
    before = snapshot(tmp_path)
    code, err = run_cli("ingest", str(street), "--out", str(target))
    assert code == 2 and err.count("\n") == 1 and str(target) in err
    assert snapshot(tmp_path) == before


@pytest.mark.e2e
def test_a_relative_out_is_where_the_user_ran_the_command(default_run):
    """`--out reports/sevenoaks` from any folder: the shared default run is typed so, from a folder of its own."""
    result, out = default_run
    assert result.returncode == 0, result.stderr
    assert out.parent.name == "reports" and (out / "index.html").is_file() and (out / MARKER).is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == ["sevenoaks"]
    assert sorted(p.name for p in out.parent.parent.iterdir()) == ["reports"]


@pytest.mark.e2e
def test_a_run_killed_mid_way_keeps_the_earlier_output_and_the_next_run_tidies_up(killed_then_rerun):
    killed = killed_then_rerun
    assert killed.started, "the run never started writing"
    assert killed.after_kill == killed.before
    assert killed.rerun.returncode == 0, killed.rerun.stderr
    assert "left by an interrupted run" in killed.rerun.stderr
    assert sorted(p.name for p in killed.out.parent.iterdir()) == ["out"]
    assert "earlier assessment" not in (killed.out / "index.html").read_text()


# -- faults of the machine -------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB file system of its own (tmpfs), to fill up or make read-only; needs root."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.e2e
def test_a_full_disk_is_one_line_and_keeps_the_earlier_output(small_disk):
    earlier = made_by_assess(small_disk / "out", {"index.html": "earlier assessment"})
    before = snapshot(small_disk)
    code, err = run_cli("run", "--out", str(earlier), "--as-of", "2022-12-31")
    assert code == 2 and err.count("\n") == 1, err
    assert "the disk is full" in err and err.startswith("assess: error: ")
    assert snapshot(small_disk) == before


def test_a_read_only_folder_is_one_line(small_disk):
    earlier = made_by_assess(small_disk / "out", {"index.html": "earlier assessment"})
    before = snapshot(small_disk)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    code, err = run_cli("run", "--out", str(earlier), "--as-of", "2022-12-31")
    assert code == 2 and err.count("\n") == 1 and "read-only" in err, err
    assert snapshot(small_disk) == before

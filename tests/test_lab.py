"""`make lab`: JupyterLab on a chosen port and address, without a browser when asked, and
starting in a container run as root. The command line is checked with `make -n`, which prints
it and runs nothing: no server starts and no environment is built."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess

import pytest

from assess.config import PROJECT_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def lab_command(*settings: str) -> list[str]:
    """The words of the `jupyter lab` command `make lab` would run with these settings."""
    printed = subprocess.run(
        ["make", "-n", "-C", str(PROJECT_ROOT), "lab", *settings], capture_output=True, text=True, check=True
    ).stdout
    lines = [line for line in printed.splitlines() if "jupyter lab" in line]
    assert len(lines) == 1, printed
    words = shlex.split(lines[0])
    return words[words.index("lab") + 1 :]


def test_a_port_and_no_browser_when_asked():
    words = lab_command("PORT=9999", "NO_BROWSER=1")
    assert words[0] == "notebooks/"
    assert "--port=9999" in words and "--no-browser" in words and "--ip=127.0.0.1" in words


def test_by_default_port_8888_on_this_machine_alone_with_a_browser():
    for settings in ((), ("NO_BROWSER=0",)):
        words = lab_command(*settings)
        assert "--port=8888" in words and "--ip=127.0.0.1" in words and "--no-browser" not in words


def test_an_address_and_any_other_option_pass_through():
    words = lab_command("IP=0.0.0.0", "LAB_ARGS=--ServerApp.token=abc --notebook-dir=notebooks")
    assert "--ip=0.0.0.0" in words and words[-2:] == ["--ServerApp.token=abc", "--notebook-dir=notebooks"]


def test_root_is_allowed_only_when_running_as_root():
    # JupyterLab refuses to start as root without --allow-root: as in most containers.
    assert ("--allow-root" in lab_command()) == (os.geteuid() == 0)

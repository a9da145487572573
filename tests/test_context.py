"""A kernel keeps its run while the run's inputs are unchanged, whatever else is written beside them."""

from __future__ import annotations

import os
import shutil

import yaml

from assess.config import DEFAULT_DATA_DIR, DEFAULT_PARAMS
from assess.context import open_run


def copied(tmp_path):
    """The default parameters and data in a folder of their own, the parameters naming that data."""
    params, data = tmp_path / "params", tmp_path / "data"
    shutil.copytree(DEFAULT_PARAMS.parent, params)
    shutil.copytree(DEFAULT_DATA_DIR, data)
    settings = yaml.safe_load((params / "assessment.yaml").read_text())
    settings["data_dir"] = str(data)
    (params / "assessment.yaml").write_text(yaml.safe_dump(settings))
    return params / "assessment.yaml", data


def later(path):
    """Mark a file as changed now, its content as it was."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


def test_pages_written_beside_the_parameters_do_not_make_the_kernel_read_again(tmp_path):
    params, _ = copied(tmp_path)
    first = open_run(str(params))
    # What a batch writes beside the parameters file it gives its notebooks: pages and notebooks.
    (params.parent / "10_asb.html").write_text("<p>a page</p>")
    (params.parent / "10_asb.ipynb").write_text("{}")
    assert open_run(str(params)) is first


def test_a_changed_input_is_read_again(tmp_path):
    params, data = copied(tmp_path)
    for changed in (data / "counts.csv", data / "partners" / "phe-fingertips.csv", params.parent / "priorities.yaml"):
        before = open_run(str(params))
        later(changed)
        assert open_run(str(params)) is not before, changed.name


def test_a_partner_return_saved_under_another_name_since_is_read(tmp_path):
    params, data = copied(tmp_path)
    before = open_run(str(params))
    (data / "partners" / "defra-flytipping.csv").rename(data / "partners" / "fly-tipping-2022.csv")
    after = open_run(str(params))
    assert after is not before
    assert data / "partners" / "fly-tipping-2022.csv" in after.input_files

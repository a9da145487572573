"""The executor's checks that need no notebook: a scheduler address refused in one line."""

from __future__ import annotations

import pytest

from assess.errors import ConfigError
from assess.executor import _dask_client


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:99999", "tcp://127.0.0.1:9"])
def test_a_scheduler_that_cannot_be_reached_is_one_line_at_once(address):
    pytest.importorskip("distributed")
    with pytest.raises(ConfigError, match=r"^--scheduler: cannot reach a Dask scheduler at tcp://127\.0\.0\.1:\d+ \("):
        _dask_client(address)

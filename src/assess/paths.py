"""Where the checkout's own files are: the default parameters and the embedded data."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PARAMS_DIR = PROJECT_ROOT / "params"
DEFAULT_PARAMS = PARAMS_DIR / "assessment.yaml"
DEFAULT_PRIORITIES = PARAMS_DIR / "priorities.yaml"
DEFAULT_CRITERIA = PARAMS_DIR / "criteria.yaml"
# Each area's own judgements, actions, measures and partner returns, in a folder named by its ONS code.
DEFAULT_AREAS_DIR = PARAMS_DIR / "areas"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"

"""Where the checkout's own files are: the default parameters and the embedded data."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PARAMS_DIR = PROJECT_ROOT / "params"
DEFAULT_PARAMS = PARAMS_DIR / "assessment.yaml"
DEFAULT_PRIORITIES = PARAMS_DIR / "priorities.yaml"
DEFAULT_CRITERIA = PARAMS_DIR / "criteria.yaml"
DEFAULT_JUDGEMENTS = PARAMS_DIR / "judgements.yaml"
DEFAULT_ACTIONS = PARAMS_DIR / "actions.yaml"
DEFAULT_MEASURES = PARAMS_DIR / "measures.yaml"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"

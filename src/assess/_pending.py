"""TEMPORARY stand-ins until the trend branch lands (replaced by stats/result functions)."""

import numpy as np


def benjamini_hochberg_cutoff(p_values, alpha):
    p = np.atleast_2d(np.asarray(p_values, dtype=float))
    m = (~np.isnan(p)).sum(axis=-1)
    ordered = np.sort(np.where(np.isnan(p), np.inf, p), axis=-1)
    k = np.arange(1, p.shape[-1] + 1)
    passing = ordered <= k * alpha / np.maximum(m, 1)[:, None]
    last = np.where(passing.any(axis=-1), p.shape[-1] - 1 - np.argmax(passing[:, ::-1], axis=-1), -1)
    return np.where(last >= 0, np.take_along_axis(ordered, np.maximum(last, 0)[:, None], -1)[:, 0], -np.inf)


def scores_from_change(change, significant, large):
    change = np.asarray(change, dtype=float)
    rise = np.where(change >= large, 5, np.where(change > 0, 4, np.where(change <= -large, 1, 2)))
    return np.where(significant, rise, 3).astype(float)

"""Disclosure control: small counts on sensitive subjects never reach a page.

On a sensitive priority (listed in params: domestic abuse and safeguarding by default, or
drawing on a sensitive crime type such as violence and sexual offences), a count from 1 to
threshold - 1 is shown as "fewer than <threshold>" (primary suppression). Where a total is
shown beside the counts, a single suppressed cell could be worked out from it, so the next
smallest cell is suppressed too (secondary suppression); a total that is itself small is
suppressed. Anything derived from a suppressed count (a share, a rate) is suppressed with it.
Zero is shown: it identifies no one.
"""

from __future__ import annotations

from typing import Sequence

from assess.config import Assessment, Priority


def is_sensitive(priority: Priority, assessment: Assessment) -> bool:
    rules = assessment.disclosure
    return priority.key in rules.sensitive_priorities or any(
        t in rules.sensitive_crime_types for t in priority.crime_types)


def is_small(value: float, threshold: int) -> bool:
    return 0 < value < threshold


def suppressed_text(assessment: Assessment) -> str:
    return f"fewer than {assessment.disclosure.threshold}"


def shown_count(value: float, priority: Priority, assessment: Assessment) -> str:
    """A count as it may be shown: suppressed when small and the subject is sensitive."""
    if is_sensitive(priority, assessment) and is_small(value, assessment.disclosure.threshold):
        return suppressed_text(assessment)
    return f"{value:,.0f}"


def must_suppress(values: Sequence[float], priority: Priority, assessment: Assessment) -> bool:
    """True when any of these counts would be suppressed."""
    threshold = assessment.disclosure.threshold
    return is_sensitive(priority, assessment) and any(is_small(v, threshold) for v in values)


def total_hidden(values: Sequence[float], threshold: int) -> bool:
    """A total of counts is hidden when it is itself small."""
    return is_small(sum(values), threshold)


def suppress_grid(values, threshold: int, row_totals: bool, column_totals: bool):
    """Cells of a table of counts to hide, with secondary suppression along shown totals.

    Repeats until stable: in any row (column) whose total is shown and which has exactly one
    hidden cell, the smallest other cell is hidden too, so no hidden cell can be worked out
    by subtraction.
    """
    import numpy as np

    grid = np.asarray(values, dtype=float)
    hidden = (grid > 0) & (grid < threshold)
    changed = True
    while changed:
        changed = False
        for axis, shown in ((1, row_totals), (0, column_totals)):
            if not shown:
                continue
            lines = hidden if axis == 1 else hidden.T
            cells = grid if axis == 1 else grid.T
            for i in range(lines.shape[0]):
                if lines[i].sum() == 1 and lines.shape[1] > 1:
                    candidates = np.where(~lines[i], cells[i], np.inf)
                    lines[i, int(np.argmin(candidates))] = True
                    changed = True
    return hidden

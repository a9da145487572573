"""Disclosure control: small counts on sensitive subjects never reach a page.

On a priority listed as sensitive in params (domestic abuse, safeguarding by default), a
count from 1 to threshold - 1 is shown as "fewer than <threshold>". Zero is shown: it
identifies no one.
"""

from __future__ import annotations

from assess.config import Assessment, Priority


def is_small(value: float, threshold: int) -> bool:
    return 0 < value < threshold


def shown_count(value: float, priority: Priority, assessment: Assessment) -> str:
    """A count as it may be shown: suppressed when small and the subject is sensitive."""
    threshold = assessment.disclosure.threshold
    if priority.is_sensitive(assessment) and is_small(value, threshold):
        return f"fewer than {threshold}"
    return f"{value:,.0f}"


def must_suppress(values: list[float], priority: Priority, assessment: Assessment) -> bool:
    """True when any of these counts would be suppressed."""
    threshold = assessment.disclosure.threshold
    return priority.is_sensitive(assessment) and any(is_small(v, threshold) for v in values)

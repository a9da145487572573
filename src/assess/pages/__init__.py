"""What each page shows, as objects that display themselves.

Notebooks stay thin: a parameters cell, then one call per section of the page. A section's
prose comes from its template (`templates/sections/`), a priority's own words from
`priorities.yaml`, and its figures from the run context. A module per page.
"""

from assess.pages.monitoring import MonitoringPage
from assess.pages.plan import ActionPlanPage
from assess.pages.priority import OWN_SECTIONS, PRIORITY_SECTIONS, STANDARD_SECTIONS, PriorityPage, check_own_sections
from assess.pages.scoring import ScoringPage, score_heatmap

__all__ = [
    "OWN_SECTIONS",
    "PRIORITY_SECTIONS",
    "STANDARD_SECTIONS",
    "ActionPlanPage",
    "MonitoringPage",
    "PriorityPage",
    "ScoringPage",
    "check_own_sections",
    "score_heatmap",
]

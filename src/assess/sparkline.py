"""A sparkline: a series as a small inline SVG line, its figures said in words for screen readers.

The SVG holds no text, so nothing in it can become illegible at any width; the words that
matter (first, last, lowest and highest, with their periods) are its `aria-label`, and the
table it sits in gives the latest value in figures.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 96, 24, 3
LINE = "#12436D"  # the Analysis Function palette's dark blue


@dataclass(frozen=True)
class Sparkline:
    """A series' values in period order (at least one), their periods in words, and a formatter for its unit."""

    values: tuple[float, ...]
    periods: tuple[str, ...]
    formatted: Callable[[float], str] = "{:,}".format

    @property
    def label(self) -> str:
        """'4 periods: first 234 (Oct 2019 to Dec 2019), last 274 (...), lowest 203 (...), highest 274 (...)'."""
        if len(self.values) == 1:
            return f"one period: {self._point(0)}"
        low = min(range(len(self.values)), key=self.values.__getitem__)
        high = max(range(len(self.values)), key=self.values.__getitem__)
        return (
            f"{len(self.values)} periods: first {self._point(0)}, last {self._point(-1)}, "
            f"lowest {self._point(low)}, highest {self._point(high)}"
        )

    def _point(self, i: int) -> str:
        return f"{self.formatted(self.values[i])} ({self.periods[i]})"

    def points(self) -> list[tuple[float, float]]:
        """The line's points in SVG units: the series spread over the width, its range over the height."""
        low, high = min(self.values), max(self.values)
        span = high - low
        steps = max(len(self.values) - 1, 1)
        return [
            (
                PAD + (WIDTH - 2 * PAD) * (i / steps if len(self.values) > 1 else 0.5),
                # A flat series is drawn across the middle; otherwise higher values sit higher.
                HEIGHT / 2 if span == 0 else PAD + (HEIGHT - 2 * PAD) * (high - v) / span,
            )
            for i, v in enumerate(self.values)
        ]

    def __html__(self) -> str:
        points = self.points()
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        last_x, last_y = points[-1]
        return (
            f'<svg class="assess-sparkline" role="img" aria-label="{html.escape(self.label)}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">'
            f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="1.5" '
            'stroke-linejoin="round" stroke-linecap="round"/>'
            # The latest value, marked: the one the row's figures are.
            f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" fill="{LINE}"/></svg>'
        )

    def __str__(self) -> str:
        return self.label

"""Success measures of the action plan, each with a red/amber/green status and its evidence.

The kinds of measure are defined in `params/measures.yaml`; a new measure of a known kind
is a new entry there, not new code.

One rule decides every status (`rag`), from a figure and the figure it is judged against;
every page, the index and the workbook reach it through `evaluate`. A change in position
is always judged against the same months a year earlier, for a year as for a quarter, so a
rank has one status whichever page shows it (and a season cannot pass for a change).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field, field_validator

from assess import stats
from assess.config import (
    Assessment,
    StrictModel,
    known_crime_types,
    load_yaml,
    parse_model,
    period_text,
)
from assess.criteria.partner import period_label
from assess.disclosure import Disclosure
from assess.errors import ConfigError

GREEN, AMBER, RED, NO_DATA = "green", "amber", "red", "no data"


class MeasureModel(StrictModel):
    id: str
    priority: str | None = None
    title: str
    target: str
    kind: Literal["lowest_rank", "rank_improves", "indicator_falls", "indicator_at_least"]
    crime_types: list[str] = Field(default_factory=list)
    lowest: int = Field(default=3, ge=1)
    amber_margin: float = Field(default=0, ge=0)
    indicator: str | None = None
    target_value: float | None = None
    needs: str = ""

    _known = field_validator("crime_types")(known_crime_types)


class MeasuresModel(StrictModel):
    measures: list[MeasureModel]


@dataclass(frozen=True)
class MeasureResult:
    """A success measure's status for one period, and the evidence behind it."""

    id: str
    priority: str | None
    title: str
    target: str
    period: str
    value: str
    status: str
    evidence: str
    number: float | None = None
    reference: float | None = None


def load_measures(path: Path, assessment: Assessment) -> tuple[MeasureModel, ...]:
    """The measures of `measures.yaml`, each complete for its kind."""
    model = parse_model(MeasuresModel, load_yaml(path), path)
    known = {p.key for p in assessment.priorities}
    for number, measure in enumerate(model.measures):
        where = f"{path}: field 'measures.{number}"
        if measure.priority is not None and measure.priority not in known:
            raise ConfigError(f"{where}.priority': unknown priority {measure.priority!r}")
        if measure.kind in ("lowest_rank", "rank_improves") and not measure.crime_types:
            raise ConfigError(f"{where}.crime_types': a {measure.kind} measure needs crime types")
        if measure.kind.startswith("indicator") and not measure.indicator:
            raise ConfigError(f"{where}.indicator': a {measure.kind} measure needs an indicator name")
        if measure.kind == "indicator_at_least" and measure.target_value is None:
            raise ConfigError(f"{where}.target_value': an indicator_at_least measure needs a target value")
    return tuple(model.measures)


def rag(measure: MeasureModel, value: float | None, reference: float | None = None) -> str:
    """The status of a measure: the one rule every page, the index and the workbook use.

    Parameters
    ----------
    measure
        The success measure.
    value
        Its figure: the area's rank (1 = lowest rate) or the partner figure; None: no data.
    reference
        What a change is judged against: the rank the same months a year earlier
        (rank_improves) or the partner figure before (indicator_falls); unused otherwise.
    """
    if value is None:
        return NO_DATA
    if measure.kind == "lowest_rank":
        return GREEN if value <= measure.lowest else AMBER if value <= measure.lowest + measure.amber_margin else RED
    if measure.kind == "indicator_at_least":
        gap = measure.target_value - value
        return GREEN if gap <= 0 else AMBER if gap <= measure.amber_margin else RED
    # rank_improves and indicator_falls: lower is better.
    if reference is None:
        return NO_DATA
    return GREEN if value < reference else AMBER if value == reference else RED


def year_earlier(months: list[str]) -> list[str]:
    """The same months a year earlier."""
    return [str(pd.Period(m, freq="M") - 12) for m in months]


def area_rank(
    counts: pd.DataFrame, population: pd.Series, area: str, crime_types: list[str], months: list[str]
) -> stats.Rank | None:
    """The area's rank (1 = lowest rate per resident) over some months; None if they are not all in the data."""
    if not set(months) <= set(counts["month"]):
        return None
    rows = counts[counts["crime_type"].isin(crime_types) & counts["month"].isin(months)]
    totals = rows.groupby("area")["count"].sum().reindex(population.index, fill_value=0)
    return stats.rank_among((totals / population).to_dict(), area)


def evaluate(
    measure: MeasureModel,
    assessment: Assessment,
    counts: pd.DataFrame,
    population: pd.Series,
    indicators: pd.DataFrame,
    months: list[str],
    up_to: pd.Timestamp | None = None,
) -> MeasureResult:
    """A measure's status over `months` (police measures) or up to `up_to` (partner measures)."""
    if measure.kind in ("lowest_rank", "rank_improves"):
        return _rank_measure(measure, assessment, counts, population, months)
    return _indicator_measure(measure, assessment, indicators, up_to)


def _result(
    measure: MeasureModel,
    period: str,
    value: str,
    evidence: str,
    number: float | None = None,
    reference: float | None = None,
) -> MeasureResult:
    """A measure's result, its status decided by `rag` from the figures it shows."""
    status = rag(measure, number, reference)
    return MeasureResult(
        measure.id, measure.priority, measure.title, measure.target, period, value, status, evidence, number, reference
    )


def _rank_measure(
    measure: MeasureModel, assessment: Assessment, counts: pd.DataFrame, population: pd.Series, months: list[str]
) -> MeasureResult:
    period = period_text(months[0], months[-1])
    rank = area_rank(counts, population, assessment.area, measure.crime_types, months)
    if rank is None:
        return _result(measure, period, "no data", "The police data do not cover these months.")
    value = rank.words
    if measure.kind == "lowest_rank":
        return _result(
            measure,
            period,
            value,
            f"Ranked {value} per 1,000 residents; the target is the lowest {measure.lowest}.",
            rank.rank,
        )
    before = year_earlier(months)
    earlier = area_rank(counts, population, assessment.area, measure.crime_types, before)
    before_text = period_text(before[0], before[-1])
    if earlier is None:
        return _result(
            measure,
            period,
            value,
            f"Ranked {value}; the data do not reach back to the same months a year earlier "
            f"({before_text}), so no change in position can be shown.",
            rank.rank,
        )
    return _result(
        measure,
        period,
        value,
        f"Ranked {value}, against {earlier.rank} of {earlier.n} a year earlier ({before_text}).",
        rank.rank,
        earlier.rank,
    )


def _indicator_measure(
    measure: MeasureModel, assessment: Assessment, indicators: pd.DataFrame, up_to: pd.Timestamp | None
) -> MeasureResult:
    """The latest partner figure against its target or the one before, each as it may be shown.

    The status stays: like a criterion score, it only places the figure in a band.
    """
    disclosure = Disclosure.of(assessment)
    hidden = disclosure.hidden_indicators(indicators, assessment.comparators)

    def shown(row: pd.Series) -> str:
        return disclosure.words(row["value"]) if hidden[row.name] else f"{row['value']:,.1f}"

    rows = indicators[(indicators["indicator"] == measure.indicator) & (indicators["area"] == assessment.area)]
    if up_to is not None:
        rows = rows[rows["period_end"] <= up_to]
    rows = rows.sort_values("period_end")
    if rows.empty:
        need = f" It needs: {measure.needs}." if measure.needs else ""
        return _result(measure, "", "no data", f"No partner return named {measure.indicator!r} is in the data.{need}")
    latest = rows.iloc[-1]
    period = period_label(latest["period_start"], latest["period_end"])
    value = shown(latest).removesuffix(".0")
    number = float(latest["value"])
    if measure.kind == "indicator_at_least":
        return _result(
            measure,
            period,
            value,
            f"{value} against a target of {measure.target_value:g} ({latest['source']}).",
            number,
        )
    if len(rows) < 2:
        return _result(measure, period, value, "Only one period is reported, so no change can be shown.", number)
    before = rows.iloc[-2]
    return _result(
        measure,
        period,
        value,
        f"{value} against {shown(before)} in "
        f"{period_label(before['period_start'], before['period_end'])} ({latest['source']}).",
        number,
        float(before["value"]),
    )

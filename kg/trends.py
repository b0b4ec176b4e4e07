"""Mentions over time: which entities are discussed most, and which are rising.

``compute_trends`` counts, per period (year or month), the papers that mention
each entity, for the top entities of a type or for entities the user names.
"Rising" compares an entity's share of the last period's papers with its share
of the periods before (shares, not raw counts, so that a corpus that grows, or
a last period that is only half over, does not make everything look like it
rises). :mod:`kg.charts` draws the result.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import networkx as nx

from kg.errors import UsageError
from kg.schema import ENTITY_LABELS
from kg.timeline import Granularity as Period
from kg.timeline import Timeline, period_range, timeline_from_graph
from kg.view.select import find_entity

#: How many periods before the last one "rising" compares against.
BASELINE_PERIODS = 3

Granularity = Literal["year", "month", "auto"]
#: An entity must be mentioned by this many papers of the last period to count as rising.
MIN_RISING_PAPERS = 2


@dataclass(frozen=True)
class Series:
    """One entity's papers per period, parallel to :attr:`TrendsReport.periods`."""

    key: str
    name: str
    label: str
    counts: tuple[int, ...]
    total: int
    #: Share of the last period's papers over share of the baseline periods' papers.
    growth: float


@dataclass(frozen=True)
class TrendsReport:
    """What ``kg trends`` draws and prints."""

    granularity: Period
    periods: tuple[str, ...]
    #: Dated papers per period (the denominators of the shares).
    papers: tuple[int, ...]
    series: tuple[Series, ...]
    rising: tuple[Series, ...]
    label: str | None
    undated_papers: int

    def summary(self) -> str:
        """Lines for the terminal: the span, the top entities, the rising ones."""
        if not self.periods:
            return f"no dated papers to chart ({self.undated_papers:,} papers have no date)"
        span = f"{self.periods[0]}..{self.periods[-1]}"
        what = f"{len(self.series)} entities over {len(self.periods)} periods"
        head = f"{what} ({span}, by {self.granularity})"
        lines = [head]
        if self.undated_papers:
            lines.append(f"{self.undated_papers:,} papers without a {self.granularity} left out")
        lines += [
            f"  {s.name} ({s.label}): {s.total:,} paper{'' if s.total == 1 else 's'}"
            for s in self.series
        ]
        if self.rising:
            lines.append(f"rising in {self.periods[-1]}:")
            lines += [f"  {s.name}: x{s.growth:.1f} share" for s in self.rising]
        return "\n".join(lines)


def compute_trends(
    graph: nx.MultiDiGraph[str] | None = None,
    *,
    timeline: Timeline | None = None,
    label: str | None = "Model",
    top: int = 10,
    names: Sequence[str] = (),
    granularity: Granularity = "auto",
) -> TrendsReport:
    """The top ``top`` entities of ``label`` (or the entities ``names``) over time.

    Give a graph (names are then found as ``kg view --entity`` finds them) or a
    timeline read from a store.
    """
    if label is not None and label not in ENTITY_LABELS:
        raise UsageError(f"unknown type {label!r}; use one of {', '.join(ENTITY_LABELS)}")
    if timeline is None:
        if graph is None:
            raise ValueError("compute_trends needs a graph or a timeline")
        timeline = timeline_from_graph(graph)
    chosen = granularity if granularity != "auto" else _auto_granularity(timeline)
    periods = _periods(timeline, chosen)
    per_period = timeline.papers_per_period(chosen)
    papers = tuple(per_period.get(period, 0) for period in periods)
    keys = _named_keys(graph, timeline, names) if names else _top_keys(timeline, label, chosen, top)
    series = [_series(timeline, key, chosen, periods, papers) for key in keys]
    candidates = [
        _series(timeline, key, chosen, periods, papers) for key in _typed(timeline, label)
    ]
    rising = sorted(
        (s for s in candidates if s.counts and s.counts[-1] >= MIN_RISING_PAPERS and s.growth > 1),
        key=lambda s: (-s.growth, -s.counts[-1], s.key),
    )[:top]
    first = _first_mentioned(series)
    return TrendsReport(
        granularity=chosen,
        periods=tuple(periods[first:]),
        papers=papers[first:],
        series=tuple(_from(s, first) for s in series),
        rising=tuple(_from(s, first) for s in rising),
        label=label,
        undated_papers=timeline.undated(chosen),
    )


def _first_mentioned(series: Sequence[Series]) -> int:
    """The first period in which a charted entity is mentioned: the chart starts there.

    The corpora reach back to 1963 while the top models appear after 2018; sixty empty
    years would squeeze every line into the right edge. Growth is computed before the cut.
    """
    starts = [next(i for i, count in enumerate(s.counts) if count) for s in series if s.total]
    return min(starts) if starts else 0


def _from(series: Series, first: int) -> Series:
    return replace(series, counts=series.counts[first:]) if first else series


def _auto_granularity(timeline: Timeline) -> Period:
    """Years when the papers span three years or more, months otherwise."""
    years = timeline.papers_per_period("year")
    return "year" if len(years) >= 3 else "month"


def _periods(timeline: Timeline, granularity: Period) -> list[str]:
    found = sorted(timeline.papers_per_period(granularity))
    return period_range(found[0], found[-1]) if found else []


def _typed(timeline: Timeline, label: str | None) -> list[str]:
    return [key for key, (_, kind) in timeline.entities.items() if label is None or kind == label]


def _top_keys(timeline: Timeline, label: str | None, granularity: Period, top: int) -> list[str]:
    """The entities of ``label`` mentioned by the most dated papers."""
    totals = {
        key: sum(timeline.entity_periods(key, granularity).values())
        for key in _typed(timeline, label)
    }
    ranked = sorted((key for key, total in totals.items() if total), key=lambda k: (-totals[k], k))
    return ranked[:top]


def _named_keys(
    graph: nx.MultiDiGraph[str] | None, timeline: Timeline, names: Sequence[str]
) -> list[str]:
    keys: list[str] = []
    for name in names:
        key = find_entity(graph, name) if graph is not None else _find_in(timeline, name)
        if key not in keys:
            keys.append(key)
    return keys


def _find_in(timeline: Timeline, name: str) -> str:
    """An entity of a store timeline by key or name (any case), else the closest names."""
    folded = name.strip().casefold()
    for key, (entity_name, _) in timeline.entities.items():
        if folded in (key.casefold(), entity_name.casefold()):
            return key
    names = sorted({entity_name for entity_name, _ in timeline.entities.values()})
    closest = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f"; closest: {', '.join(closest)}" if closest else ""
    raise UsageError(f"no entity named {name!r}{hint}")


def _series(
    timeline: Timeline,
    key: str,
    granularity: Period,
    periods: Sequence[str],
    papers: Sequence[int],
) -> Series:
    found = timeline.entity_periods(key, granularity)
    counts = tuple(found.get(period, 0) for period in periods)
    name, label = timeline.entities.get(key, (key, "Entity"))
    return Series(key, name, label, counts, sum(counts), _growth(counts, papers))


def _growth(counts: Sequence[int], papers: Sequence[int]) -> float:
    """Last period's share over the baseline periods' share (add-one smoothed)."""
    if len(counts) < 2 or not papers[-1]:
        return 0.0
    base = slice(max(0, len(counts) - 1 - BASELINE_PERIODS), len(counts) - 1)
    base_papers = sum(papers[base])
    last_share = counts[-1] / papers[-1]
    base_share = (sum(counts[base]) + 1) / (base_papers + 1)
    return last_share / base_share

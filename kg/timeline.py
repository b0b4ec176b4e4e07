"""Papers on a time axis: the period of each paper, and which entities it mentions.

Trends and digests both ask "which papers of this period mention this entity".
A paper's date may be partial (``2023``, ``2023-05``, ``2023-05-17``) or have no
year at all (``--03-26``, from a listing that gave only a day); such papers
have no period at the granularity asked and are counted as undated rather
than guessed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

from kg.schema import ENTITY_LABELS

Granularity = Literal["year", "month"]

_YEAR = re.compile(r"^(\d{4})(?:-(\d{2}))?")


def period_of(date: object, granularity: Granularity) -> str | None:
    """``2023`` or ``2023-05`` for an ISO (maybe partial) date; None when it lacks the part."""
    if not isinstance(date, str):
        return None
    found = _YEAR.match(date)
    if found is None:
        return None
    year, month = found.groups()
    if granularity == "year":
        return year
    return f"{year}-{month}" if month else None


def period_range(first: str, last: str) -> list[str]:
    """Every period from ``first`` to ``last`` inclusive, so that gaps show as zeros."""
    if len(first) == 4:
        return [str(year) for year in range(int(first), int(last) + 1)]
    periods = []
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


@dataclass
class Timeline:
    """Paper dates and paper-entity mentions, indexed for counting by period."""

    #: paper key -> its date (ISO, maybe partial), for papers that have one.
    dates: dict[str, str] = field(default_factory=dict)
    #: paper key -> its title (or first words), for citing papers in a digest.
    titles: dict[str, str] = field(default_factory=dict)
    #: entity key -> the papers that mention it.
    mentions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: entity key -> the papers that introduce it.
    introduced: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: entity key -> (name, label).
    entities: dict[str, tuple[str, str]] = field(default_factory=dict)
    papers: int = 0

    def papers_per_period(self, granularity: Granularity) -> dict[str, int]:
        """How many dated papers each period holds (the denominator of a share)."""
        counts: dict[str, int] = defaultdict(int)
        for date in self.dates.values():
            period = period_of(date, granularity)
            if period is not None:
                counts[period] += 1
        return dict(counts)

    def entity_periods(self, key: str, granularity: Granularity) -> dict[str, int]:
        """Papers mentioning ``key`` per period."""
        counts: dict[str, int] = defaultdict(int)
        for paper in self.mentions.get(key, ()):
            period = period_of(self.dates.get(paper), granularity)
            if period is not None:
                counts[period] += 1
        return dict(counts)

    def undated(self, granularity: Granularity) -> int:
        """Papers with no period at this granularity."""
        dated = sum(self.papers_per_period(granularity).values())
        return self.papers - dated


def timeline_from_graph(graph: nx.MultiDiGraph[str]) -> Timeline:
    """The timeline of a contract-shaped graph (built, loaded from a file, or read back)."""
    timeline = Timeline()
    for key, data in graph.nodes(data=True):
        label = data.get("label")
        if label == "Paper":
            _add_paper(timeline, key, data)
        elif label in ENTITY_LABELS:
            timeline.entities[key] = (str(data.get("name") or key), str(label))
    for source, target, data in graph.edges(data=True):
        _add_edge(timeline, source, target, str(data.get("type", "")))
    return timeline


def timeline_from_rows(
    papers: Iterable[Mapping[str, Any]],
    entities: Iterable[Mapping[str, Any]],
    edges: Iterable[tuple[str, str, str]],
) -> Timeline:
    """The same timeline from plain rows, as a store query returns them."""
    timeline = Timeline()
    for paper in papers:
        _add_paper(timeline, str(paper["key"]), paper)
    for entity in entities:
        timeline.entities[str(entity["key"])] = (str(entity["name"]), str(entity["label"]))
    for source, target, rel_type in edges:
        _add_edge(timeline, source, target, rel_type)
    return timeline


def _add_paper(timeline: Timeline, key: str, data: Mapping[str, Any]) -> None:
    timeline.papers += 1
    date = data.get("date")
    if isinstance(date, str) and date:
        timeline.dates[key] = date
    timeline.titles[key] = paper_title(data)


def _add_edge(timeline: Timeline, source: str, target: str, rel_type: str) -> None:
    if rel_type == "MENTIONS":
        timeline.mentions[target].add(source)
    elif rel_type == "INTRODUCES":
        timeline.introduced[target].add(source)


def paper_title(data: Mapping[str, Any]) -> str:
    """A paper's title, or the first words of its abstract when it has none."""
    title = str(data.get("title") or "").strip()
    if title:
        return title
    words = str(data.get("abstract") or "").split()
    return " ".join(words[:12]) + (" ..." if len(words) > 12 else "")

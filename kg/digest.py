"""What is new in a period: the models and datasets its papers introduce, and their claims.

A digest is for a newsletter or a weekly read. For each model, dataset or
benchmark that a paper of the period introduces, and no earlier paper names, it
lists what the graph says about it (what it outperforms, where it was
evaluated, what it was trained on or fine-tuned from, who developed it), each
claim with its evidence sentence and the paper it comes from, papers of the
period first. Relations that come only from kg's lexicon (``provenance:
knowledge``) are not claims of any paper and are left out. It ends with the
entities the period's papers mention most, against the period of the same
length just before.

A paper's date may be partial; a partial date counts as its first day
(``2024-05`` is 2024-05-01), and a paper with no year is in no period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.errors import UsageError
from kg.timeline import paper_title

#: The relation types a digest reports, in the order it lists them, with their wording.
CLAIMS: tuple[tuple[str, str], ...] = (
    ("OUTPERFORMS", "outperforms"),
    ("EVALUATED_ON", "evaluated on"),
    ("TRAINED_ON", "trained on"),
    ("FINE_TUNED_FROM", "fine-tuned from"),
    ("VARIANT_OF", "variant of"),
    ("DEVELOPED_BY", "developed by"),
    ("COVERS_LANGUAGE", "covers"),
)
INTRODUCED_LABELS = ("Model", "Dataset")
#: The edges by which a paper names an entity.
_NAMING = frozenset({"MENTIONS", "INTRODUCES"})
#: How many entities the "most mentioned" table lists.
TOP_MENTIONED = 15

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@dataclass(frozen=True)
class Evidence:
    sentence: str
    paper_id: str
    paper_title: str
    in_period: bool


@dataclass(frozen=True)
class Claim:
    """One relation of an introduced entity, with the sentences that state it."""

    relation: str
    wording: str
    target_key: str
    target_name: str
    support: int
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Introduced:
    key: str
    name: str
    label: str
    #: The period's papers that introduce it: (paper id, title).
    papers: tuple[tuple[str, str], ...]
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class Mentioned:
    key: str
    name: str
    label: str
    papers: int
    papers_before: int


@dataclass(frozen=True)
class Digest:
    since: dt.date
    until: dt.date
    papers: int
    introduced: tuple[Introduced, ...]
    mentioned: tuple[Mentioned, ...]
    before_since: dt.date
    before_until: dt.date

    def summary(self) -> str:
        """One line for the terminal."""
        kinds = {
            label: sum(1 for i in self.introduced if i.label == label)
            for label in INTRODUCED_LABELS
        }
        claims = sum(len(i.claims) for i in self.introduced)
        return (
            f"{self.since}..{self.until}: {_count(self.papers, 'paper')}; introduced "
            f"{_count(kinds['Model'], 'model')} and {_count(kinds['Dataset'], 'dataset')} "
            f"with {_count(claims, 'claim')}"
        )


def parse_day(text: str, what: str) -> dt.date:
    """A ``YYYY-MM-DD`` date from the command line, or a UsageError that says the form."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what} {text!r} is not a date; write it as YYYY-MM-DD") from None


def paper_day(value: object) -> dt.date | None:
    """The first day of a (maybe partial) ISO date; None when it has no year or is invalid."""
    if not isinstance(value, str):
        return None
    found = _DATE.match(value)
    if found is None:
        return None
    year, month, day = (int(part) if part else 1 for part in found.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def compute_digest(
    graph: nx.MultiDiGraph[str], since: dt.date, until: dt.date | None = None
) -> Digest:
    """The digest of the papers dated ``since`` .. ``until`` (inclusive; default: the newest)."""
    days = {
        key: paper_day(data.get("date"))
        for key, data in graph.nodes(data=True)
        if data.get("label") == "Paper"
    }
    if until is None:
        dated = [day for day in days.values() if day is not None]
        until = max(dated) if dated else since
    if until < since:
        raise UsageError(f"--until {until} is before --since {since}; swap them")
    period = {key for key, day in days.items() if day is not None and since <= day <= until}
    length = until - since
    before_until = since - dt.timedelta(days=1)
    before_since = before_until - length
    before = {
        key for key, day in days.items() if day is not None and before_since <= day <= before_until
    }
    earlier = {key for key, day in days.items() if day is not None and day < since}
    introduced = _introduced(graph, period, earlier)
    return Digest(
        since=since,
        until=until,
        papers=len(period),
        introduced=tuple(introduced),
        mentioned=tuple(_mentioned(graph, period, before)),
        before_since=before_since,
        before_until=before_until,
    )


def _introduced(
    graph: nx.MultiDiGraph[str], period: set[str], earlier: set[str]
) -> list[Introduced]:
    """Entities a paper of the period introduces and no earlier paper names.

    A name that papers before the period already mention is not new, whatever
    a paper of the period says (a reused name, or "we introduce" misread).
    """
    found: dict[str, list[str]] = {}
    for paper in sorted(period):
        for _, target, key in graph.out_edges(paper, keys=True):
            if key == "INTRODUCES" and graph.nodes[target].get("label") in INTRODUCED_LABELS:
                found.setdefault(target, []).append(paper)
    found = {key: papers for key, papers in found.items() if not _named_by(graph, key, earlier)}
    entries = [
        Introduced(
            key=key,
            name=str(graph.nodes[key].get("name") or key),
            label=str(graph.nodes[key]["label"]),
            papers=tuple((_paper_id(p), paper_title(graph.nodes[p])) for p in papers),
            claims=tuple(_claims(graph, key, period)),
        )
        for key, papers in found.items()
    ]
    return sorted(entries, key=lambda e: (-len(e.claims), -len(e.papers), e.name.casefold(), e.key))


def _named_by(graph: nx.MultiDiGraph[str], key: str, papers: set[str]) -> bool:
    return any(
        source in papers and kind in _NAMING for source, _, kind in graph.in_edges(key, keys=True)
    )


def _claims(graph: nx.MultiDiGraph[str], key: str, period: set[str]) -> list[Claim]:
    order = {rel: index for index, (rel, _) in enumerate(CLAIMS)}
    wording = dict(CLAIMS)
    claims = []
    for _, target, data in graph.out_edges(key, data=True):
        relation = str(data.get("type", ""))
        if relation not in order or data.get("provenance") == "knowledge":
            continue
        evidence = _evidence(graph, data, period)
        if not evidence:
            continue
        claims.append(
            Claim(
                relation=relation,
                wording=wording[relation],
                target_key=target,
                target_name=str(graph.nodes[target].get("name") or target),
                support=int(data.get("support") or len(data.get("papers") or ())),
                evidence=tuple(evidence),
            )
        )
    return sorted(claims, key=lambda c: (order[c.relation], -c.support, c.target_name.casefold()))


def _evidence(
    graph: nx.MultiDiGraph[str], data: Mapping[str, Any], period: set[str]
) -> list[Evidence]:
    sentences: Sequence[Any] = data.get("evidence") or ()
    papers: Sequence[Any] = data.get("evidence_papers") or ()
    found = []
    for sentence, paper_id in zip(sentences, papers, strict=False):
        paper = f"paper:{paper_id}"
        title = paper_title(graph.nodes[paper]) if paper in graph else str(paper_id)
        found.append(Evidence(str(sentence), str(paper_id), title, paper in period))
    return sorted(found, key=lambda e: not e.in_period)


def _mentioned(graph: nx.MultiDiGraph[str], period: set[str], before: set[str]) -> list[Mentioned]:
    now: dict[str, int] = {}
    then: dict[str, int] = {}
    for papers, counts in ((period, now), (before, then)):
        for paper in papers:
            for _, target, key in graph.out_edges(paper, keys=True):
                if key == "MENTIONS":
                    counts[target] = counts.get(target, 0) + 1
    ranked = sorted(now, key=lambda k: (-now[k], k))[:TOP_MENTIONED]
    return [
        Mentioned(
            k,
            str(graph.nodes[k].get("name") or k),
            str(graph.nodes[k].get("label")),
            now[k],
            then.get(k, 0),
        )
        for k in ranked
    ]


def _count(number: int, noun: str) -> str:
    """``1 paper``, ``2 papers``: counts the way a reader says them."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _paper_id(key: str) -> str:
    return key.split(":", 1)[1] if key.startswith("paper:") else key

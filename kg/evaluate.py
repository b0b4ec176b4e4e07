"""Score extraction against hand-annotated gold: precision, recall and F1 per type.

Each gold line is ``{"id", "title", "abstract", "entities": [{"type", "name",
"aliases", "uncertain"}]}``. A predicted entity matches a gold entity of the
same type when any of their names agree after folding case, spaces and
punctuation (``Mistral-7B-Instruct`` = ``Mistral 7B -- Instruct``). Uncertain
gold entities are neither required nor penalized.

With ``spans=True`` the gold names are located in the text (whole-word
matches) and predicted mentions are scored as spans too, exactly and by
overlap.

With ``relations=True`` the documents that carry a ``relations`` key (gold
``{"type", "source", "target", "uncertain", "note"}``, endpoints named by a gold
entity's ``name``) are scored for relations too; documents without the key are
skipped, so a partly annotated file still scores. A predicted relation matches
a gold one of the same type when its source and target each match the gold
endpoint through entity names and aliases; each gold relation matches at most
one prediction. Relations from kg's lexicon (``provenance: "knowledge"``) are
not claims of the paper and are not scored; uncertain gold relations are
neither required nor penalized.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

from kg.errors import InputError
from kg.extract import extract_paper, load_pipeline
from kg.resolve import match_form
from kg.schema import ENTITY_LABELS, EXTRACTED_REL_TYPES


@dataclass
class Counts:
    """True positives, false positives and false negatives of one type."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass
class EvalReport:
    """Scores per type and micro-averaged, plus the errors for inspection."""

    documents: int = 0
    entities: dict[str, Counts] = field(
        default_factory=lambda: {t: Counts() for t in ENTITY_LABELS}
    )
    spans_exact: Counts = field(default_factory=Counts)
    spans_overlap: Counts = field(default_factory=Counts)
    #: Relation scores, or None when relations were not asked for.
    relations: dict[str, Counts] | None = None
    #: How many documents carried a ``relations`` key (the others are not scored for them).
    relation_documents: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def micro(self) -> Counts:
        return _total(self.entities.values())

    @property
    def relations_micro(self) -> Counts:
        return _total((self.relations or {}).values())

    def to_json(self) -> dict[str, Any]:
        rows = {label: _scores(c) for label, c in self.entities.items()}
        rows["micro"] = _scores(self.micro)
        spans = {"exact": _scores(self.spans_exact), "overlap": _scores(self.spans_overlap)}
        data: dict[str, Any] = {"documents": self.documents, "entities": rows, "spans": spans}
        if self.relations is not None:
            relation_rows = {rel_type: _scores(c) for rel_type, c in self.relations.items()}
            relation_rows["micro"] = _scores(self.relations_micro)
            data["relation_documents"] = self.relation_documents
            data["relations"] = relation_rows
        return data


def _total(parts: Iterable[Counts]) -> Counts:
    total = Counts()
    for counts in parts:
        total.add(counts)
    return total


def _scores(counts: Counts) -> dict[str, float | int]:
    return {
        "precision": round(counts.precision, 4),
        "recall": round(counts.recall, 4),
        "f1": round(counts.f1, 4),
        "tp": counts.tp,
        "fp": counts.fp,
        "fn": counts.fn,
    }


def read_gold(path: str | Path) -> list[dict[str, Any]]:
    """Load a gold JSON Lines file, with a clear error for a bad line."""
    documents = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(
            str(path), f"cannot read the gold file ({exc.strerror}); check the path"
        ) from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            record["title"], record["abstract"], record["entities"]
            for relation in record.get("relations", []):
                relation["type"], relation["source"], relation["target"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(
                f"{path}:{number}",
                f"not a gold record ({exc}); see docs/annotation.md for the format",
            ) from None
        documents.append(record)
    return documents


def evaluate(
    gold: Iterable[dict[str, Any]],
    *,
    nlp: Language | None = None,
    spans: bool = False,
    relations: bool = False,
) -> EvalReport:
    """Run extraction on every gold document and score it."""
    nlp = nlp or load_pipeline()
    report = EvalReport()
    if relations:
        report.relations = {rel_type: Counts() for rel_type in EXTRACTED_REL_TYPES}
    for document in gold:
        predicted = extract_paper(
            nlp, document.get("id", ""), document["title"], document["abstract"]
        )
        report.documents += 1
        _score_entities(report, document, predicted)
        if spans:
            _score_spans(report, document, predicted)
        if report.relations is not None and "relations" in document:
            report.relation_documents += 1
            counts, errors = score_relations(document, predicted)
            for rel_type, part in counts.items():
                report.relations.setdefault(rel_type, Counts()).add(part)
            report.errors.extend(errors)
    return report


def _names(entity: dict[str, Any]) -> set[str]:
    return {match_form(name) for name in [entity["name"], *entity.get("aliases", [])]} - {""}


def _score_entities(
    report: EvalReport, document: dict[str, Any], predicted: dict[str, Any]
) -> None:
    for label in ENTITY_LABELS:
        certain = [
            _names(e) for e in document["entities"] if e["type"] == label and not e.get("uncertain")
        ]
        uncertain = [
            _names(e) for e in document["entities"] if e["type"] == label and e.get("uncertain")
        ]
        guesses = [e for e in predicted["entities"] if e["type"] == label]
        counts = report.entities[label]
        found = [False] * len(certain)
        for guess in guesses:
            names = _names(guess)
            hits = [i for i, gold_names in enumerate(certain) if names & gold_names]
            for i in hits:
                found[i] = True
            if hits:
                counts.tp += 1
            elif not any(names & gold_names for gold_names in uncertain):
                counts.fp += 1
                report.errors.append(
                    {"id": document.get("id"), "kind": "fp", "type": label, "name": guess["name"]}
                )
        for i, hit in enumerate(found):
            if not hit:
                counts.fn += 1
                name = next(
                    e["name"]
                    for e in document["entities"]
                    if e["type"] == label and _names(e) == certain[i]
                )
                report.errors.append(
                    {"id": document.get("id"), "kind": "fn", "type": label, "name": name}
                )


def _score_spans(report: EvalReport, document: dict[str, Any], predicted: dict[str, Any]) -> None:
    gold_spans = set()
    for entity in document["entities"]:
        if entity.get("uncertain"):
            continue
        for name in [entity["name"], *entity.get("aliases", [])]:
            for field_name in ("title", "abstract"):
                for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", document[field_name]):
                    gold_spans.add((field_name, match.start(), match.end(), entity["type"]))
    guessed = {
        (m["field"], m["start"], m["end"], e["type"])
        for e in predicted["entities"]
        for m in e["mentions"]
    }
    exact = gold_spans & guessed
    report.spans_exact.tp += len(exact)
    report.spans_exact.fp += len(guessed - exact)
    report.spans_exact.fn += len(gold_spans - exact)
    overlapping = {g for g in guessed if any(_overlap(g, s) for s in gold_spans)}
    covered = {s for s in gold_spans if any(_overlap(g, s) for g in guessed)}
    report.spans_overlap.tp += len(covered)
    report.spans_overlap.fp += len(guessed - overlapping)
    report.spans_overlap.fn += len(gold_spans - covered)


def _overlap(first: tuple[str, int, int, str], second: tuple[str, int, int, str]) -> bool:
    return (
        first[0] == second[0]
        and first[3] == second[3]
        and first[1] < second[2]
        and second[1] < first[2]
    )


# --- relations ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Edge:
    """One relation as sets of matchable names of its two endpoints."""

    type: str
    source: frozenset[str]
    target: frozenset[str]
    source_name: str
    target_name: str

    def matches(self, other: _Edge) -> bool:
        return (
            self.type == other.type
            and bool(self.source & other.source)
            and bool(self.target & other.target)
        )


def _gold_edges(document: dict[str, Any]) -> tuple[list[_Edge], list[_Edge]]:
    """The document's gold relations, certain and uncertain, with their endpoints' names."""
    forms: dict[str, set[str]] = {}
    for entity in document["entities"]:
        forms.setdefault(entity["name"], set()).update(_names(entity))
    certain: list[_Edge] = []
    uncertain: list[_Edge] = []
    for relation in document["relations"]:
        source, target = relation["source"], relation["target"]
        edge = _Edge(
            relation["type"],
            frozenset(forms.get(source, {match_form(source)})),
            frozenset(forms.get(target, {match_form(target)})),
            source,
            target,
        )
        (uncertain if relation.get("uncertain") else certain).append(edge)
    return certain, uncertain


def _predicted_edges(predicted: dict[str, Any]) -> list[_Edge]:
    """Predicted relations that claim something of the paper (not ``knowledge``)."""
    forms = {entity["key"]: _names(entity) for entity in predicted["entities"]}
    edges = []
    for relation in predicted["relations"]:
        if relation.get("provenance") == "knowledge":
            continue
        source = forms.get(relation["source"], set()) | {match_form(relation["source_name"])}
        target = forms.get(relation["target"], set()) | {match_form(relation["target_name"])}
        edges.append(
            _Edge(
                relation["type"],
                frozenset(source - {""}),
                frozenset(target - {""}),
                relation["source_name"],
                relation["target_name"],
            )
        )
    return edges


def _one_to_one(guesses: list[_Edge], gold: list[_Edge]) -> dict[int, int]:
    """A maximum matching of guesses to gold edges (guess index -> gold index)."""
    owner: dict[int, int] = {}  # gold index -> guess index

    def assign(guess: int, seen: set[int]) -> bool:
        for index, edge in enumerate(gold):
            if index in seen or not guesses[guess].matches(edge):
                continue
            seen.add(index)
            if index not in owner or assign(owner[index], seen):
                owner[index] = guess
                return True
        return False

    for guess in range(len(guesses)):
        assign(guess, set())
    return {guess: index for index, guess in owner.items()}


def score_relations(
    document: dict[str, Any], predicted: dict[str, Any]
) -> tuple[dict[str, Counts], list[dict[str, Any]]]:
    """Score one extraction record's relations against one gold document's.

    Returns the counts per relation type and the errors (``fp`` and ``fn``).
    """
    scores: dict[str, Counts] = {}
    errors: list[dict[str, Any]] = []
    certain, uncertain = _gold_edges(document)
    guesses = _predicted_edges(predicted)
    matched = _one_to_one(guesses, certain)
    for index, guess in enumerate(guesses):
        counts = scores.setdefault(guess.type, Counts())
        if index in matched:
            counts.tp += 1
        elif not any(guess.matches(edge) for edge in uncertain):
            counts.fp += 1
            errors.append(_relation_error(document, "fp", guess))
    found = set(matched.values())
    for index, edge in enumerate(certain):
        if index not in found:
            scores.setdefault(edge.type, Counts()).fn += 1
            errors.append(_relation_error(document, "fn", edge))
    return scores, errors


def _relation_error(document: dict[str, Any], kind: str, edge: _Edge) -> dict[str, Any]:
    return {
        "id": document.get("id"),
        "kind": kind,
        "relation": edge.type,
        "source": edge.source_name,
        "target": edge.target_name,
    }

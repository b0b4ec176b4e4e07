"""Score extraction against hand-annotated gold: precision, recall and F1 per type.

Each gold line is ``{"id", "title", "abstract", "entities": [{"type", "name",
"aliases", "uncertain"}]}``. A predicted entity matches a gold entity of the
same type when any of their names agree after folding case, spaces and
punctuation (``Mistral-7B-Instruct`` = ``Mistral 7B -- Instruct``). Uncertain
gold entities are neither required nor penalized.

With ``spans=True`` the gold names are located in the text (whole-word
matches) and predicted mentions are scored as spans too, exactly and by
overlap.
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
from kg.schema import ENTITY_LABELS


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
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.entities.values():
            total.add(counts)
        return total

    def to_json(self) -> dict[str, Any]:
        rows = {label: _scores(c) for label, c in self.entities.items()}
        rows["micro"] = _scores(self.micro)
        spans = {"exact": _scores(self.spans_exact), "overlap": _scores(self.spans_overlap)}
        return {"documents": self.documents, "entities": rows, "spans": spans}


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
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(
                f"{path}:{number}",
                f"not a gold record ({exc}); see docs/annotation.md for the format",
            ) from None
        documents.append(record)
    return documents


def evaluate(
    gold: Iterable[dict[str, Any]], *, nlp: Language | None = None, spans: bool = False
) -> EvalReport:
    """Run extraction on every gold document and score it."""
    nlp = nlp or load_pipeline()
    report = EvalReport()
    for document in gold:
        predicted = extract_paper(
            nlp, document.get("id", ""), document["title"], document["abstract"]
        )
        report.documents += 1
        _score_entities(report, document, predicted)
        if spans:
            _score_spans(report, document, predicted)
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

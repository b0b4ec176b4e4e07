"""``kg_overlaps``: choose among overlapping candidates, deterministically.

The most specific candidate wins: the longest span, then the higher score,
then the more trusted rule family (lexicon > context/acronym > shape > NER),
then the type priority (Model > Dataset > Organization > Language). A
candidate marked ``needs_context`` (an ambiguous lexicon name such as ``Go``,
a weak shape such as ``GLM-4``) survives only when its sentence has a cue for
its type. The winner keeps the rule that proposed it; ``introduced`` is true
when any overlapping candidate of the same type said so.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.candidates import Candidate, Mention, candidates, head_nouns, ml_patterns
from kg.extract.lexicon import language_rules


@Language.factory("kg_overlaps")
def make_overlap_resolver(nlp: Language, name: str) -> OverlapResolver:
    return OverlapResolver()


class OverlapResolver:
    """Write ``doc.ents`` and ``doc._.kg_mentions`` from ``doc._.kg_candidates``."""

    def __init__(self) -> None:
        triggers: list[str] = ml_patterns()["comparison_triggers"]  # type: ignore[assignment]
        self.cues = {
            "Model": head_nouns("Model") | frozenset(triggers),
            "Dataset": head_nouns("Dataset"),
            "Organization": frozenset({"by", "from", "at", "team", "researchers"}),
            "Language": frozenset(language_rules()["programming_context"]),
        }

    def __call__(self, doc: Doc) -> Doc:
        pool = _trim_around_lexicon([c for c in candidates(doc) if self._has_support(doc, c)])
        chosen: list[Candidate] = []
        taken: set[int] = set()
        for candidate in sorted(pool, key=lambda c: (c.priority, -c.start), reverse=True):
            tokens = set(range(candidate.start, candidate.end))
            if tokens & taken:
                continue
            taken |= tokens
            candidate.introduced = any(
                other.introduced and other.label == candidate.label and _overlaps(other, candidate)
                for other in pool
            )
            chosen.append(candidate)
        chosen.sort(key=lambda c: c.start)
        doc.ents = [Span(doc, c.start, c.end, label=c.label) for c in chosen]
        doc._.kg_mentions = [_mention(doc, c) for c in chosen]
        return doc

    def _has_support(self, doc: Doc, candidate: Candidate) -> bool:
        if not candidate.needs_context:
            return True
        sent = doc[candidate.start].sent
        words = {token.text for token in sent} | {token.lower_ for token in sent}
        if words & self.cues.get(candidate.label, frozenset()):
            return True
        return any(
            other is not candidate
            and other.label == candidate.label
            and not other.needs_context
            and sent.start <= other.start < sent.end
            and not _overlaps(other, candidate)
            for other in candidates(doc)
        )


def _trim_around_lexicon(pool: list[Candidate]) -> list[Candidate]:
    """A weaker rule may not swallow a known name of another type.

    ``OpenAI code-cushman-001`` as one context chunk would hide the lexicon
    organization OpenAI; the chunk is cut to ``code-cushman-001`` instead.
    """
    known = [c for c in pool if c.rule.startswith("lexicon") and not c.needs_context]
    kept = []
    for candidate in pool:
        if candidate.rule.startswith("lexicon"):
            kept.append(candidate)
            continue
        for other in known:
            if (
                other.label != candidate.label
                and other.score >= candidate.score
                and _overlaps(other, candidate)
            ):
                if other.start <= candidate.start < other.end:
                    candidate.start = other.end
                elif other.start < candidate.end <= other.end:
                    candidate.end = other.start
        if candidate.start < candidate.end:
            kept.append(candidate)
    return kept


def _overlaps(first: Candidate, second: Candidate) -> bool:
    return first.start < second.end and second.start < first.end


def _mention(doc: Doc, candidate: Candidate) -> Mention:
    span = doc[candidate.start : candidate.end]
    return Mention(
        start=span.start_char,
        end=span.end_char,
        label=candidate.label,
        text=span.text,
        rule=candidate.rule,
        score=candidate.score,
        canonical=candidate.canonical,
        kind=candidate.kind,
        introduced=candidate.introduced,
        family=candidate.family,
        developer=candidate.developer,
    )

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

from kg.extract.candidates import (
    Candidate,
    Mention,
    TokenInfo,
    candidates,
    head_nouns,
    ml_patterns,
    token_info,
)
from kg.extract.lexicon import language_rules
from kg.extract.negative import filter_candidates


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
            "Organization": frozenset(
                {
                    "by",
                    "from",
                    "at",
                    "team",
                    "researchers",
                    "released",
                    "releases",
                    "release",
                    "developed",
                    "develops",
                    "open-sourced",
                    "introduced",
                    "'s",
                    "’s",
                }
            ),
            "Language": frozenset(language_rules()["programming_context"]),
        }
        rules = language_rules()
        self.natural_next = frozenset(rules["natural_next"])
        self.programming_next = frozenset(rules["programming_next"])
        self.programming_before = frozenset(rules["programming_before"])

    def __call__(self, doc: Doc) -> Doc:
        info, text = token_info(doc), doc.user_data.get("kg_text")
        if text is None:  # a Doc made outside extract_paper; Doc.text rebuilds the string
            text = doc.text
        pool = filter_candidates(info, text, candidates(doc))
        pool = _trim_around_lexicon(self._supported(doc, pool))
        introduced = _introduced_tokens(pool)
        chosen: list[Candidate] = []
        taken: set[int] = set()
        for candidate in sorted(pool, key=lambda c: (c.priority, -c.start), reverse=True):
            tokens = range(candidate.start, candidate.end)
            if any(token in taken for token in tokens):
                continue
            taken.update(tokens)
            candidate.introduced = any((token, candidate.label) in introduced for token in tokens)
            chosen.append(candidate)
        chosen.sort(key=lambda c: c.start)
        doc.ents = [Span(doc, c.start, c.end, label=c.label) for c in chosen]
        doc._.kg_mentions = [_mention(info, text, c) for c in chosen]
        return doc

    def _supported(self, doc: Doc, pool: list[Candidate]) -> list[Candidate]:
        """Drop ``needs_context`` candidates whose sentence has no cue for their type.

        A cue is a trigger word of the type, or a confident candidate of the same
        type elsewhere in the sentence (``Go, Rust and Python``). Sentence words
        and confident spans are gathered once per sentence.
        """
        if not any(c.needs_context for c in pool):
            return pool
        info = token_info(doc)
        sentence_of = {}
        for number, bounds in enumerate(info.sentences):
            for token in range(*bounds):
                sentence_of[token] = (number, bounds)
        words: dict[int, set[str]] = {}
        confident: dict[tuple[int, str], list[Candidate]] = {}
        for candidate in pool:
            if not candidate.needs_context:
                key = (sentence_of[candidate.start][0], candidate.label)
                spans = confident.setdefault(key, [])
                if len(spans) < 2:
                    spans.append(candidate)
        kept = []
        language_starts = {
            c.start: c for c in pool if c.label == "Language" and not c.needs_context
        }
        language_ends = {c.end: c for c in language_starts.values()}
        for candidate in pool:
            if not candidate.needs_context:
                kept.append(candidate)
                continue
            if candidate.label == "Language" and (
                candidate.kind == "natural"
                or (candidate.end - candidate.start == 1 and len(info.texts[candidate.start]) == 1)
            ):
                if self._language_nearby(info, candidate, language_starts, language_ends):
                    kept.append(candidate)
                continue
            number, (start, end) = sentence_of[candidate.start]
            if number not in words:
                words[number] = {*info.texts[start:end], *info.lowers[start:end]}
            cued = bool(words[number] & self.cues.get(candidate.label, frozenset()))
            others = confident.get((number, candidate.label), [])
            if cued or any(not _overlaps(other, candidate) for other in others):
                kept.append(candidate)
        return kept

    def _language_nearby(
        self,
        info: TokenInfo,
        candidate: Candidate,
        starts: dict[int, Candidate],
        ends: dict[int, Candidate],
    ) -> bool:
        """A language name that is also a word or a letter, right next to what shows it.

        ``Even speakers``, ``Evenki and Even``; ``R package``, ``in R``,
        ``R and Python``. Never a panel label (``D)``) or a unit (``°C``).
        """
        texts, lowers = info.texts, info.lowers
        first, last = candidate.start, candidate.end
        before = lowers[first - 1] if first > 0 else ""
        after = lowers[last] if last < len(texts) else ""
        joiners = _JOINERS | _TRANSLATION if candidate.kind == "natural" else _JOINERS
        listed = (after in joiners and last + 1 in starts) or (
            before in joiners and first - 1 in ends
        )
        if candidate.kind == "natural":
            return info.sent_start[first] is False and (after in self.natural_next or listed)
        if after == ")" or before.endswith("°") or texts[first - 1 : first] == ["°"]:
            return False
        if after in self.programming_next or listed:
            return True
        return before in self.programming_before and after in _CLAUSE_END


_JOINERS = frozenset({"and", "or", ",", "/", "&"})
_TRANSLATION = frozenset({"into", "to", "from", "-", "–"})
_CLAUSE_END = frozenset({"", ".", ",", ";", ":", "and", "or", "/", "("})


def _trim_around_lexicon(pool: list[Candidate]) -> list[Candidate]:
    """A weaker rule may not swallow a known name of another type.

    ``OpenAI code-cushman-001`` as one context chunk would hide the lexicon
    organization OpenAI; the chunk is cut to ``code-cushman-001`` instead.
    Lexicon candidates are indexed by token, so this stays linear in the
    number of candidates.
    """
    known: dict[int, list[Candidate]] = {}
    for candidate in pool:
        if candidate.rule.startswith("lexicon") and not candidate.needs_context:
            for token in range(candidate.start, candidate.end):
                known.setdefault(token, []).append(candidate)
    kept = []
    for candidate in pool:
        if not candidate.rule.startswith("lexicon"):
            _cut(candidate, known)
        if candidate.start < candidate.end:
            kept.append(candidate)
    return kept


def _cut(candidate: Candidate, known: dict[int, list[Candidate]]) -> None:
    for edge in (candidate.start, candidate.end - 1):
        for other in known.get(edge, ()):
            if other.label == candidate.label or other.score < candidate.score:
                continue
            if other.start <= candidate.start < other.end:
                candidate.start = other.end
            elif other.start < candidate.end <= other.end:
                candidate.end = other.start


def _introduced_tokens(pool: list[Candidate]) -> set[tuple[int, str]]:
    """(token, label) pairs covered by a candidate that marks its name as introduced."""
    return {
        (token, candidate.label)
        for candidate in pool
        if candidate.introduced
        for token in range(candidate.start, candidate.end)
    }


def _overlaps(first: Candidate, second: Candidate) -> bool:
    return first.start < second.end and second.start < first.end


def _mention(info: TokenInfo, text: str, candidate: Candidate) -> Mention:
    start, end = info.char_bounds(candidate.start, candidate.end)
    return Mention(
        start=start,
        end=end,
        label=candidate.label,
        text=text[start:end],
        rule=candidate.rule,
        score=candidate.score,
        canonical=candidate.canonical,
        kind=candidate.kind,
        introduced=candidate.introduced,
        family=candidate.family,
        developer=candidate.developer,
    )

"""``kg_acronyms``: ``long form (SHORT)`` and ``SHORT (long form)`` name one entity.

``Bharat Parallel Corpus Collection (BPCC)`` gives one entity with both
names. When neither name is otherwise known, the long form's last word types
it (Corpus -> Dataset, Institute -> Organization, Model -> Model). Generic
pairs such as ``large language models (LLMs)`` are ignored, and a long form
whose last word names a method (``Contrastive Token Alignment (CTA)``, ``Dual
Instruction Tuning (RA-DIT)``) defines a method: neither name is an entity.

A pair with no type word (``Hierarchical Spectral Attention (HSA)``), and a
name the text defines by ``we call it X``, are names the paper uses for
something of its own; their reuses type them: ``X outperforms``, ``X
achieves``, ``X contains``, ``on X``, ``the X model``, or another rule's type
for one of them. Every reuse then becomes a candidate of that type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc, Token

from kg.extract.candidates import (
    Candidate,
    TokenInfo,
    candidates,
    generic_names,
    head_nouns,
    ml_patterns,
    token_info,
    token_texts,
)
from kg.extract.lexicon import load_json

_SHORT = re.compile(r"^[A-Z][A-Za-z0-9\-+]*[A-Z0-9+][A-Za-z0-9\-+]*s?$")
_SMALL = frozenset("of and for the in on with a an to from by at".split())
_HEAD_TYPES = {
    "Dataset": frozenset(
        "corpus corpora dataset datasets benchmark benchmarks collection bank treebank suite "
        "set sets stream leaderboard challenge".split()
    ),
    "Organization": frozenset(
        "university institute laboratory laboratories lab labs research center centre "
        "foundation consortium initiative organization organisation academy".split()
    ),
    # Not "network" or "transformer": "Graph Convolutional Network (GCN)" is an architecture.
    "Model": frozenset("model models lm llm llms assistant chatbot".split()),
}
#: Words right after a reuse that show what the defined name is.
_MODEL_NEXT = frozenset(
    "achieves achieved obtains attains reaches scores generates answers predicts "
    "outperforms outperform surpasses surpass beats exceeds rivals demonstrates demonstrated "
    "yields delivers".split()
)
_DATASET_NEXT = frozenset("contains consists comprises includes covers spans features".split())
_DATASET_BEFORE = frozenset({"on", "from"})


@cache
def _method_words() -> tuple[frozenset[str], frozenset[str]]:
    data = load_json("patterns/negative.json")
    heads = frozenset(data["method_heads"]) | frozenset(data["non_entity_heads"])
    return heads, frozenset(data["entity_gerunds"])


def _is_method_head(word: str) -> bool:
    """The last word of a long form that makes it a method (Alignment, Tuning)."""
    heads, gerunds = _method_words()
    return word in heads or (word.endswith("ing") and len(word) > 5 and word not in gerunds)


@dataclass(frozen=True)
class AcronymPair:
    """Token offsets of a long form and its short form in one Doc."""

    long_start: int
    long_end: int
    short_start: int
    short_end: int


@Language.factory("kg_acronyms")
def make_acronym_detector(nlp: Language, name: str) -> AcronymDetector:
    return AcronymDetector()


class AcronymDetector:
    """Record long/short pairs on ``doc._.kg_acronyms`` and type them from head nouns."""

    def __call__(self, doc: Doc) -> Doc:
        texts = token_texts(doc)
        parens = [  # "(" X ")": where a short or a long form can be defined
            index
            for index, text in enumerate(texts)
            if text == "(" and index + 2 < len(texts) and texts[index + 2] == ")"
        ]
        pairs = self._pairs(doc, parens)
        doc._.kg_acronyms = pairs
        found = candidates(doc)
        generic = _generic_shorts(doc, parens)
        if generic:
            found[:] = [c for c in found if doc[c.start : c.end].text not in generic]
        info = token_info(doc)
        for pair in pairs:
            last = texts[pair.long_end - 1].lower()
            label = _head_type(last)
            if label is None:
                short = tuple(texts[pair.short_start : pair.short_end])
                if _is_method_head(last.split("-")[-1]):
                    info.blocked.add(short)
                    info.blocked.add(tuple(texts[pair.long_start : pair.long_end]))
                else:
                    info.defined.add(short)
                continue
            rule = f"acronym.{label.lower()}"
            found.append(Candidate(pair.long_start, pair.long_end, label, rule, 0.75))
            found.append(Candidate(pair.short_start, pair.short_end, label, rule, 0.75))
        if info.defined:
            found.extend(_typed_reuses(info, found))
        return doc

    def _pairs(self, doc: Doc, parens: list[int]) -> list[AcronymPair]:
        pairs = []
        texts = token_texts(doc)
        for index in parens:
            inside = texts[index + 1]
            if _is_short(inside):
                start = _long_form_start(doc, index, inside)
                if start is not None:
                    pairs.append(AcronymPair(start, index, index + 1, index + 2))
        return pairs


def _generic_shorts(doc: Doc, parens: list[int]) -> set[str]:
    """Short forms the text defines by a lower-case phrase: ``grouped-query attention (GQA)``.

    Such a definition names a method, not a model or dataset, so a lexicon
    entry with the same letters (the GQA dataset) does not apply in this Doc.
    """
    shorts = set()
    texts = token_texts(doc)
    for index in parens:
        short = texts[index + 1]
        if not _SHORT.match(short):
            continue
        letters = [ch.lower() for ch in short if ch.isalpha() and ch.isupper()]
        words = [
            t for t in doc[max(0, index - len(letters) - 2) : index] if t.is_alpha or "-" in t.text
        ]
        for size in range(1, len(words) + 1):
            tail = words[-size:]
            if all(t.text.islower() for t in tail) and _initials_of(tail) == letters:
                shorts.add(short)
                break
    return shorts


def _initials_of(tokens: list[Token]) -> list[str]:
    return [
        part[0].lower()
        for t in tokens
        if t.lower_ not in _SMALL
        for part in t.text.split("-")
        if part
    ]


def _is_short(text: str) -> bool:
    return (
        bool(_SHORT.match(text))
        and text not in generic_names()
        and text.rstrip("s") not in generic_names()
    )


def _long_form_start(doc: Doc, paren: int, short: str) -> int | None:
    """Where the long form before ``(`` starts, if its initials spell ``short``."""
    letters = [ch.lower() for ch in short if ch.isalpha() and ch.isupper()] or [short[0].lower()]
    words: list[int] = []
    index = paren - 1
    while index >= 0 and len(words) < len(letters) + 3:
        token = doc[index]
        if not (token.is_alpha or "-" in token.text):
            break
        words.insert(0, index)
        if token.text[:1].isupper() and _initials(doc, words) == letters:
            return index
        index -= 1
    return None


def _initials(doc: Doc, indexes: list[int]) -> list[str]:
    """First letters of the words, or every capital of a camel-case word (BigScience -> b, s)."""
    initials: list[str] = []
    for index in indexes:
        text = doc[index].text
        if text.lower() in _SMALL:
            continue
        for part in filter(None, text.split("-")):
            if any(ch.isupper() for ch in part[1:]):
                initials.extend(ch.lower() for ch in part if ch.isupper())
            else:
                initials.append(part[0].lower())
    return initials


def _head_type(word: str) -> str | None:
    for label, heads in _HEAD_TYPES.items():
        if word in heads:
            return label
    return None


def _typed_reuses(info: TokenInfo, found: list[Candidate]) -> list[Candidate]:
    """Every occurrence of a defined name, typed by what its reuses say (module docstring)."""
    model_heads, dataset_heads = head_nouns("Model"), head_nouns("Dataset")
    comparisons = frozenset(str(w) for w in ml_patterns()["comparison_triggers"])  # type: ignore[attr-defined]
    typed = {(c.start, c.end): c.label for c in found if c.label in {"Model", "Dataset"}}
    added: list[Candidate] = []
    for name in info.defined:
        places = _occurrences(info, name)
        votes = {"Model": 0, "Dataset": 0}
        for start, end in places:
            after = info.lowers[end] if end < len(info.lowers) else ""
            before = info.lowers[start - 1] if start else ""
            if after in _MODEL_NEXT or after in model_heads or before in comparisons:
                votes["Model"] += 1
            if after in _DATASET_NEXT or after in dataset_heads or before in _DATASET_BEFORE:
                votes["Dataset"] += 1
            label = typed.get((start, end))
            if label is not None:
                votes[label] += 1
        label = max(votes, key=lambda key: votes[key])
        if votes[label] == 0 or votes["Model"] == votes["Dataset"]:
            continue
        added.extend(Candidate(s, e, label, "acronym.reuse", 0.75) for s, e in places)
    return added


def _occurrences(info: TokenInfo, name: tuple[str, ...]) -> list[tuple[int, int]]:
    size = len(name)
    return [
        (index, index + size)
        for index, word in enumerate(info.texts)
        if word == name[0] and tuple(info.texts[index : index + size]) == name
    ]

"""What the rule components leave on a Doc, and the token tests they share.

Every component adds :class:`Candidate` spans to ``doc._.kg_candidates``; the
overlap resolver (``kg_overlaps``) picks among them and writes ``doc.ents``
and ``doc._.kg_mentions``. Keeping candidates separate from ``doc.ents`` lets
several rules propose the same or overlapping names, and lets the resolver
record which rule won.
"""

from __future__ import annotations

import bisect
import gzip
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import pairwise

import numpy as np
from spacy.attrs import IDX, ORTH, SENT_START
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span, Token

from kg.extract.lexicon import load_json

#: How much each family of rules is trusted when candidates overlap.
RULE_PRIORITY = {"lexicon": 4, "acronym": 3, "context": 3, "title": 3, "shape": 2, "ner": 1}
#: Type preference when one span is proposed with several types.
TYPE_PRIORITY = {"Model": 4, "Dataset": 3, "Organization": 2, "Language": 1}


@dataclass
class Candidate:
    """A proposed entity span (token offsets) with the rule that proposed it."""

    start: int
    end: int
    label: str
    rule: str
    score: float
    canonical: str | None = None
    kind: str | None = None
    introduced: bool = False
    needs_context: bool = False
    family: str | None = None
    developer: str | None = None

    @property
    def priority(self) -> tuple[int, float, int, int]:
        family = self.rule.split(".", 1)[0]
        return (
            self.end - self.start,
            self.score,
            RULE_PRIORITY.get(family, 0),
            TYPE_PRIORITY.get(self.label, 0),
        )


@dataclass
class Mention:
    """A resolved entity mention: character offsets into the Doc's text."""

    start: int
    end: int
    label: str
    text: str
    rule: str
    score: float
    canonical: str | None = None
    kind: str | None = None
    introduced: bool = False
    family: str | None = None
    developer: str | None = None
    aliases: list[str] = field(default_factory=list)


def register_extensions() -> None:
    """Register the Doc extensions kg's components write (idempotent)."""
    for name in ("kg_candidates", "kg_mentions", "kg_relations", "kg_acronyms"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def candidates(doc: Doc) -> list[Candidate]:
    """The Doc's candidate list, created on first use."""
    found: list[Candidate] | None = doc._.kg_candidates
    if found is None:
        found = []
        doc._.kg_candidates = found
    return found


@cache
def ml_patterns() -> dict[str, object]:
    data: dict[str, object] = load_json("patterns/ml.json")
    return data


@cache
def generic_names() -> frozenset[str]:
    return frozenset(str(name) for name in ml_patterns()["generic_names"])  # type: ignore[attr-defined]


@cache
def head_nouns(label: str) -> frozenset[str]:
    heads: dict[str, list[str]] = ml_patterns()["head_nouns"]  # type: ignore[assignment]
    return frozenset(heads[label])


_HAS_INNER_UPPER = re.compile(r"^.+[A-Z]")
_HAS_DIGIT_AND_LETTER = re.compile(r"(?=.*\d)(?=.*[A-Za-z])")
_DESCRIPTIVE = re.compile(
    r"^non-|-(?:centric|specific|style|like|based|focused|architecture|enhanced|level|scale|aware|"
    r"free|driven|oriented|guided|only|powered|parameter|token|tuned|trained|sized|compatible|architectures|"
    r"generated|augmented|related|dependent|agnostic|friendly|grounded|native)$",
    re.IGNORECASE,
)
_WORDLIKE = re.compile(r"^[\w][\w.\-+#']*$")
SIZE = re.compile(
    r"^(?:\d+(?:\.\d+)?[BMKT]|\d+x\d+(?:\.\d+)?[BM]|\d+[BM]\d+[BMT]?)$", re.IGNORECASE
)
VERSION = re.compile(r"^(?:v\d+(?:\.\d+)*|\d+\.\d+(?:\.\d+)*|\d)[a-z]?$")
_DASHES = frozenset({"-", "--", "–", "—"})
_TUNING_WORDS = frozenset("Instruct instruct Chat chat Base base".split())
_VARIANT_WORDS = frozenset(
    "Chat chat Instruct instruct Base base Pro Ultra Flash Mini Small Medium Large XL XXL Turbo "
    "Nano Tiny Plus Max Opus Sonnet Haiku Coder Math Vision it Lite Air Next Preview".split()
)


@dataclass
class TokenInfo:
    """Per-token facts computed once per Doc, so rules index lists instead of Token objects.

    ``sentences`` are the token bounds of ``doc.sents``, which builds a Span per
    sentence on every call; ``idx`` are the tokens' character offsets
    (``token.idx``), so that character offsets need no Span either.
    """

    texts: Sequence[str]
    lowers: Sequence[str]
    name_like: list[bool]
    variant: Sequence[bool]
    sent_start: list[bool]
    sentences: list[tuple[int, int]]
    idx: list[int]
    #: Names (token texts) the Doc defines as a method, framework or tool.
    blocked: set[tuple[str, ...]] = field(default_factory=set)
    #: Names (token texts) the Doc defines without typing them: ``we call it X``,
    #: ``Long Form Words (LFW)``; their reuses type them (kg.extract.acronyms).
    defined: set[tuple[str, ...]] = field(default_factory=set)

    def char_bounds(self, start: int, end: int) -> tuple[int, int]:
        """``(span.start_char, span.end_char)`` of the non-empty token span ``start:end``."""
        return self.idx[start], self.idx[end - 1] + len(self.texts[end - 1])

    def token_bounds(self, start_char: int, end_char: int) -> tuple[int, int] | None:
        """The tokens of ``doc.char_span(start_char, end_char)`` (None where that is None).

        Strict alignment: ``start_char`` must begin a token and ``end_char`` end one.
        """
        first = bisect.bisect_right(self.idx, start_char) - 1
        last = bisect.bisect_right(self.idx, end_char - 1) - 1
        if first < 0 or last < 0 or self.idx[first] != start_char:
            return None
        if end_char != self.idx[last] + len(self.texts[last]):
            return None
        return first, last + 1


#: What TokenInfo needs of a word: its text, lower case, ``_name_like`` inside and at the
#: start of a sentence, and ``_variant``.
WordFacts = tuple[str, str, bool, bool, bool]
#: WordFacts by ORTH hash, a hash of the text that is the same in every vocab. Abstracts
#: repeat their words, so a Doc's facts are mostly one dict lookup per token, and tokens
#: with the same text share one string object. Emptied when full, to bound memory.
_FACTS: dict[int, WordFacts] = {}
_MAX_FACTS = 1 << 17


@dataclass(frozen=True)
class _Words:
    """WordFacts of every token of a Doc, as columns."""

    texts: Sequence[str]
    lowers: Sequence[str]
    inside: Sequence[bool]
    at_start: Sequence[bool]
    variant: Sequence[bool]


def _words(doc: Doc) -> _Words:
    words: _Words | None = doc.user_data.get("kg_words")
    if words is None:
        orths = doc.to_array(ORTH).tolist()
        try:
            rows = [_FACTS[orth] for orth in orths]
        except KeyError:
            strings = doc.vocab.strings
            rows = [_FACTS.get(orth) or _learn(orth, strings[orth]) for orth in orths]
        if rows:
            texts, lowers, inside, at_start, variant = zip(*rows, strict=True)
            words = _Words(texts, lowers, inside, at_start, variant)
        else:
            words = _Words((), (), (), (), ())
        doc.user_data["kg_words"] = words
    return words


def _learn(orth: int, text: str) -> WordFacts:
    """The WordFacts of a word not seen before (pure functions of its text)."""
    if len(_FACTS) >= _MAX_FACTS:
        _FACTS.clear()
    lower = text.lower()
    inside, at_start = _name_flags(text)
    facts = (text, text if lower == text else lower, inside, at_start, _variant(text))
    _FACTS[orth] = facts
    return facts


def token_texts(doc: Doc) -> Sequence[str]:
    """The text of every token, listed once per Doc (does not need sentence boundaries).

    Building a Token object per position is what makes ``for token in doc``
    slow; rules that only look at the words loop over this list instead.
    """
    return _words(doc).texts


def token_info(doc: Doc) -> TokenInfo:
    """The Doc's TokenInfo, computed on first use (needs sentence boundaries)."""
    info: TokenInfo | None = doc.user_data.get("kg_info")
    if info is None:
        words = _words(doc)
        size = len(words.texts)
        # Sentence starts are few: read them from the array, not one Token per position.
        flags, offsets = doc.to_array([SENT_START, IDX]).reshape(-1, 2).T
        starts = np.flatnonzero(flags == 1).tolist()
        name_like = list(words.inside)
        sent_start = [False] * size
        for index in starts:
            sent_start[index] = True
            name_like[index] = words.at_start[index]
        # As doc.sents: the first sentence starts at token 0 whatever its flag.
        bounds = [0, *(index for index in starts if index > 0), size]
        info = TokenInfo(
            texts=words.texts,
            lowers=words.lowers,
            name_like=name_like,
            variant=words.variant,
            sent_start=sent_start,
            sentences=list(pairwise(bounds)) if size else [],
            idx=offsets.tolist(),
        )
        doc.user_data["kg_info"] = info
    return info


def is_name_like(token: Token) -> bool:
    """A token that could be (part of) a proper name of a model, dataset or organization."""
    return _name_like(token.text, bool(token.is_sent_start))


def _name_like(text: str, sent_start: bool) -> bool:
    return _name_flags(text)[sent_start]


def _name_flags(text: str) -> tuple[bool, bool]:
    """``_name_like`` inside and at the start of a sentence: only the last test differs."""
    if (
        not _WORDLIKE.match(text)
        or text in generic_names()
        or len(text) < 2
        or not text[0].isalpha()
    ):
        return False, False
    if is_descriptive(text):
        return False, False
    if _HAS_INNER_UPPER.match(text) or _HAS_DIGIT_AND_LETTER.match(text):
        return True, True
    if not text[0].isupper() or text.lower() in STOP_WORDS or text.lower() in common_words():
        return False, False
    return True, False  # a capitalized word opens every sentence


def is_descriptive(text: str) -> bool:
    """A word that describes rather than names.

    ``BERT-style``, ``English-centric``, ``non-English``: a name used as a
    modifier. ``Vision-Language``, ``Text-to-Image``, ``Encoder-Decoder``: a
    compound of descriptive words only (``descriptive_words`` in ml.json), which
    capital letters make look like a name before "models" or "dataset".
    """
    if _DESCRIPTIVE.search(text):
        return True
    parts = text.lower().split("-")
    return len(parts) > 1 and descriptive_words().issuperset(parts)


@cache
def descriptive_words() -> frozenset[str]:
    return frozenset(str(word) for word in ml_patterns()["descriptive_words"])  # type: ignore[attr-defined]


@cache
def common_words() -> frozenset[str]:
    """Words the corpora mostly write in lower case (scripts/build_common_words.py)."""
    data = resources.files("kg").joinpath("data/common_words.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def is_variant_token(token: Token) -> bool:
    """Sizes, versions and tuning words that extend a model name (``13B``, ``v0.1``, ``Chat``)."""
    return _variant(token.text)


def _variant(text: str) -> bool:
    return bool(SIZE.match(text) or VERSION.match(text)) or text in _VARIANT_WORDS


def extend_variant(doc: Doc, end: int, limit: int = 3) -> int:
    """Extend a model name over following size/version/tuning tokens."""
    info = token_info(doc)
    steps = 0
    while (
        end + 1 < len(doc) and info.texts[end] in _DASHES and info.texts[end + 1] in _TUNING_WORDS
    ):
        end += 2  # "Mistral 7B -- Instruct"
    while end < len(doc) and steps < limit and info.variant[end]:
        has_digit = any(ch.isdigit() for text in info.texts[end - 1 - steps : end] for ch in text)
        if info.texts[end].isdigit() and has_digit:
            break  # "GLM-4 1": a bare number after a versioned name is not part of it
        end += 1
        steps += 1
    return end


def name_chunk(info: TokenInfo, start: int, limit: int = 5) -> int | None:
    """End of the proper-name chunk starting at ``start`` (None if it does not start one)."""
    size = len(info.texts)
    if start >= size or not info.name_like[start]:
        return None
    end = start + 1
    while end < size and end - start < limit and (info.name_like[end] or info.variant[end]):
        if info.sent_start[end]:
            break
        end += 1
    return end


def sentence_words(span: Span) -> set[str]:
    """Lower-cased words of the sentence that holds ``span``."""
    return {token.lower_ for token in span.sent}

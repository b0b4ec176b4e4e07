"""``kg_shapes``: names that are in no lexicon but have the shape of one.

``Babel-83B-Chat`` (a size), ``OctoGeeX`` / ``cosmosGPT`` (a model-ish
suffix), ``MTU-Bench`` / ``HumanEval+`` (benchmark suffixes), ``LG AI
Research`` / ``University of Helsinki`` (organization heads). The patterns are
spaCy Matcher patterns in ``kg/data/patterns/shapes.json``; this module adds
what patterns cannot say: drop leading words that are not names, and leave
multi-word capitalized shapes out of titles, where every word is capitalized.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from kg.extract.candidates import (
    Candidate,
    candidates,
    extend_variant,
    generic_names,
    is_name_like,
    token_info,
)
from kg.extract.lexicon import load_json

#: The one-token rules a word matches (indexes into the rules), and whether a
#: multi-token shape can be anchored on it.
Shape = tuple[tuple[int, ...], bool]
_MAX_SHAPES = 1 << 17
_ADJECTIVE_ENDINGS = re.compile(r"(?:ive|al|ble|ic|ed|ous|ful|less|worthy|ing|ial|ary)$")


@Language.factory("kg_shapes", default_config={"validate": False})
def make_shape_matcher(nlp: Language, name: str, validate: bool) -> ShapeMatcher:
    return ShapeMatcher(nlp, validate=validate)


class ShapeMatcher:
    """Propose candidates from the shape patterns."""

    def __init__(self, nlp: Language, validate: bool = False) -> None:
        self.rules: list[dict[str, Any]] = load_json("patterns/shapes.json")
        self.matcher = Matcher(nlp.vocab, validate=validate)
        self._single: list[tuple[int, re.Pattern[str]]] = []
        self._anchors: list[re.Pattern[str]] = []
        for index, rule in enumerate(self.rules):
            regex = _single_token_regex(rule["pattern"])
            if regex is not None:
                self._single.append((index, re.compile(regex)))
                # Still validated (and usable) as a Matcher pattern, but run directly below.
                Matcher(nlp.vocab, validate=validate).add("check", [rule["pattern"]])
            else:
                self.matcher.add(f"kg_shape_{index}", [rule["pattern"]])
                self._anchors.append(_anchor(rule["pattern"]))
        self._index = {nlp.vocab.strings.add(f"kg_shape_{i}"): i for i in range(len(self.rules))}
        self._ids = {index: key for key, index in self._index.items()}
        any_single = re.compile("|".join(f"(?:{regex.pattern})" for _, regex in self._single))
        # "Does any anchor match this token?": one search instead of one per anchor.
        any_anchor = (
            re.compile("|".join(f"(?:{a.pattern})" for a in self._anchors))
            if self._anchors
            else None
        )
        self._shape_of = partial(_shape_of, self._single, any_single, any_anchor)
        # _shape_of by word, as most tokens are words the Doc (and the corpus) repeats; a
        # plain dict (emptied when full) costs less per token than an lru_cache.
        self._shapes: dict[str, Shape | None] = {}

    def __call__(self, doc: Doc) -> Doc:
        is_title = doc.user_data.get("kg_field") == "title"
        found = candidates(doc)
        for match_id, start, end in self._matches(doc):
            rule = self.rules[self._index[match_id]]
            if is_title and rule.get("abstract_only"):
                continue
            span = self._accept(doc, rule, start, end)
            if span is not None:
                found.append(self._candidate(doc, rule, *span))
        return doc

    def _matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """One-token shapes by their regexes; the Matcher only on windows around anchors.

        Which one-token rules match a word and whether it can anchor a longer
        shape is memoized per word: most tokens of an abstract are lower-case
        words that are neither, and the corpus repeats them.
        """
        texts = token_info(doc).texts
        known = self._shapes
        try:
            shapes = [known[text] for text in texts]
        except KeyError:
            shapes = [known[text] if text in known else self._learn(text) for text in texts]
        shaped = [(i, shape) for i, shape in enumerate(shapes) if shape]
        matches = [
            (self._id_of(index), position, position + 1)
            for position, (singles, _) in shaped
            for index in singles
        ]
        anchors = [position for position, (_, anchor) in shaped if anchor]
        for start, end in _windows(anchors, len(texts)):
            window = doc[start:end]
            matches.extend(
                (match_id, start + s, start + e) for match_id, s, e in self.matcher(window)
            )
        return matches

    def _learn(self, text: str) -> Shape | None:
        if len(self._shapes) >= _MAX_SHAPES:
            self._shapes.clear()
        shape = self._shapes[text] = self._shape_of(text)
        return shape

    def _id_of(self, index: int) -> int:
        return self._ids[index]

    def _accept(
        self, doc: Doc, rule: dict[str, Any], start: int, end: int
    ) -> tuple[int, int] | None:
        if rule.get("trim"):
            while start < end - 1 and not _is_proper(doc, start, rule):
                start += 1
            if start >= end - 1 and len(rule["pattern"]) > 1:
                return None
        if end - start == 1 and token_info(doc).texts[start] in generic_names():
            return None
        return start, end

    def _candidate(self, doc: Doc, rule: dict[str, Any], start: int, end: int) -> Candidate:
        stop = extend_variant(doc, end) if rule.get("variant") else end
        return Candidate(
            start=start,
            end=stop,
            label=rule["label"],
            rule=rule["rule"],
            score=float(rule["score"]),
            needs_context=bool(rule.get("needs_context", False)),
        )


def _single_token_regex(pattern: list[dict[str, Any]]) -> str | None:
    """The regex of a one-token ``{"TEXT": {"REGEX": ...}}`` pattern, else None."""
    if len(pattern) != 1 or set(pattern[0]) != {"TEXT"}:
        return None
    spec = pattern[0]["TEXT"]
    return spec["REGEX"] if isinstance(spec, dict) and set(spec) == {"REGEX"} else None


def _anchor(pattern: list[dict[str, Any]]) -> re.Pattern[str]:
    """A regex for the rarest fixed token of a multi-token pattern (its last TEXT constraint).

    The Matcher then runs only on windows around tokens that match an anchor.
    """
    for spec in reversed(pattern):
        if spec.get("OP") in {"?", "*"}:
            continue
        value = spec.get("TEXT")
        if isinstance(value, str):
            return re.compile(f"^{re.escape(value)}$")
        if isinstance(value, dict) and "IN" in value:
            return re.compile("^(?:" + "|".join(re.escape(v) for v in value["IN"]) + ")$")
        if isinstance(value, dict) and "REGEX" in value:
            return re.compile(value["REGEX"])
    raise ValueError(f"shape pattern has no TEXT constraint to anchor on: {pattern}")


def _shape_of(
    single: list[tuple[int, re.Pattern[str]]],
    any_single: re.Pattern[str],
    any_anchor: re.Pattern[str] | None,
    text: str,
) -> Shape | None:
    """The one-token rules that match a word, and whether a multi-token shape can anchor on it.

    None (the answer for most words) when neither.
    """
    singles: tuple[int, ...] = ()
    if not text.islower() and any_single.search(text):
        singles = tuple(index for index, regex in single if regex.search(text))
    anchor = any_anchor is not None and text[:1].isalnum() and bool(any_anchor.search(text))
    return (singles, anchor) if singles or anchor else None


def _windows(
    anchors: list[int], size: int, before: int = 6, after: int = 4
) -> list[tuple[int, int]]:
    """Merged token windows around every anchor token (of a Doc of ``size`` tokens)."""
    windows: list[tuple[int, int]] = []
    for index in anchors:
        start, end = max(0, index - before), min(size, index + 1 + after)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _is_proper(doc: Doc, index: int, rule: dict[str, Any]) -> bool:
    """May a multi-word shape start at this token? (Not at ``The`` or ``Generative``.)"""
    token = doc[index]
    if rule.get("keep_adjectives"):
        return token.is_title and token.lower_ not in STOP_WORDS and not token.is_sent_start
    if not is_name_like(token):
        return False
    return not (rule["label"] == "Organization" and _ADJECTIVE_ENDINGS.search(token.text.lower()))

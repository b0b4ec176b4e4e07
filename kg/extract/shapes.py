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
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from kg.extract.candidates import Candidate, candidates, extend_variant, generic_names, is_name_like
from kg.extract.lexicon import load_json

_ADJECTIVE_ENDINGS = re.compile(r"(?:ive|al|ble|ic|ed|ous|ful|less|worthy|ing|ial|ary)$")


@Language.factory("kg_shapes", default_config={"validate": False})
def make_shape_matcher(nlp: Language, name: str, validate: bool) -> ShapeMatcher:
    return ShapeMatcher(nlp, validate=validate)


class ShapeMatcher:
    """Propose candidates from the shape patterns."""

    def __init__(self, nlp: Language, validate: bool = False) -> None:
        self.rules: list[dict[str, Any]] = load_json("patterns/shapes.json")
        self.matcher = Matcher(nlp.vocab, validate=validate)
        for index, rule in enumerate(self.rules):
            self.matcher.add(f"kg_shape_{index}", [rule["pattern"]])
        self._index = {nlp.vocab.strings[f"kg_shape_{i}"]: i for i in range(len(self.rules))}

    def __call__(self, doc: Doc) -> Doc:
        is_title = doc.user_data.get("kg_field") == "title"
        found = candidates(doc)
        for match_id, start, end in self.matcher(doc):
            rule = self.rules[self._index[match_id]]
            if is_title and rule.get("abstract_only"):
                continue
            span = self._accept(doc, rule, start, end)
            if span is not None:
                found.append(self._candidate(doc, rule, *span))
        return doc

    def _accept(self, doc: Doc, rule: dict[str, Any], start: int, end: int) -> tuple[int, int] | None:
        if rule.get("trim"):
            while start < end - 1 and not _is_proper(doc, start, rule["label"]):
                start += 1
            if start >= end - 1 and len(rule["pattern"]) > 1:
                return None
        if any(doc[i].text in generic_names() for i in range(start, end)) and end - start == 1:
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


def _is_proper(doc: Doc, index: int, label: str) -> bool:
    token = doc[index]
    if not is_name_like(token):
        return False
    return not (label == "Organization" and _ADJECTIVE_ENDINGS.search(token.text.lower()))

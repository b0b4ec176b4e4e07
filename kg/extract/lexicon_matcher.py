"""``kg_lexicon``: find known names with spaCy's PhraseMatcher.

Two matchers run: one on ``ORTH`` for names whose case carries meaning
(BLOOM, ROOTS, Finnish, C) and one on ``LOWER`` for the rest. Because the
tokenizer keeps ``Qwen2.5-7B-Instruct`` whole, a name can also be the start of
a hyphen-glued token; those are found by looking up the token's hyphen
prefixes, and the whole token becomes a variant of the known name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from kg.extract.candidates import (
    VERSION,
    Candidate,
    candidates,
    extend_variant,
    is_descriptive,
    token_texts,
)
from kg.extract.lexicon import LexiconEntry, all_entries
from kg.resolve import match_form

RULE = "lexicon"
_INNER_ACRONYM = re.compile(r".[A-Z]{3,}")


@Language.factory("kg_lexicon")
def make_lexicon_matcher(nlp: Language, name: str) -> LexiconMatcher:
    return LexiconMatcher(nlp)


class LexiconMatcher:
    """Propose a candidate for every lexicon spelling found in the Doc."""

    def __init__(self, nlp: Language) -> None:
        self.entries = all_entries()
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._glued_exact: dict[str, int] = {}
        self._glued_folded: dict[str, int] = {}
        self._glued_languages: dict[str, int] = {}
        self._ids: dict[int, int] = {}
        #: Every spelling of a model or dataset by match_form, for spaced variants of a
        #: glued alias ("Mistral 7B v0.1" is the entry whose alias is "Mistral-7B-v0.1").
        self._by_form: dict[str, int] = {}
        for index, entry in enumerate(self.entries):
            self._add(nlp, index, entry)
            if entry.label in {"Model", "Dataset"}:
                for spelling in entry.spellings:
                    self._by_form.setdefault(match_form(spelling), index)

    def _add(self, nlp: Language, index: int, entry: LexiconEntry) -> None:
        key = f"kg_lexicon_{index}"
        self._ids[nlp.vocab.strings.add(key)] = index
        matcher = self.exact if entry.case_sensitive else self.folded
        spellings = list(dict.fromkeys(entry.spellings))
        docs = [nlp.make_doc(text) for text in spellings]
        matcher.add(key, docs)
        if entry.kind == "natural" and entry.major and " " not in entry.name:
            self._glued_languages.setdefault(entry.name, index)
        if entry.label != "Model":
            return
        for text, doc in zip(spellings, docs, strict=True):
            if len(doc) == 1:
                table = self._glued_exact if entry.case_sensitive else self._glued_folded
                table.setdefault(text if entry.case_sensitive else text.lower(), index)

    def __call__(self, doc: Doc) -> Doc:
        found = candidates(doc)
        texts = token_texts(doc)
        for match_id, start, end in self.exact(doc):
            entry = self.entries[self._ids[match_id]]
            found.append(self._candidate(doc, entry, start, end))
        for match_id, start, end in self.folded(doc):
            entry = self.entries[self._ids[match_id]]
            if not _flattened_camel_case(entry, texts[start:end]):
                found.append(self._candidate(doc, entry, start, end))
        # Neither glued lookup can match without a hyphen.
        for index in [i for i, text in enumerate(texts) if "-" in text]:
            text = texts[index]
            known = self._glued_prefix(text)
            if known is not None:
                found.append(self._candidate(doc, known, index, index + 1, exact=False))
            language = self._glued_language(text)
            if language is not None:
                found.append(
                    Candidate(index, index + 1, "Language", "lexicon.language.glued", 0.8,
                              canonical=language.name, kind="natural")
                )  # fmt: skip
        return doc

    def _candidate(
        self, doc: Doc, entry: LexiconEntry, start: int, end: int, exact: bool = True
    ) -> Candidate:
        stop = extend_variant(doc, end) if entry.label == "Model" else end
        if stop != end and exact and all(VERSION.match(t.text) for t in doc[end:stop]):
            known = self._by_form.get(match_form(doc[start:stop].text))
            if known is not None and self.entries[known].label == entry.label:
                entry, end, exact = self.entries[known], stop, True
        is_whole = exact and stop == end
        return Candidate(
            start=start,
            end=stop,
            label=entry.label,
            rule=f"{RULE}.{entry.label.lower()}" + ("" if is_whole else ".variant"),
            score=0.95 if is_whole else 0.85,
            canonical=entry.name if is_whole else None,
            kind=entry.kind,
            needs_context=entry.ambiguous,
            family=entry.family if is_whole else entry.name,
            developer=entry.developer,
        )

    def _glued_language(self, text: str) -> LexiconEntry | None:
        """``English-centric``, ``non-English``: a language named inside a hyphenated word."""
        if "-" not in text:
            return None
        for part in text.split("-"):
            index = self._glued_languages.get(part)
            if index is not None:
                return self.entries[index]
        return None

    def _glued_prefix(self, text: str) -> LexiconEntry | None:
        """``Qwen2.5-7B-Instruct`` -> the entry of ``Qwen2.5`` (longest known hyphen prefix)."""
        if "-" not in text or is_descriptive(text):
            return None
        parts = text.split("-")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = "-".join(parts[:cut])
            index = self._glued_exact.get(prefix, self._glued_folded.get(prefix.lower()))
            if index is not None:
                return self.entries[index]
        return None


def _flattened_camel_case(entry: LexiconEntry, words: Sequence[str]) -> bool:
    """``Colbert`` (a surname) is not ``ColBERT``: a camel-case name written as a plain word.

    Case-insensitive entries still match ``roberta``, ``ROBERTA`` and
    ``Humaneval``; only the title-case spelling of a name whose spellings all
    hide an acronym inside (``ColBERT``, ``SciBERT``) is refused.
    """
    word = words[0] if len(words) == 1 else ""
    if not word.istitle() or not word.isalpha() or word in entry.spellings:
        return False
    return all(_INNER_ACRONYM.search(spelling) for spelling in entry.spellings)

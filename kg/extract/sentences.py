"""``kg_sentencizer``: spaCy's rule-based sentence boundaries, found faster.

The boundaries are exactly those of spaCy's ``sentencizer`` (same rule, same
default punctuation): a sentence starts at the first token after a
sentence-final character (``.``, ``!``, ``?`` ...) that is neither such a
character nor other punctuation, so ``."`` and ``.)`` stay with the sentence
they end. spaCy's component builds a Token object per position to read its
text, which cost as much as some of kg's rule components. Here the final
characters are found in the token-text list the rule components share
(:func:`~kg.extract.candidates.token_texts`), only the few tokens after them
are looked at, and the result is written with one ``Doc.from_array``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from kg.extract.candidates import token_texts

#: ``Token.sent_start`` values as ``Doc.to_array`` / ``from_array`` store them (uint64).
_START = np.uint64(1)
_INSIDE = np.uint64(2**64 - 1)  # -1


@Language.factory("kg_sentencizer", default_config={"punct_chars": None})
def make_sentencizer(nlp: Language, name: str, punct_chars: list[str] | None) -> SentenceSplitter:
    return SentenceSplitter(punct_chars)


class SentenceSplitter:
    """Set ``is_sent_start`` on every token, as spaCy's ``sentencizer`` does.

    ``punct_chars`` are the sentence-final tokens (default: spaCy's
    ``Sentencizer.default_punct_chars``). Like spaCy's (``overwrite=False``),
    tokens that already have a value keep it.
    """

    def __init__(self, punct_chars: Iterable[str] | None = None) -> None:
        self.punct_chars = frozenset(punct_chars or Sentencizer.default_punct_chars)

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        values = np.full(len(doc), _INSIDE, dtype=np.uint64)
        values[sentence_starts(doc, self.punct_chars)] = _START
        if doc.has_annotation("SENT_START"):  # set before: keep those values
            current = doc.to_array(SENT_START)
            values = np.where(current == 0, values, current)
        doc.from_array([SENT_START], values)  # type: ignore[arg-type]  # 1-d is accepted
        return doc


def sentence_starts(doc: Doc, punct_chars: frozenset[str]) -> list[int]:
    """Token offsets of the sentence starts by spaCy's rule (the first one is 0)."""
    texts = token_texts(doc)
    starts = [0]
    word = -1
    for final in [i for i, text in enumerate(texts) if text in punct_chars]:
        if final < word:  # one more final character before the word already found
            continue
        word = final + 1
        while word < len(texts) and (texts[word] in punct_chars or doc[word].is_punct):
            word += 1
        if word == len(texts):
            break
        starts.append(word)
    return starts

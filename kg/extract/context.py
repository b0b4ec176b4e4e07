"""``kg_context``: type names by the words around them.

* ``we introduce / present / release X, a ... model | dataset | benchmark``
  and ``a ... benchmark called X`` give X the head noun's type and mark it
  introduced; so does a title ``X: A ... Benchmark``.
* ``the X benchmark``, ``X models``: a name right before a head noun.
* ``outperforms X``, ``compared to X``: comparisons involve models.
* ``trained on X``, ``evaluated on X``: usage involves datasets;
  ``fine-tuned from X``, ``models such as X``: models.

The trigger words live in ``kg/data/patterns/ml.json``.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kg.extract.candidates import (
    Candidate,
    candidates,
    common_words,
    head_nouns,
    ml_patterns,
    name_chunk,
)

_DETERMINERS = frozenset(
    "a an the our its their this two three four several new novel first introducing".split()
)
_INTRO_WINDOW = 14
_LIST_JOINERS = frozenset({",", "and", "or", "&", "/"})
_REPORT_WORDS = frozenset({"Technical", "Report", "Tech", "System", "Card"})
_SENTENCE_ADVERBS = frozenset("overall today thus however moreover furthermore meanwhile".split())


def _words(key: str) -> frozenset[str]:
    return frozenset(str(word) for word in ml_patterns()[key])  # type: ignore[attr-defined]


def _phrases(key: str) -> list[tuple[str, ...]]:
    return [tuple(phrase) for phrase in ml_patterns()[key]]  # type: ignore[attr-defined]


@Language.factory("kg_context")
def make_context_rules(nlp: Language, name: str) -> ContextRules:
    return ContextRules()


class ContextRules:
    """Propose typed candidates from trigger words and head nouns."""

    def __init__(self) -> None:
        self.intro_verbs = _words("intro_verbs")
        self.naming = _words("naming_words")
        self.comparisons = _words("comparison_triggers")
        self.comparison_phrases = _phrases("comparison_phrases")
        self.dataset_usage = _phrases("dataset_usage")
        self.model_usage = _phrases("model_usage")
        self.list_words = _words("model_lists")
        self.heads = {label: head_nouns(label) for label in ("Model", "Dataset")}

    def __call__(self, doc: Doc) -> Doc:
        found = candidates(doc)
        if doc.user_data.get("kg_field") == "title":
            found.extend(self._title(doc))
            return doc
        for sent in doc.sents:
            found.extend(self._introductions(doc, sent))
            found.extend(self._head_adjacent(doc, sent))
            found.extend(self._after_triggers(doc, sent))
            found.extend(self._possessive_owner(doc, sent))
        return doc

    # --- titles -----------------------------------------------------------------
    def _title(self, doc: Doc) -> Iterator[Candidate]:
        """``X: A Multi-granularity Tool-Use Benchmark ...`` types X by the first head noun."""
        colon = next((t.i for t in doc if t.text == ":"), None)
        if colon is None or colon == 0 or colon > 5:
            return
        label = self._first_head(doc[colon + 1 :], window=12)
        if label is None:
            return
        start, end = 0, colon
        while start < end and (doc[start].lower_ in _DETERMINERS or doc[start].lower_ in self.intro_verbs):
            start += 1
        while end > start and doc[end - 1].text in _REPORT_WORDS:
            end -= 1
        if 0 < end - start <= 4 and all(_title_name_word(t) for t in doc[start:end]):
            yield Candidate(start, end, label, "title.colon-head", 0.8, introduced=True)

    # --- introductions -----------------------------------------------------------
    def _introductions(self, doc: Doc, sent: Span) -> Iterator[Candidate]:
        for token in sent:
            if token.lower_ in self.intro_verbs and self._has_subject(doc, token.i, sent.start):
                yield from self._introduced_after(doc, token.i + 1, sent.end)
            elif token.lower_ in self.naming:
                label = self._last_head(doc[max(sent.start, token.i - 6) : token.i])
                end = name_chunk(doc, token.i + 1)
                if label and end:
                    yield Candidate(token.i + 1, end, label, "context.called", 0.8, introduced=True)
        yield from self._appositive_subject(doc, sent)

    def _has_subject(self, doc: Doc, index: int, start: int) -> bool:
        window = {t.lower_ for t in doc[max(start, index - 4) : index]}
        return bool(window & {"we", "paper", "work", "report", "this", "here"})

    def _introduced_after(self, doc: Doc, start: int, stop: int) -> Iterator[Candidate]:
        """``introduce [a new] X, a ... model``: X, typed by the head noun after it."""
        index = start
        while index < stop and doc[index].lower_ in _DETERMINERS:
            index += 1
        end = name_chunk(doc, index)
        if end is None:
            return
        label = self._appositive_head(doc, end, stop)
        if label is not None:
            yield Candidate(index, end, label, "context.introduce", 0.85, introduced=True)
            yield from self._coordinated(doc, end, stop, label)

    def _coordinated(self, doc: Doc, end: int, stop: int, label: str) -> Iterator[Candidate]:
        """``introduce X and Y, two ... models``: Y too."""
        index = end
        while index < stop and doc[index].text in _LIST_JOINERS:
            index += 1
            nxt = name_chunk(doc, index)
            if nxt is None:
                return
            yield Candidate(index, nxt, label, "context.introduce", 0.8, introduced=True)
            index = nxt

    def _appositive_head(self, doc: Doc, end: int, stop: int) -> str | None:
        """After a name: ``, a ... model`` or ``(a ... model)`` or directly ``model``."""
        index = end
        while index < stop and (doc[index].text in _LIST_JOINERS or name_chunk(doc, index)):
            index = (name_chunk(doc, index) or index + 1) if doc[index].text not in "," else index + 1
            if index - end > 8:
                break
        if index < stop and doc[index].lower_ in self.heads["Model"] | self.heads["Dataset"]:
            return self._label_of(doc[index].lower_)
        while index < stop and doc[index].text in {",", "(", ":", "-", "--", "—"}:
            index += 1
        if index >= stop or doc[index].lower_ not in _DETERMINERS | {"which", "is"}:
            return None
        return self._first_head(doc[index:stop], window=10)

    def _appositive_subject(self, doc: Doc, sent: Span) -> Iterator[Candidate]:
        """``MonoCoder, a ... model, ...`` / ``X is a new benchmark`` at the start of a sentence."""
        start = sent.start
        if start < len(doc) and doc[start].lower_ in _DETERMINERS:
            start += 1
        end = name_chunk(doc, start) or _sentence_initial_name(doc, start)
        if end is None or end >= sent.end:
            return
        after = doc[end]
        if after.text == "," or after.lower_ == "is":
            label = self._first_head(doc[end + 1 : sent.end], window=9, must_start=True)
            if label is not None:
                introduced = any(t.lower_ in {"new", "novel", "our", "first"} for t in doc[end : end + 6])
                yield Candidate(start, end, label, "context.appositive", 0.8, introduced=introduced)

    # --- head nouns -------------------------------------------------------------
    def _head_adjacent(self, doc: Doc, sent: Span) -> Iterator[Candidate]:
        """``the HumanEval benchmark``, ``Llama 2 models``."""
        for token in sent:
            label = self._label_of(token.lower_)
            if label is None or token.i == sent.start:
                continue
            start = token.i - 1
            while start > sent.start and name_chunk(doc, start - 1) is not None and token.i - start < 4:
                start -= 1
            end = name_chunk(doc, start)
            if end is not None and end == token.i:
                yield Candidate(start, end, label, "context.head-noun", 0.75)

    # --- triggers ------------------------------------------------------------------
    def _after_triggers(self, doc: Doc, sent: Span) -> Iterator[Candidate]:
        for token in sent:
            following = token.i + 1
            for phrase in self.comparison_phrases:
                if _phrase_at(doc, token.i, phrase):
                    yield from self._listed(doc, token.i + len(phrase), sent.end, "Model", "context.compare")
            if token.lower_ in self.comparisons and token.lower_ not in {"over", "against", "than"}:
                yield from self._listed(doc, following, sent.end, "Model", "context.compare")
                yield from self._subject(doc, token.i, sent.start)
            for phrase in self.dataset_usage:
                if _phrase_at(doc, token.i, phrase):
                    yield from self._listed(doc, token.i + len(phrase), sent.end, "Dataset", "context.usage")
            for phrase in self.model_usage:
                if _phrase_at(doc, token.i, phrase):
                    yield from self._listed(doc, token.i + len(phrase), sent.end, "Model", "context.usage")
            if token.lower_ in self.list_words and token.i > sent.start:
                label = self._last_head(doc[max(sent.start, token.i - 4) : token.i])
                if label is not None:
                    yield from self._listed(doc, following, sent.end, label, "context.such-as")

    def _subject(self, doc: Doc, index: int, start: int) -> Iterator[Candidate]:
        """The model right before ``outperforms`` (``Mistral 7B outperforms ...``)."""
        begin = index - 1
        while begin > start and name_chunk(doc, begin - 1) == index:
            begin -= 1
        if name_chunk(doc, begin) == index:
            yield Candidate(begin, index, "Model", "context.compare", 0.7)

    def _listed(self, doc: Doc, index: int, stop: int, label: str, rule: str) -> Iterator[Candidate]:
        """Names in a list after a trigger: ``X, Y, and Z``, skipping ``the`` / ``as``."""
        while index < stop and doc[index].lower_ in _DETERMINERS | {"as", "e.g.", ",", "from"}:
            index += 1
        for _ in range(8):
            end = name_chunk(doc, index)
            if end is None:
                return
            yield Candidate(index, end, label, rule, 0.7)
            index = end
            if index < stop and doc[index].text == "(":
                return
            if index >= stop or doc[index].text not in _LIST_JOINERS:
                return
            while index < stop and doc[index].text in _LIST_JOINERS | {"the"}:
                index += 1

    def _possessive_owner(self, doc: Doc, sent: Span) -> Iterator[Candidate]:
        """``Meta's Llama 2``: the owner of a model is an organization."""
        for token in sent:
            if token.text not in {"'s", "’s"} or token.i == sent.start or token.i + 1 >= sent.end:
                continue
            owner = token.i - 1
            if name_chunk(doc, owner) != token.i:
                continue
            named = name_chunk(doc, token.i + 1) is not None
            model_ahead = any(t.lower_ in self.heads["Model"] for t in doc[token.i + 1 : token.i + 5])
            if named or model_ahead:
                yield Candidate(owner, token.i, "Organization", "context.possessive", 0.96)

    # --- helpers -------------------------------------------------------------------
    def _label_of(self, word: str) -> str | None:
        for label, heads in self.heads.items():
            if word in heads:
                return label
        return None

    def _first_head(self, span: Span, window: int, must_start: bool = False) -> str | None:
        if must_start and (not len(span) or span[0].lower_ not in _DETERMINERS | {"is"}):
            return None
        for token in span[:window]:
            if token.text in {".", ";"} or (token.text == "," and not must_start and token.i > span.start + 1):
                return None
            label = self._label_of(token.lower_)
            if label is not None:
                return label
        return None

    def _last_head(self, span: Span) -> str | None:
        for token in reversed(span):
            label = self._label_of(token.lower_)
            if label is not None:
                return label
        return None


def _title_name_word(token: Token) -> bool:
    """In a title every word is capitalized; a name word is not also a common word."""
    text = token.text
    if any(ch.isdigit() for ch in text) or any(ch.isupper() for ch in text[1:]):
        return True
    lowered = text.lower()
    return text[:1].isupper() and lowered not in common_words() and lowered not in STOP_WORDS


def _phrase_at(doc: Doc, index: int, phrase: tuple[str, ...]) -> bool:
    if index + len(phrase) > len(doc):
        return False
    return all(doc[index + offset].lower_ == word for offset, word in enumerate(phrase))


def _sentence_initial_name(doc: Doc, start: int) -> int | None:
    """A capitalized sentence-initial word is a name only if it is followed by ``,`` + a head."""
    if start + 1 >= len(doc) or doc[start + 1].text != ",":
        return None
    word = doc[start]
    lowered = word.lower_
    if not (word.text[:1].isupper() and word.is_alpha) or lowered.endswith("ly"):
        return None
    if lowered in STOP_WORDS or lowered in _SENTENCE_ADVERBS:
        return None
    return start + 1

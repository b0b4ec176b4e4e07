"""``kg_context``: type names by the words around them.

* ``we introduce / present / release X, a ... model | dataset | benchmark``
  and ``a ... benchmark called X`` give X the head noun's type and mark it
  introduced; so does a title ``X: A ... Benchmark``.
* ``the X benchmark``, ``X models``: a name right before a head noun.
* ``outperforms X``, ``compared to X``: comparisons involve models.
* ``trained on X``, ``evaluated on X``: usage involves datasets;
  ``fine-tuned from X``, ``models such as X``: models.
* ``Meta's Llama 2``: the owner of a model is an organization.

The trigger words live in ``kg/data/patterns/ml.json``. Rules read the
per-token lists of :class:`~kg.extract.candidates.TokenInfo` rather than
spaCy Token objects, and start only from the positions of cue words (found in
one pass over the Doc): most words of a sentence start no rule.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import (
    Candidate,
    TokenInfo,
    candidates,
    common_words,
    head_nouns,
    ml_patterns,
    name_chunk,
    token_info,
)
from kg.extract.lexicon import load_json

Bounds = tuple[int, int]
#: Positions of a sentence's cue words (ContextRules._cue_words), in order.
Cues = list[int]
Phrases = dict[str, list[tuple[str, ...]]]

_DETERMINERS = frozenset(
    "a an the our its their this two three four several new novel first introducing".split()
)
_INTRO_WINDOW = 14
_LIST_JOINERS = frozenset({",", "and", "or", "&", "/"})
_REPORT_WORDS = frozenset({"Technical", "Report", "Tech", "System", "Card"})
_SENTENCE_ADVERBS = frozenset("overall today thus however moreover furthermore meanwhile".split())
_ORG_BEFORE_NAME = frozenset({"project", "company", "startup", "consortium", "initiative", "lab"})
_SUBJECTS = frozenset({"we", "paper", "work", "report", "this", "here"})
_WEAK_COMPARISONS = frozenset({"over", "against", "than"})
_POSSESSIVES = frozenset({"'s", "’s"})
#: Head nouns that name a group of things: the head after "of" says what the things are.
#: What _first_head says when the head noun shows the name is a method or tool.
NOT_AN_ENTITY = "-"
_NAMING_FILLERS = frozenset("it them our the this its their these new resulting final".split())
_COLLECTIVES = frozenset({"suite", "collection", "family", "series", "set", "group", "pair"})


def _words(key: str) -> frozenset[str]:
    return frozenset(str(word) for word in ml_patterns()[key])  # type: ignore[attr-defined]


def _phrases(key: str) -> Phrases:
    """Trigger phrases indexed by their first word, for one dict lookup per token."""
    index: Phrases = {}
    for phrase in ml_patterns()[key]:  # type: ignore[attr-defined]
        words = tuple(phrase)
        index.setdefault(words[0], []).append(words)
    return index


@Language.factory("kg_context")
def make_context_rules(nlp: Language, name: str) -> ContextRules:
    return ContextRules()


class ContextRules:
    """Propose typed candidates from trigger words and head nouns."""

    def __init__(self) -> None:
        self.intro_verbs = _words("intro_verbs")
        self.naming = _words("naming_words")
        self.comparisons = _words("comparison_triggers") - _WEAK_COMPARISONS
        self.triggers = {
            "compare": _phrases("comparison_phrases"),
            "Dataset": _phrases("dataset_usage"),
            "Model": _phrases("model_usage"),
        }
        self.list_words = _words("model_lists")
        self.non_entity_heads = frozenset(load_json("patterns/negative.json")["non_entity_heads"])
        self.heads = {label: head_nouns(label) for label in ("Model", "Dataset", "Organization")}
        # Lookups for the per-token loops: a head noun's label (the first label listing it,
        # as the loop in _label_of finds it), and every word that can start a trigger.
        self._head_label: dict[str, str] = {}
        for label, heads in self.heads.items():
            for word in heads:
                self._head_label.setdefault(word, label)
        self._trigger_starts = frozenset(
            [word for phrases in self.triggers.values() for word in phrases]
        ).union(self.comparisons, self.list_words)
        # Every lower-cased word some rule below starts from; the rest of a sentence is
        # only looked at around them.
        self._cue_words = self.intro_verbs.union(
            self.naming, self._head_label, self._trigger_starts, _ORG_BEFORE_NAME, _POSSESSIVES
        )

    def __call__(self, doc: Doc) -> Doc:
        found = candidates(doc)
        info = token_info(doc)
        if doc.user_data.get("kg_field") == "title":
            found.extend(self._title(info))
            return doc
        cues = [i for i, lower in enumerate(info.lowers) if lower in self._cue_words]
        for bounds in info.sentences:
            here = cues[bisect.bisect_left(cues, bounds[0]) : bisect.bisect_left(cues, bounds[1])]
            found.extend(self._introductions(info, bounds, here))
            found.extend(self._head_adjacent(info, bounds, here))
            found.extend(self._after_triggers(info, bounds, here))
            found.extend(self._possessive_owner(info, bounds, here))
            found.extend(self._appositives(info, bounds))
        for bounds in info.sentences:
            found.extend(_typed_lists(info, bounds, found))
        return doc

    # --- titles -----------------------------------------------------------------
    def _title(self, info: TokenInfo) -> Iterator[Candidate]:
        """``X: A Multi-granularity Tool-Use Benchmark ...`` types X by the first head noun."""
        colon = next((i for i, text in enumerate(info.texts) if text == ":"), None)
        if colon is None or colon == 0 or colon > 6:
            return
        label = self._first_head(info, colon + 1, len(info.texts), window=12)
        if label is None:
            return
        if label == NOT_AN_ENTITY:
            _block(info, 0, colon)
            return
        start, end = 0, colon
        while start < end and (
            info.lowers[start] in _DETERMINERS or info.lowers[start] in self.intro_verbs
        ):
            start += 1
        while end > start and info.texts[end - 1] in _REPORT_WORDS:
            end -= 1
        if 0 < end - start <= 4 and all(_title_name_word(t) for t in info.texts[start:end]):
            yield Candidate(start, end, label, "title.colon-head", 0.8, introduced=True)

    # --- introductions -----------------------------------------------------------
    def _introductions(self, info: TokenInfo, bounds: Bounds, cues: Cues) -> Iterator[Candidate]:
        start, stop = bounds
        for i in cues:
            lower = info.lowers[i]
            if lower in self.intro_verbs and _SUBJECTS.intersection(
                info.lowers[max(start, i - 4) : i]
            ):
                yield from self._introduced_after(info, i + 1, stop)
            elif lower in self.naming:
                yield from self._called(info, i, bounds)
        yield from self._appositive_subject(info, bounds)

    def _called(self, info: TokenInfo, index: int, bounds: Bounds) -> Iterator[Candidate]:
        """``a model called X``, ``we name our model X``, ``we call it X``.

        The head noun before the naming word, or right after it (``name our
        model X``), types X. Without one, X is still a name the paper defines
        (``info.defined``): its reuses type it (kg.extract.acronyms).
        """
        start, stop = bounds
        label = self._last_head(info, max(start, index - 6), index)
        position = index + 1
        while position < stop and info.lowers[position] in _NAMING_FILLERS:
            position += 1
        if position < stop and position - index <= 3:
            following = self._label_of(info.lowers[position])
            if following is not None and name_chunk(info, position + 1) is not None:
                label, position = following, position + 1
        end = name_chunk(info, position)
        if end is None or position - index > 4:
            return
        if label:
            yield Candidate(position, end, label, "context.called", 0.8, introduced=True)
        elif info.lowers[position - 1] in {"it", "them"} or position == index + 1:
            info.defined.add(tuple(info.texts[position:end]))

    def _introduced_after(self, info: TokenInfo, start: int, stop: int) -> Iterator[Candidate]:
        """``introduce [a new] X, a ... model``: X, typed by the head noun after it."""
        index = start
        while index < stop and info.lowers[index] in _DETERMINERS:
            index += 1
        end = name_chunk(info, index)
        if end is None:
            return
        label = self._appositive_head(info, end, stop)
        if label == NOT_AN_ENTITY:
            _block(info, index, end)
        elif label is not None:
            yield Candidate(index, end, label, "context.introduce", 0.85, introduced=True)
            yield from self._coordinated(info, end, stop, label)

    def _coordinated(self, info: TokenInfo, end: int, stop: int, label: str) -> Iterator[Candidate]:
        """``introduce X and Y, two ... models``: Y too."""
        index = end
        while index < stop and info.texts[index] in _LIST_JOINERS:
            index += 1
            following = name_chunk(info, index)
            if following is None:
                return
            yield Candidate(index, following, label, "context.introduce", 0.8, introduced=True)
            index = following

    def _appositive_head(self, info: TokenInfo, end: int, stop: int) -> str | None:
        """After a name: ``, a ... model`` or ``(a ... model)`` or directly ``model``."""
        index = end
        while index < stop and index - end <= 8:
            if info.texts[index] in _LIST_JOINERS:
                index += 1
                continue
            following = name_chunk(info, index)
            if following is None:
                break
            index = following
        if index < stop and info.lowers[index] in self.non_entity_heads:
            return NOT_AN_ENTITY  # "X method", "X framework"
        if index < stop:
            direct = self._label_of(info.lowers[index])
            if direct is not None:
                return direct
        while index < stop and info.texts[index] in {",", "(", ":", "-", "--", "—"}:
            index += 1
        if index >= stop or info.lowers[index] not in _DETERMINERS | {"which", "is"}:
            return None
        return self._first_head(info, index, stop, window=10)

    def _appositive_subject(self, info: TokenInfo, bounds: Bounds) -> Iterator[Candidate]:
        """``MonoCoder, a ... model, ...`` / ``X is a new benchmark`` at the start of a sentence."""
        start, stop = bounds
        if info.lowers[start] in _DETERMINERS:
            start += 1
        end = name_chunk(info, start) or _sentence_initial_name(info, start)
        if end is None or end >= stop or not (info.texts[end] == "," or info.lowers[end] == "is"):
            return
        label = self._first_head(info, end + 1, stop, window=9, must_start=True)
        if label == NOT_AN_ENTITY:
            _block(info, start, end)
        elif label is not None:
            introduced = bool(
                {"new", "novel", "our", "first"}.intersection(info.lowers[end : end + 6])
            )
            yield Candidate(start, end, label, "context.appositive", 0.8, introduced=introduced)

    # --- head nouns -------------------------------------------------------------
    def _head_adjacent(self, info: TokenInfo, bounds: Bounds, cues: Cues) -> Iterator[Candidate]:
        """``the HumanEval benchmark``, ``Llama 2 models``."""
        first, stop = bounds
        for i in cues:
            if i <= first:
                continue
            label = self._label_of(info.lowers[i])
            if label is None:
                continue
            start = i - 1
            while start > first and name_chunk(info, start - 1) is not None and i - start < 4:
                start -= 1
            if name_chunk(info, start) == i:
                yield Candidate(start, i, label, "context.head-noun", 0.75)
        for i in cues:
            lower = info.lowers[i]
            if first < i < stop - 1 and lower in _ORG_BEFORE_NAME and info.lowers[i - 1] == "the":
                end = name_chunk(info, i + 1)
                if end is not None:
                    yield Candidate(i + 1, end, "Organization", "context.head-noun", 0.75)

    # --- triggers ------------------------------------------------------------------
    def _after_triggers(self, info: TokenInfo, bounds: Bounds, cues: Cues) -> Iterator[Candidate]:
        start, stop = bounds
        for i in cues:
            lower = info.lowers[i]
            if lower not in self._trigger_starts:  # most words start no trigger
                continue
            for key, typed in (("compare", "Model"), ("Dataset", "Dataset"), ("Model", "Model")):
                for phrase in self.triggers[key].get(lower, ()):
                    if tuple(info.lowers[i : i + len(phrase)]) == phrase:
                        rule = "context.compare" if key == "compare" else "context.usage"
                        yield from self._listed(info, i + len(phrase), stop, typed, rule)
            if lower in self.comparisons:
                yield from self._listed(info, i + 1, stop, "Model", "context.compare")
                yield from self._subject(info, i, start)
            if lower in self.list_words and i > start:
                label = self._last_head(info, max(start, i - 4), i)
                if label is not None:
                    yield from self._listed(info, i + 1, stop, label, "context.such-as")

    def _subject(self, info: TokenInfo, index: int, start: int) -> Iterator[Candidate]:
        """The model right before ``outperforms`` (``Mistral 7B outperforms ...``)."""
        begin = index - 1
        while begin > start and name_chunk(info, begin - 1) == index:
            begin -= 1
        if begin >= start and name_chunk(info, begin) == index:
            yield Candidate(begin, index, "Model", "context.compare", 0.65)

    def _listed(
        self, info: TokenInfo, index: int, stop: int, label: str, rule: str
    ) -> Iterator[Candidate]:
        """Names in a list after a trigger: ``X, Y, and Z``, skipping ``the`` / ``as``."""
        while index < stop and info.lowers[index] in _DETERMINERS | {"as", "e.g.", ",", "from"}:
            index += 1
        for _ in range(8):
            end = name_chunk(info, index)
            if end is None:
                return
            yield Candidate(index, end, label, rule, 0.7)
            index = end
            if index >= stop or info.texts[index] not in _LIST_JOINERS:
                return
            while index < stop and (
                info.texts[index] in _LIST_JOINERS or info.lowers[index] == "the"
            ):
                index += 1

    def _possessive_owner(self, info: TokenInfo, bounds: Bounds, cues: Cues) -> Iterator[Candidate]:
        """``Meta's Llama 2``, ``Mistral's first reasoning model``: the owner is an organization."""
        start, stop = bounds
        for i in cues:
            if not start < i < stop - 1 or info.texts[i] not in _POSSESSIVES:
                continue
            owner_starts = info.sent_start[i - 1] and _title_name_word(info.texts[i - 1])
            if name_chunk(info, i - 1) != i and not owner_starts:
                continue
            named = name_chunk(info, i + 1) is not None
            ahead = info.lowers[i + 1 : i + 5]
            model_ahead = any(word in self.heads["Model"] for word in ahead)
            if not model_ahead and self.non_entity_heads.intersection(ahead):
                continue  # "Smolensky's RCD algorithm": an author's method, not an owner's model
            if named or model_ahead:
                yield Candidate(i - 1, i, "Organization", "context.possessive", 0.96)

    # --- appositives ----------------------------------------------------------------
    def _appositives(self, info: TokenInfo, bounds: Bounds) -> Iterator[Candidate]:
        """Names a head noun describes inside a sentence.

        ``on Poeta, a suite of 14 Portuguese datasets``: a name, then ``, a ... head``;
        ``a human-supervised benchmark, IndicXTREME, consisting of``: a head noun, then
        the name between commas; ``new datasets (FineMath, Stack-Edu, and SmolTalk)``: a
        plural head noun, then a parenthesized list of names.
        """
        start, stop = bounds
        texts = info.texts
        for i in range(start + 1, stop - 2):
            if texts[i] in {"(", "["}:
                yield from self._cited(info, i, bounds)
            if texts[i] not in {",", "("}:
                continue
            label = self._label_of(info.lowers[i - 1])
            if label is not None and label != "Organization":
                yield from self._after_head(info, i, stop, label)
            if texts[i] == "," and info.lowers[i + 1] in {"a", "an"}:
                begin = _chunk_ending_at(info, i, start)
                if begin is None:
                    continue
                head = self._first_head(info, i + 1, stop, window=9, must_start=True)
                if head == NOT_AN_ENTITY:
                    _block(info, begin, i)
                elif head in {"Model", "Dataset"}:
                    yield Candidate(begin, i, head, "context.appositive", 0.8)

    def _cited(self, info: TokenInfo, index: int, bounds: Bounds) -> Iterator[Candidate]:
        """``the ZorbQA (Kim et al., 2017) benchmark``, ``benchmarks such as ZorbQA [12]``.

        A name right before a citation is a name; the head noun after the
        citation, or the last one before the name in its sentence, types it.
        """
        start, stop = bounds
        end = citation_end(info, index, stop)
        begin = _chunk_ending_at(info, index, start) if end is not None else None
        if end is None or begin is None:
            return
        label = self._label_of(info.lowers[end]) if end < len(info.lowers) else None
        if label is None:
            label = self._last_head(info, max(start, begin - 8), begin)
        if label in {"Model", "Dataset"}:
            yield Candidate(begin, index, label, "context.citation", 0.75)

    def _after_head(
        self, info: TokenInfo, index: int, stop: int, label: str
    ) -> Iterator[Candidate]:
        """``benchmark, X,`` / ``benchmark (X)`` / ``datasets (X, Y, and Z)``."""
        closing = ")" if info.texts[index] == "(" else ","
        found = []
        position = index + 1
        while position < stop:
            end = name_chunk(info, position)
            if end is None:
                return
            found.append((position, end))
            position = end
            if position < stop and info.texts[position] == closing:
                break
            if closing == "," or position >= stop or info.texts[position] not in _LIST_JOINERS:
                return
            while position < stop and info.texts[position] in _LIST_JOINERS:
                position += 1
        if position >= stop or len(found) > 8:
            return
        if closing == ")" and len(found) == 1 and info.lowers[index - 1] in _ARCHITECTURE_HEADS:
            return  # "Graph Convolutional Network (GCN)": an architecture, not a model
        for first, end in found:
            yield Candidate(first, end, label, "context.appositive", 0.78)

    # --- helpers -------------------------------------------------------------------
    def _label_of(self, word: str) -> str | None:
        return self._head_label.get(word)

    def _first_head(
        self, info: TokenInfo, start: int, stop: int, window: int, must_start: bool = False
    ) -> str | None:
        if must_start and (start >= stop or info.lowers[start] not in _DETERMINERS | {"is"}):
            return None
        end = min(stop, start + window)
        for i in range(start, end):
            text = info.texts[i]
            if text in {".", ";"} or (text == "," and not must_start and i > start + 1):
                return None
            lower = info.lowers[i]
            if lower in self.non_entity_heads:
                return NOT_AN_ENTITY  # "X, a novel attribution method": a method names no entity
            label = self._label_of(lower)
            if label is None:
                continue
            following = info.lowers[i + 1] if i + 1 < stop else ""
            if label == "Organization" and self._model_head_follows(info, i, stop):
                return "Model"  # "a foundation model", "Foundation Language Models"
            if lower in _COLLECTIVES and following == "of":
                # "a suite of ... language models", "a collection of ... LLMs"
                inner = self._first_head(info, i + 2, stop, window=10)
                return inner if inner not in {None, NOT_AN_ENTITY} else label
            return label
        return None

    def _model_head_follows(self, info: TokenInfo, index: int, stop: int) -> bool:
        """Is the word at ``index`` a modifier of a model head right after it?"""
        ahead = info.lowers[index + 1 : min(stop, index + 3)]
        if ahead and self._label_of(ahead[0]) == "Model":
            return True
        return (
            len(ahead) == 2 and ahead[0] not in STOP_WORDS and self._label_of(ahead[1]) == "Model"
        )

    def _last_head(self, info: TokenInfo, start: int, stop: int) -> str | None:
        for i in range(stop - 1, start - 1, -1):
            label = self._label_of(info.lowers[i])
            if label is not None:
                return label
        return None


_YEAR = re.compile(r"^(?:19|20)\d\d[a-z]?$")
_REFERENCE = re.compile(r"^\d{1,3}(?:[-–]\d{1,3})?$")


def citation_end(info: TokenInfo, index: int, stop: int) -> int | None:
    """The end of a citation at ``index``: ``(Kim et al., 2017)``, ``(Kim, 2017)``, ``[12]``.

    ``[12, 14]`` and ``[3-5]`` too. None when no citation starts there. The
    sentencizer ends a sentence at ``al.``, so a citation may run past ``stop``.
    """
    texts = info.texts
    stop = max(stop, min(len(texts), index + 12))
    if index >= stop:
        return None
    if texts[index] == "[":
        position = index + 1
        while position < stop and (_REFERENCE.match(texts[position]) or texts[position] == ","):
            position += 1
        ok = position > index + 1 and position < stop and texts[position] == "]"
        return position + 1 if ok else None
    if texts[index] != "(" or index + 1 >= stop or not texts[index + 1][:1].isupper():
        return None
    for position in range(index + 2, min(stop, index + 12)):
        if texts[position] == ")":
            inside = texts[index + 1 : position]
            authored = "et" in inside or "," in inside or "and" in inside
            return position + 1 if authored and _YEAR.match(inside[-1]) else None
    return None


def _chunk_ending_at(info: TokenInfo, end: int, first: int) -> int | None:
    """Where the name chunk that ends right before ``end`` starts (None if there is none)."""
    for begin in range(end - 1, max(first, end - 4) - 1, -1):
        if name_chunk(info, begin) != end:
            continue
        if begin == first or name_chunk(info, begin - 1) != end:
            return begin
    return None


_ARCHITECTURE_HEADS = frozenset({"network", "transformer", "encoder", "decoder"})
_MEMBER_JOINERS = frozenset({",", "and", "or"})
#: Rules whose type for a name is good enough to type the other members of its list.
#: And "X model", "the X benchmark" (context.head-noun), though not "X data": "CGM and
#: Microbiome data" types nothing.
_ANCHOR_RULES = ("lexicon", "context.introduce", "context.appositive", "acronym.", "shape.")


def _typed_lists(info: TokenInfo, bounds: Bounds, found: list[Candidate]) -> list[Candidate]:
    """``on MMLU, GSM8K and ZorbQA``: unknown names listed with known ones share their type.

    A list is names joined by commas, ``and``, ``or``; when its typed members
    (curated names and confidently typed ones) are all models, or all datasets,
    every other name-shaped member that no rule typed gets that type too.
    Lists with organizations or languages, or with both models and datasets,
    type nothing.
    """
    start, stop = bounds
    by_start: dict[int, list[Candidate]] = {}
    for candidate in found:
        if start <= candidate.start < stop:
            by_start.setdefault(candidate.start, []).append(candidate)
    texts = info.texts
    listed = any(
        (c.end < stop and texts[c.end] in _MEMBER_JOINERS)
        or (c.start > start and texts[c.start - 1] in _MEMBER_JOINERS)
        for spans in by_start.values()
        for c in spans
    )
    if not listed:  # no candidate next to a comma, "and" or "or": no list to type
        return []
    added: list[Candidate] = []
    position = start
    while position < stop:
        items = _list_at(info, position, stop, by_start)
        if len(items) < 2:
            position += 1
            continue
        added.extend(_type_members(info, items, by_start))
        position = items[-1][1]
    return added


def _list_at(
    info: TokenInfo, position: int, stop: int, by_start: dict[int, list[Candidate]]
) -> list[Bounds]:
    """The members of a list starting at ``position``: candidate spans or name chunks."""
    items: list[Bounds] = []
    while position < stop:
        spans = [c.end for c in by_start.get(position, ()) if not c.needs_context]
        end = max(spans) if spans else name_chunk(info, position)
        if end is None:
            break
        items.append((position, end))
        cited = citation_end(info, end, stop)
        if cited is not None:  # "GPT-2 (Radford et al., 2019), BERT [12] and X"
            end = cited
        joiners = 0
        while end + joiners < stop and info.texts[end + joiners] in _MEMBER_JOINERS:
            joiners += 1
        if not joiners or joiners > 2 or len(items) >= 12:
            break
        position = end + joiners
    return items


def _is_anchor(info: TokenInfo, candidate: Candidate) -> bool:
    if candidate.rule == "context.head-noun":
        return candidate.end < len(info.lowers) and info.lowers[candidate.end] != "data"
    return candidate.rule.startswith(_ANCHOR_RULES) or candidate.score >= 0.75


def _type_members(
    info: TokenInfo, items: list[Bounds], by_start: dict[int, list[Candidate]]
) -> list[Candidate]:
    labels: set[str] = set()
    unknown = []
    for first, end in items:
        here = [c for c in by_start.get(first, ()) if c.end == end and not c.needs_context]
        strong = [c for c in here if _is_anchor(info, c)]
        if strong:
            labels.update(c.label for c in strong)
        elif not any(c.label in {"Organization", "Language"} for c in here):
            unknown.append((first, end))
    if len(labels) != 1 or not unknown or labels & {"Organization", "Language"}:
        return []
    label = labels.pop()
    return [Candidate(first, end, label, "context.list", 0.72) for first, end in unknown]


def _block(info: TokenInfo, start: int, end: int) -> None:
    """Record a name the text defines as a method or tool (see kg.extract.consistency)."""
    if 0 < end - start <= 4:
        info.blocked.add(tuple(info.texts[start:end]))


def _title_name_word(text: str) -> bool:
    """In a title every word is capitalized; a name word is not also a common word."""
    if any(ch.isdigit() for ch in text) or any(ch.isupper() for ch in text[1:]):
        return True
    lowered = text.lower()
    return text[:1].isupper() and lowered not in common_words() and lowered not in STOP_WORDS


def _sentence_initial_name(info: TokenInfo, start: int) -> int | None:
    """A capitalized sentence-initial word is a name only if it is followed by ``,`` + a head."""
    if start + 1 >= len(info.texts) or info.texts[start + 1] != ",":
        return None
    text, lowered = info.texts[start], info.lowers[start]
    if not (text[:1].isupper() and text.isalpha()) or lowered.endswith("ly"):
        return None
    if lowered in STOP_WORDS or lowered in _SENTENCE_ADVERBS or lowered in common_words():
        return None
    return start + 1

"""``kg_relations``: typed relations between the mentions of one sentence.

No dependency parser runs without a trained model, so relations come from cue
words (``kg/data/patterns/relations.json``) around typed mentions, precision
first. A sentence is cut into clauses (at ``;``, ``while``, ``but``, enumerators
``1)``, long parentheticals); mentions joined by commas and ``and`` form
coordinated groups, so one trigger reaches every member of a list. The source
of a relation is the subject of its own clause: the first group of the clause
that no preposition governs (``than X``, ``with X``, ``such as X`` are objects),
never merely the nearest name.

* ``A (and B) outperform(s) C (and D)``                    -> OUTPERFORMS, each pair;
  negated or hedged comparisons (``rivals or outperforms``) give nothing,
  ``C is outperformed by A`` is turned round.
* ``A ... on / across / such as D1, D2 and D3``            -> EVALUATED_ON, with an
  evaluation cue in the clause; the compared models of the clause count too
  (``A outperforms B on D``: A and B).
* ``A ... trained / fine-tuned on D``                      -> TRAINED_ON, unless D is
  benchmark-shaped or the paper calls it a benchmark.
* ``A, fine-tuned from / initialized from / based on B``   -> A FINE_TUNED_FROM B;
  ``by fine-tuning B`` / ``we fine-tune B to obtain A``; ``B ... variants called A``.
* ``A developed by O`` / ``O's A`` / ``A from O`` / ``O released A`` -> DEVELOPED_BY.
* ``A ... in / for / covering L``, ``a L language model``   -> COVERS_LANGUAGE.

A model used as a tool (``GPT-4 as a judge``, ``GPT-4-generated data``) is no
endpoint of EVALUATED_ON, TRAINED_ON or OUTPERFORMS; hardware and software
(``Python interpreter``, ``A100 GPUs``) are no endpoints at all. When a
clause names no subject but speaks of the paper's own work (``we``, ``our
model``, ``it``), the source is ``SELF``; the paper stage binds it to the
model the paper introduces or names in its title.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Mention, TokenInfo, token_info
from kg.extract.lexicon import load_json

SELF = -1
_MODEL = "Model"
_DATASET = "Dataset"
_ORG = "Organization"
_LANGUAGE = "Language"


@dataclass(frozen=True)
class RelationHit:
    """A relation between two mentions of one Doc (indexes into ``doc._.kg_mentions``).

    ``trigger_start`` / ``trigger_end`` are the character span of the cue words.
    """

    type: str
    source: int
    target: int
    rule: str
    score: float
    sentence_start: int
    sentence_end: int
    trigger_start: int
    trigger_end: int


# --- the cue words -------------------------------------------------------------------
#: Phrases by their first word, longest first.
Phrases = dict[str, tuple[tuple[str, ...], ...]]


class _Cues:
    """``relations.json`` as sets and tuples, loaded once."""

    def __init__(self, data: dict[str, Any]) -> None:
        def words(key: str) -> frozenset[str]:
            return frozenset(str(w) for w in data[key])

        def phrases(key: str) -> Phrases:
            by_first: dict[str, list[tuple[str, ...]]] = {}
            for phrase in sorted((tuple(p) for p in data[key]), key=len, reverse=True):
                by_first.setdefault(phrase[0], []).append(phrase)
            return {first: tuple(found) for first, found in by_first.items()}

        self.clause_breaks = words("clause_breaks")
        self.subject_pronouns = words("subject_pronouns")
        self.self_words = words("self_words")
        self.self_phrases = phrases("self_phrases")
        self.other_subjects = words("other_subjects")
        self.determiners = words("determiners")
        self.preps = words("preps")
        self.list_gaps = words("list_gaps")
        self.outperform_prefixes = tuple(data["outperform_prefixes"])
        self.outperform_phrases = phrases("outperform_phrases")
        self.outperform_bad_prefixes = tuple(data["outperform_bad_prefixes"])
        self.negations = words("negations")
        self.hedges = words("hedges")
        self.passive_words = words("passive_words")
        self.eval_cue_prefixes = tuple(data["eval_cue_prefixes"])
        self.eval_intro = words("eval_intro")
        self.eval_intro_phrases = phrases("eval_intro_phrases")
        self.eval_in_needs = tuple(data["eval_in_needs"])
        self.train_prefixes = tuple(data["train_prefixes"])
        self.train_preps = words("train_preps")
        self.train_adverbs = words("train_adverbs")
        self.train_skips = words("train_skips")
        self.data_from = phrases("data_from")
        self.train_as = phrases("train_as")
        self.not_train_prefixes = tuple(data["not_train_prefixes"])
        self.finetune_from = phrases("finetune_from")
        self.weak_finetune = frozenset(tuple(p) for p in data["weak_finetune_from"])
        self.finetune_verbs = words("finetune_verbs")
        self.adjective_markers = words("adjective_markers")
        self.finetune_results = phrases("finetune_results")
        self.result_skips = words("result_skips")
        self.base_skips = words("base_skips")
        self.naming = words("naming")
        self.finetune_cue_prefixes = tuple(data["finetune_cue_prefixes"])
        self.tuning_suffixes = words("tuning_suffixes")
        self.derivation_prefixes = tuple(data["derivation_prefixes"])
        self.develop_verbs = words("develop_verbs")
        self.org_verbs = words("org_verbs")
        self.tool_words = words("tool_words")
        self.tool_suffixes = tuple(data["tool_suffixes"])
        self.non_endpoint_heads = words("non_endpoint_heads")
        self.non_endpoint = re.compile("|".join(data["non_endpoint_patterns"]), re.IGNORECASE)
        self.benchmark_name = re.compile("|".join(data["benchmark_name_patterns"]), re.I)
        self.benchmark_heads = words("benchmark_heads")
        self.cover_verbs = words("cover_verbs")
        self.cover_gaps = words("cover_gaps")
        self.language_heads = words("language_heads")
        self.data_heads = words("data_heads")
        self.eval_walk_stops = words("eval_walk_stops")
        self.language_suffixes = tuple(data["language_suffixes"])
        self.adjacency = words("adjacency")
        self.adverbs = words("adverbs")
        self.object_verbs = words("object_verbs")


@cache
def cues() -> _Cues:
    return _Cues(load_json("patterns/relations.json"))


# --- one sentence -------------------------------------------------------------------------
class _Item(NamedTuple):
    """A mention of the sentence: its index in ``doc._.kg_mentions`` and token span."""

    ref: int
    label: str
    first: int  # first token, sentence-relative
    end: int  # one past the last token


@dataclass
class _Clause:
    start: int
    end: int
    parent: int | None  # a clause whose subject this one inherits (enumerations)


class _Sentence:
    """What the rules need of one sentence: words, mentions, clauses, groups."""

    def __init__(
        self,
        info: TokenInfo,
        bounds: tuple[int, int],
        mentions: list[Mention],
        inside: list[int],
    ) -> None:
        self.info = info
        self.start, self.end = bounds
        self.start_char, self.end_char = info.char_bounds(self.start, self.end)
        self.lowers: Sequence[str] = info.lowers[self.start : self.end]
        self.mentions = mentions
        self.at: dict[int, _Item] = {}
        self.items = [item for item in (self._item(i) for i in inside) if item is not None]
        for item in self.items:
            for token in range(item.first, item.end):
                self.at[token] = item
        self.clauses = self._clauses()
        self.tools = {item.ref for item in self.items if self._is_tool(item)}

    # tokens and characters
    def _item(self, index: int) -> _Item | None:
        mention = self.mentions[index]
        first = bisect.bisect_right(self.info.idx, mention.start) - 1
        last = bisect.bisect_right(self.info.idx, max(mention.start, mention.end - 1)) - 1
        first, last = max(first, self.start), min(last, self.end - 1)
        if last < first:
            return None
        item = _Item(index, mention.label, first - self.start, last + 1 - self.start)
        return None if self._not_an_endpoint(item) else item

    def char(self, token: int) -> int:
        return self.info.idx[self.start + token]

    def char_end(self, token: int) -> int:
        index = self.start + token
        return self.info.idx[index] + len(self.info.texts[index])

    def word(self, token: int) -> str:
        return self.lowers[token] if 0 <= token < len(self.lowers) else ""

    def text(self, item: _Item) -> str:
        return self.mentions[item.ref].text

    def phrase_at(self, token: int, phrases: Phrases) -> int:
        """The length of the longest phrase starting at ``token`` (0 if none)."""
        if not 0 <= token < len(self.lowers):
            return 0
        for phrase in phrases.get(self.lowers[token], ()):
            if tuple(self.lowers[token : token + len(phrase)]) == phrase:
                return len(phrase)
        return 0

    # what a mention is
    def _not_an_endpoint(self, item: _Item) -> bool:
        """Hardware, software and tools: ``A100 GPUs``, ``Python interpreter``, ``VRAM``."""
        c = cues()
        if c.non_endpoint.search(self.text(item)):
            return True
        # the head may follow a few capitalized words: "Ascend Neural Processing Units"
        token = item.end
        while token < min(len(self.lowers), item.end + 3):
            if self.lowers[token] in c.non_endpoint_heads:
                return True
            text = self.info.texts[self.start + token]
            if not text[:1].isupper() or token in self.at:
                break
            token += 1
        return False

    def _is_tool(self, item: _Item) -> bool:
        """A model used as a tool: ``GPT-4 as a judge``, ``judged by GPT-4``, ``X-generated``."""
        c = cues()
        if item.label != _MODEL:
            return False
        text = self.text(item).lower()
        word_after = self.word(item.end)
        if text.endswith(c.tool_suffixes) or word_after.startswith(c.tool_suffixes):
            return True
        window = [*self.lowers[max(0, item.first - 3) : item.first],
                  *self.lowers[item.end : item.end + 4]]  # fmt: skip
        return any(word in c.tool_words for word in window)

    # clauses
    def _clauses(self) -> list[_Clause]:
        """Clauses, cut at breaks, enumerators (``1)``) and long parentheticals.

        An enumerated clause inherits the subject of the clause before the
        first enumerator; a parenthetical and the text after it inherit the one
        before the parenthesis.
        """
        c = cues()
        size = len(self.lowers)
        result: list[_Clause] = []
        start, parent = 0, None
        head: int | None = None
        paren: int | None = None
        in_paren = False
        token = 0

        def close(end: int) -> None:
            if end > start:
                result.append(_Clause(start, end, parent))

        while token < size:
            word = self.lowers[token]
            if word in c.clause_breaks:
                close(token)
                start, parent, head = token + 1, None, None
            elif self._enumerator(token):
                close(token)
                if head is None:
                    head = len(result) - 1 if result else None
                start, parent = token + 2, head
                token += 1
            elif word == "(" and not in_paren and self._paren_length(token) > 5:
                close(token)
                paren = len(result) - 1 if result else None
                start, parent, in_paren = token + 1, paren, True
            elif word == ")" and in_paren:
                close(token)
                start, parent, in_paren = token + 1, paren, False
            token += 1
        close(size)
        return result or [_Clause(0, size, None)]

    def _enumerator(self, token: int) -> bool:
        word = self.lowers[token]
        return (
            0 < token < len(self.lowers) - 1
            and self.lowers[token + 1] == ")"
            and self.lowers[token - 1] != "("
            and ((word.isdigit() and len(word) == 1) or word in {"i", "ii", "iii", "iv", "a", "b"})
        )

    def _paren_length(self, token: int) -> int:
        for end in range(token + 1, min(len(self.lowers), token + 40)):
            if self.lowers[end] == ")":
                return end - token - 1
        return 0

    def clause_of(self, token: int) -> tuple[int, _Clause]:
        for position, clause in enumerate(self.clauses):
            if clause.start <= token < clause.end:
                return position, clause
        return len(self.clauses) - 1, self.clauses[-1]

    # groups
    def groups(self, labels: frozenset[str], start: int, end: int) -> list[list[_Item]]:
        """Coordinated groups (``A, B and C``) of mentions with ``labels`` inside ``start:end``."""
        c = cues()
        found: list[list[_Item]] = []
        for item in self.items:
            if item.label not in labels or item.first < start or item.end > end:
                continue
            if found and self._joined(found[-1][-1], item, c):
                found[-1].append(item)
            else:
                found.append([item])
        return found

    def _joined(self, left: _Item, right: _Item, c: _Cues) -> bool:
        gap = self.lowers[left.end : right.first]
        if not gap:
            return True
        depth = 0
        inside = 0
        for word in gap:
            if word == "(":
                depth += 1
            elif word == ")":
                depth -= 1
            elif depth > 0:
                inside += 1
                if inside > 5:
                    return False
            elif word not in c.list_gaps and not _is_number(word):
                return False
        return depth == 0

    def governed(self, item: _Item, floor: int) -> bool:
        """Whether a preposition governs the mention (``than X``, ``with the X``)."""
        c = cues()
        token = item.first - 1
        while token >= floor and self.lowers[token] in _MODIFIERS:
            token -= 1
        if token < floor:
            return False
        word = self.lowers[token]
        if word in {"and", "or"}:
            return False
        return word in c.preps or (word == "as" and self.word(token - 1) == "such")

    def is_object(self, item: _Item, floor: int) -> bool:
        """Governed by a preposition, or after a verb of its clause (``outperforms X``)."""
        if self.governed(item, floor):
            return True
        verbs = cues().object_verbs
        return any(word in verbs for word in self.lowers[floor : item.first])

    def subject(self, token: int, labels: frozenset[str]) -> list[_Item] | None:
        """The subject group of the clause holding ``token``, before it (inherited if none)."""
        position, clause = self.clause_of(token)
        antecedent = self._antecedent(token, labels, clause.start)
        if antecedent:
            return antecedent
        while True:
            groups = self.groups(labels, clause.start, min(token, clause.end))
            for position_in, group in enumerate(groups):
                group = [item for item in group if item.first < token]
                if not group:
                    break
                if not self.is_object(group[0], clause.start):
                    return group
                # a fronted phrase ("Compared to Y, X ...") is skipped; a deeper object ends it
                following = (
                    groups[position_in + 1][0].first if position_in + 1 < len(groups) else token
                )
                if "," not in self.lowers[group[-1].end : following]:
                    break
            if clause.parent is None or clause.parent >= position:
                return None
            position = clause.parent
            clause = self.clauses[position]
            token = clause.end

    def _antecedent(self, token: int, labels: frozenset[str], floor: int) -> list[_Item] | None:
        """``X, which / that outperforms``: the group right before the relative pronoun."""
        relative = token - 1
        while relative >= floor and self.lowers[relative] in cues().adverbs:
            relative -= 1
        if relative <= floor or self.lowers[relative] not in {"which", "that", "who"}:
            return None
        end = relative - (1 if self.word(relative - 1) == "," else 0)
        groups = self.groups(labels, floor, end)
        if groups and groups[-1][-1].end == end:
            return groups[-1]
        return None

    def self_referent(self, token: int) -> bool:
        """Whether the clause before ``token`` speaks of the paper's own work."""
        c = cues()
        _, clause = self.clause_of(token)
        words = self.lowers[clause.start : token]
        if any(word in c.other_subjects for word in words[-6:]):
            return False
        if any(word in c.self_words for word in words):
            return True
        if any(self.phrase_at(clause.start + i, c.self_phrases) for i in range(len(words))):
            return True
        # "Experiments on D show ...", "Trained on D, ...": a clause opening without a subject
        return clause.start == 0 and not any(i.first < token for i in self.items)

    def hit(
        self,
        rel_type: str,
        source: _Item | int,
        target: _Item,
        rule: str,
        score: float,
        trigger: tuple[int, int],
    ) -> RelationHit:
        source_index = source if isinstance(source, int) else source.ref
        return RelationHit(
            rel_type,
            source_index,
            target.ref,
            rule,
            score,
            self.start_char,
            self.end_char,
            self.char(trigger[0]),
            self.char_end(trigger[1] - 1),
        )


def _is_number(word: str) -> bool:
    return (
        bool(word) and (word[0].isdigit() or word[0] in ".-+") and any(ch.isdigit() for ch in word)
    )


_MODIFIERS = frozenset({"the", "a", "an", "their", "open", "strong", "larger", "smaller"})
_MODELS = frozenset({_MODEL})
_DATASETS = frozenset({_DATASET})
_HOLDERS = frozenset({_MODEL, _DATASET})


# --- the component -----------------------------------------------------------------------
@Language.factory("kg_relations")
def make_relation_extractor(nlp: Language, name: str) -> RelationExtractor:
    return RelationExtractor()


class RelationExtractor:
    """Write ``doc._.kg_relations`` from the mentions on ``doc._.kg_mentions``."""

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Mention] = doc._.kg_mentions or []
        hits: list[RelationHit] = []
        position = 0  # mentions are sorted by start, so one pointer walks them all
        info = token_info(doc)
        for start, end in info.sentences:
            start_char, end_char = info.char_bounds(start, end)
            while position < len(mentions) and mentions[position].start < start_char:
                position += 1
            inside = []
            while position < len(mentions) and mentions[position].start < end_char:
                inside.append(position)
                position += 1
            if len(inside) >= 1:
                sentence = _Sentence(info, (start, end), mentions, inside)
                hits.extend(_sentence_relations(sentence))
        doc._.kg_relations = _dedupe(hits)
        return doc


def _sentence_relations(s: _Sentence) -> list[RelationHit]:
    labels = {item.label for item in s.items}
    found: list[RelationHit] = []
    if _MODEL in labels:
        found += _outperforms(s)
        found += _fine_tuned(s)
        found += _called_variants(s)
        found += _tuned_variants(s)
    if _DATASET in labels:
        found += _datasets(s)
    if _ORG in labels:
        found += _developers(s)
    if _LANGUAGE in labels:
        found += _covers(s)
    return found


# --- OUTPERFORMS -------------------------------------------------------------------------
def _outperform_triggers(s: _Sentence) -> list[tuple[int, int]]:
    c = cues()
    found = []
    for token, word in enumerate(s.lowers):
        if word.startswith(c.outperform_prefixes) and not word.startswith(
            c.outperform_bad_prefixes
        ):
            found.append((token, token + 1))
        else:
            length = s.phrase_at(token, c.outperform_phrases)
            if length:
                found.append((token, token + length))
    return found


def _hedged(s: _Sentence, trigger: tuple[int, int]) -> bool:
    """``does not outperform``, ``rivals or outperforms``, ``outperforms or matches``."""
    c = cues()
    start, end = trigger
    before = s.lowers[max(0, start - 4) : start]
    if any(word in c.negations for word in before):
        return True
    if any(word in c.hedges for word in before) and any(w in {"or", "and", "/"} for w in before):
        return True
    after = s.lowers[end : end + 3]
    return bool(after) and after[0] in {"or", "/"} and any(w in c.hedges for w in after)


def _objects(s: _Sentence, after: int, labels: frozenset[str], window: int = 8) -> list[_Item]:
    """The groups right after a trigger: the first within ``window`` tokens, then ``and`` more."""
    c = cues()
    _, clause = s.clause_of(max(0, after - 1))
    found: list[_Item] = []
    for group in s.groups(labels, after, clause.end):
        gap = s.lowers[(found[-1].end if found else after) : group[0].first]
        if not found:
            if len(gap) > window or _crosses(s, found[-1].end if found else after, group[0].first):
                break
        elif (
            not any(w in {"and", ",", "as"} for w in gap)
            or len(gap) > 10
            or _crosses(s, found[-1].end, group[0].first, continuation=True)
            or any(w in c.passive_words or w in c.hedges or w in c.self_words for w in gap)
            or s.word(group[-1].end) in c.passive_words
        ):
            break
        found.extend(group)
    return found


def _crosses(s: _Sentence, start: int, end: int, continuation: bool = False) -> bool:
    """Whether tokens ``start:end`` hold another mention or a verb of another relation."""
    c = cues()
    for token in range(start, end):
        word = s.lowers[token]
        mention = s.at.get(token)
        if (
            mention is not None
            and mention.label in {_DATASET, _ORG}
            and not _possessive(s, mention)
        ):
            return True  # (an owner is no stop: "set by OpenAI's GPT-3.5")
        if not continuation and word in c.eval_intro and word not in {"in", "like", "including"}:
            return True
        if word.startswith(c.outperform_prefixes) or word in c.subject_pronouns:
            return True
    return False


def _outperforms(s: _Sentence) -> list[RelationHit]:
    hits: list[RelationHit] = []
    for trigger in _outperform_triggers(s):
        if _hedged(s, trigger):
            continue
        start, end = trigger
        targets = [t for t in _objects(s, end, _MODELS) if t.ref not in s.tools]
        passive = s.word(start - 1) in cues().passive_words and s.word(end) == "by"
        if passive:
            sources_after = [t for t in _objects(s, end + 1, _MODELS) if t.ref not in s.tools]
            subject = s.subject(start, _MODELS)
            hits += [
                s.hit("OUTPERFORMS", winner, loser, "outperforms.passive", 0.8, trigger)
                for winner in sources_after
                for loser in subject or []
                if winner.ref != loser.ref
            ]
            continue
        if not targets:
            continue
        subject = s.subject(start, _MODELS)
        sources: list[_Item | int]
        if subject:
            sources = [item for item in subject if item.ref not in s.tools]
        elif s.self_referent(start):
            sources = [SELF]
        else:
            sources = []
        for source in sources:
            for target in targets:
                if isinstance(source, int) or source.ref != target.ref:
                    hits.append(s.hit("OUTPERFORMS", source, target, "outperforms.verb", 0.8,
                                      trigger))  # fmt: skip
    return hits


# --- EVALUATED_ON and TRAINED_ON -------------------------------------------------------------
def _datasets(s: _Sentence) -> list[RelationHit]:
    hits: list[RelationHit] = []
    for group in s.groups(_DATASETS, 0, len(s.lowers)):
        trained = _training_cue(s, group[0].first)
        if trained is not None:
            hits += _trained_on(s, group, trained)
            continue
        intro = _eval_intro(s, group[0].first)
        if intro is not None:
            hits += _evaluated_on(s, group, intro)
    hits += _trained_as(s)
    return hits


def _walk_back(
    s: _Sentence, first: int, limit: int = 8, skips: frozenset[str] = frozenset()
) -> list[int]:
    """The tokens before ``first``, nearest first, over determiners and numbers.

    The walk ends at the first other word (included), another mention, or after
    ``limit`` tokens.
    """
    c = cues()
    walked: list[int] = []
    token = first - 1
    while token >= 0 and len(walked) < limit:
        if token in s.at:
            break
        walked.append(token)
        word = s.lowers[token]
        if not (
            word in c.determiners or word in skips or _is_number(word) or word in {",", "-", "–"}
        ):
            break
        token -= 1
    return walked


def _eval_walk(s: _Sentence, first: int) -> list[int]:
    """``_walk_back``, then on over up to three plain lower-case words
    (``on the well-studied exam benchmark MMLU``)."""
    c = cues()
    walked = _walk_back(s, first)
    extra = 0
    while walked and extra < 3:
        token = walked[-1]
        word = s.lowers[token]
        plain = word.isalpha() or "-" in word
        if not plain or word in c.eval_intro or word in c.eval_walk_stops or token in s.at:
            break
        if s.info.texts[s.start + token] != word or token - 1 < 0:
            break
        walked.extend(_walk_back(s, token))
        extra += 1
    return walked


def _training_cue(s: _Sentence, first: int) -> tuple[int, int] | None:
    """``trained on (a mix of) D``, ``data from D``: the cue's token span, if any."""
    c = cues()
    for lead in _walk_back(s, first, limit=10, skips=c.train_skips):
        for length in range(4, 1, -1):
            start = lead - length + 1
            if start >= 0 and s.phrase_at(start, c.data_from) == length:
                _, clause = s.clause_of(start)
                words = s.lowers[clause.start : start]
                if any(w.startswith(c.train_prefixes) for w in words):
                    return start, lead + 1
                return None
        if s.lowers[lead] not in c.train_preps or s.word(lead - 1) in c.train_skips:
            continue
        verb = lead - 1
        while verb >= 0 and s.lowers[verb] in c.train_adverbs:
            verb -= 1
        if verb < 0:
            return None
        word = s.lowers[verb]
        if word.startswith(c.train_prefixes) and not word.startswith(c.not_train_prefixes):
            return verb, lead + 1
        # "train X on D": the verb before the trained model
        item = s.at.get(verb)
        if (
            item is not None
            and item.label == _MODEL
            and s.word(item.first - 1).startswith(c.train_prefixes)
        ):
            return item.first - 1, lead + 1
        return None
    return None


def _trained_on(s: _Sentence, group: list[_Item], trigger: tuple[int, int]) -> list[RelationHit]:
    targets = [t for t in group if not _benchmark(s, t)]
    if not targets:
        return []
    verb = trigger[0]
    sources: list[_Item | int] = []
    # "train X on D": the model between verb and preposition
    inner = [i for i in s.items if i.label == _MODEL and verb < i.first and i.end <= trigger[1]]
    derived_verb = not s.lowers[verb].startswith(("train", "pretrain", "pre-train")) or s.word(
        verb - 1
    ) in {"continue", "continued", "continuing", "further", "continually"}
    if inner and derived_verb:
        # "we fine-tune / continue pretraining B on D": the paper's model, derived from B
        sources = [SELF] if s.self_referent(verb) else []
    elif inner:
        sources = [i for i in inner if i.ref not in s.tools]
    else:
        near = _adjacent_before(s, verb, _MODELS)
        subject = near or s.subject(verb, _MODELS)
        if subject:
            sources = [i for i in subject if i.ref not in s.tools]
        elif verb == 0 or s.word(verb - 1) in {",", "when", "after", "once", "being"}:
            after = _participle_subject(s, group[-1].end)
            sources = list(after) if after else ([SELF] if s.self_referent(verb) else [])
        elif s.self_referent(verb):
            sources = [SELF]
    return [
        s.hit("TRAINED_ON", source, target, "train.on", 0.75, trigger)
        for source in sources
        for target in targets
    ]


def _participle_subject(s: _Sentence, after: int) -> list[_Item] | None:
    """``Trained on D, X achieves ...``: the first Model group after the comma."""
    for token in range(after, len(s.lowers)):
        if s.lowers[token] == ",":
            groups = s.groups(_MODELS, token + 1, len(s.lowers))
            if groups and groups[0][0].first <= token + 3:
                return [i for i in groups[0] if i.ref not in s.tools]
            return None
    return None


def _trained_as(s: _Sentence) -> list[RelationHit]:
    """``using D as training data``, ``D for pretraining``."""
    c = cues()
    hits: list[RelationHit] = []
    for group in s.groups(_DATASETS, 0, len(s.lowers)):
        after = group[-1].end
        length = s.phrase_at(after, c.train_as)
        if not length:
            continue
        subject = s.subject(group[0].first, _MODELS)
        sources: list[_Item | int] = (
            [i for i in subject if i.ref not in s.tools]
            if subject
            else ([SELF] if s.self_referent(group[0].first) else [])
        )
        for source in sources:
            for target in group:
                if not _benchmark(s, target):
                    hits.append(s.hit("TRAINED_ON", source, target, "train.as-data", 0.7,
                                      (after, after + length)))  # fmt: skip
    return hits


def _benchmark(s: _Sentence, item: _Item) -> bool:
    """A benchmark is not training data: its name, or the word after it, says so."""
    c = cues()
    return bool(c.benchmark_name.search(s.text(item))) or s.word(item.end) in c.benchmark_heads


def _eval_intro(s: _Sentence, first: int) -> tuple[int, int] | None:
    """``on / across / such as / as measured by`` before a dataset list, with an eval cue."""
    c = cues()
    for lead in _eval_walk(s, first):
        span: tuple[int, int] | None = None
        for length in range(4, 1, -1):
            start = lead - length + 1
            if start >= 0 and s.phrase_at(start, c.eval_intro_phrases) == length:
                span = (start, lead + 1)
                break
        word = s.lowers[lead]
        if span is None and word in c.eval_intro:
            before = s.word(lead - 1)
            if (
                word == "on"
                and before.startswith(c.not_train_prefixes + c.train_prefixes)
                and not before.startswith(("evaluat", "test", "benchmark"))
            ):
                return None
            span = (lead, lead + 1)
        if span is None:
            continue
        _, clause = s.clause_of(lead)
        context = s.lowers[clause.start : clause.end]
        needs = c.eval_in_needs if word in {"in", "over", "like"} else c.eval_cue_prefixes
        if not any(w.startswith(needs) for w in context):
            return None
        return span
    return None


def _evaluated_on(s: _Sentence, group: list[_Item], trigger: tuple[int, int]) -> list[RelationHit]:
    start = trigger[0]
    _, clause = s.clause_of(start)
    sources: list[_Item | int] = []
    subject = s.subject(start, _MODELS)
    if subject:
        sources += subject
        compared = [
            item
            for g in s.groups(_MODELS, subject[-1].end, start)
            for item in g
            if item.first >= clause.start and not _base_like(s, item)
        ]
        sources += compared
    else:
        after = [g for g in s.groups(_MODELS, group[-1].end, clause.end)]
        if after and after[0][0].first - group[-1].end <= 3:
            sources += after[0]
        elif s.self_referent(start):
            sources.append(SELF)
            sources += [
                item
                for g in s.groups(_MODELS, clause.start, start)
                for item in g
                if not _base_like(s, item)
            ]
    rule = "eval.score" if any(_is_number(w) or w.endswith("%") for w in
                               s.lowers[max(0, start - 3) : start]) else "eval.on"  # fmt: skip
    return [
        s.hit("EVALUATED_ON", source, target, rule, 0.7, trigger)
        for source in sources
        if isinstance(source, int) or source.ref not in s.tools
        for target in group
    ]


def _base_like(s: _Sentence, item: _Item) -> bool:
    """A model after ``from / of / upon / by`` is a base or a developer, not a compared one."""
    return s.word(item.first - 1) in {"from", "of", "upon", "by", "using", "via"}


# --- FINE_TUNED_FROM --------------------------------------------------------------------------
def _adjacent_before(s: _Sentence, token: int, labels: frozenset[str]) -> list[_Item] | None:
    """The group that ends right before ``token`` (only adjacency words between)."""
    c = cues()
    _, clause = s.clause_of(token)
    groups = s.groups(labels, clause.start, token)
    if not groups:
        return None
    group = groups[-1]
    gap = s.lowers[group[-1].end : token]
    if len(gap) <= 4 and all(word in c.adjacency for word in gap):
        return group
    return None


def _fine_tuned(s: _Sentence) -> list[RelationHit]:
    c = cues()
    hits: list[RelationHit] = []
    size = len(s.lowers)
    token = 0
    while token < size:
        length = s.phrase_at(token, c.finetune_from)
        if length:
            hits += _fine_tuned_from(s, (token, token + length))
            token += length
            continue
        if s.lowers[token] in c.finetune_verbs and s.word(token - 1) not in c.adjective_markers:
            hits += _fine_tuning_of(s, token)
        token += 1
    return hits


def _base_after(s: _Sentence, end: int) -> _Item | None:
    """The first Model within a few tokens after a trigger (``from the pretrained X``)."""
    for token in range(end, min(len(s.lowers), end + 6)):
        item = s.at.get(token)
        if item is not None and item.label == _ORG and _possessive(s, item):
            continue  # "built on Meta's Llama 3.1-8B"
        if item is not None:
            if item.label != _MODEL or _possessive(s, item):
                return None
            if s.text(item).endswith(("'s", "’s")):
                return None
            return item
        if s.lowers[token] not in cues().base_skips:
            return None
    return None


def _result_after(s: _Sentence, end: int) -> _Item | None:
    """The model a fine-tuning results in: ``resulting in the creation of X``."""
    skips = cues().result_skips
    for token in range(end, min(len(s.lowers), end + 5)):
        item = s.at.get(token)
        if item is not None:
            return item if item.label == _MODEL else None
        if s.lowers[token] not in skips:
            return None
    return None


def _apposition_head(s: _Sentence, token: int, labels: frozenset[str] = _MODELS) -> _Item | None:
    """``X, an open-source code language model built on B``: X."""
    c = cues()
    for back in range(token - 1, max(-1, token - 12), -1):
        word = s.lowers[back]
        if word in c.clause_breaks or word in c.subject_pronouns or word in c.non_endpoint_heads:
            return None  # "HetuMoE, a ... training system built on Hetu": no model
        if word in {"a", "an"} and s.word(back - 1) == ",":
            head = s.at.get(back - 2)
            return head if head is not None and head.label in labels else None
        if back in s.at:
            return None
    return None


def _possessive(s: _Sentence, item: _Item) -> bool:
    return s.text(item).endswith(("'s", "’s")) or s.word(item.end) in {"'s", "’s"}


def _fine_tuned_from(s: _Sentence, trigger: tuple[int, int]) -> list[RelationHit]:
    c = cues()
    start, end = trigger
    base = _base_after(s, end)
    if base is None:
        return []
    phrase = tuple(s.lowers[start:end])
    derived: list[_Item | int] = []
    near = _adjacent_before(s, start, _MODELS)
    if near:
        derived = list(near)
    elif phrase not in c.weak_finetune:
        subject = s.subject(start, _MODELS)
        if subject:
            derived = list(subject)
        elif s.self_referent(start):
            derived = [SELF]
    elif _apposition_head(s, start) is not None:
        derived = [_apposition_head(s, start)]  # type: ignore[list-item]
    elif s.word(start - 1) == ",":
        # "X, a ... model tailored for Greek, built on B": the apposition's head
        _, clause = s.clause_of(start)
        models = [g for g in s.groups(_MODELS, clause.start, start)]
        if len(models) == 1:
            derived = list(models[0])
        elif not models and s.self_referent(start):
            derived = [SELF]
    elif any(w in c.self_words for w in s.lowers[max(0, start - 4) : start]) or any(
        s.phrase_at(t, c.self_phrases) for t in range(max(0, start - 4), start)
    ):
        derived = [SELF]
    return [
        s.hit("FINE_TUNED_FROM", d, base, "finetune.from", 0.75, trigger)
        for d in derived
        if isinstance(d, int) or d.ref != base.ref
    ]


def _fine_tuning_of(s: _Sentence, verb: int) -> list[RelationHit]:
    """``by fine-tuning B``, ``we fine-tune B (on D) to obtain A``."""
    c = cues()
    base = _base_after(s, verb + 1)
    if base is None:
        return []
    _, clause = s.clause_of(verb)
    derived: list[_Item | int] = []
    for token in range(base.end, clause.end):
        length = s.phrase_at(token, c.finetune_results)
        if length:
            result = _result_after(s, token + length)
            if result is not None:
                derived = [result]
            break
    if not derived:
        subject = s.subject(verb, _MODELS)
        if subject and s.word(verb - 1) in {"by", "through", "via", "after", "from"}:
            derived = list(subject)
        elif not subject and s.self_referent(verb):
            derived = [SELF]
    bases = next((g for g in s.groups(_MODELS, base.first, len(s.lowers)) if g[0] == base), [base])
    return [
        s.hit("FINE_TUNED_FROM", d, b, "finetune.verb", 0.7, (verb, verb + 1))
        for d in derived
        for b in bases  # "we further pretrain GPT-J and LLaMA"
        if isinstance(d, int) or d.ref != b.ref
    ]


def _tuned_variants(s: _Sentence) -> list[RelationHit]:
    """``a model fine-tuned to follow instructions, X -- Instruct``: X derives from the paper's
    own model (target ``SELF``; the paper stage keeps it only when X's name extends it)."""
    c = cues()
    cue = next(
        (t for t, word in enumerate(s.lowers) if word.startswith(c.finetune_cue_prefixes)), None
    )
    if cue is None:
        return []
    hits = []
    comparisons = [start for start, _ in _outperform_triggers(s)]
    for item in s.items:
        if item.label != _MODEL or any(start < item.first for start in comparisons):
            continue  # "X -- Instruct, that surpasses Y -- Chat": Y is only compared
        last = re.split(r"[\s\-–]+", s.text(item).lower())[-1]
        if last in c.tuning_suffixes and last != "base":
            trigger = (s.char(cue), s.char_end(cue))
            hits.append(
                RelationHit(
                    "FINE_TUNED_FROM",
                    item.ref,
                    SELF,
                    "finetune.variant",
                    0.7,
                    s.start_char,
                    s.end_char,
                    *trigger,
                )
            )
    return hits


def _called_variants(s: _Sentence) -> list[RelationHit]:
    """``... BLOOM and mT5 ... to produce finetuned variants called BLOOMZ and mT0``: pairwise.

    Each naming word (called, named, dubbed) closes a segment of the sentence;
    the models named after it derive from the models in its segment when the
    segment speaks of fine-tuning, continued pretraining or variants.
    """
    c = cues()
    hits: list[RelationHit] = []
    namings = [t for t, word in enumerate(s.lowers) if word in c.naming]
    models = [item for item in s.items if item.label == _MODEL]
    segment_start = 0
    for position, naming in enumerate(namings):
        segment_end = namings[position + 1] if position + 1 < len(namings) else len(s.lowers)
        words = s.lowers[segment_start:naming]
        bases = [m for m in models if segment_start <= m.first < naming]
        derived = [m for m in models if naming < m.first < segment_end]
        derived = derived[: max(1, len(bases))]
        if bases and derived and any(w.startswith(c.derivation_prefixes) for w in words):
            pairs = (
                zip(derived, bases, strict=True)
                if len(bases) == len(derived)
                else ((d, b) for d in derived for b in bases)
            )
            hits += [
                s.hit(
                    "FINE_TUNED_FROM", d, b, "finetune.variants-called", 0.8, (naming, naming + 1)
                )
                for d, b in pairs
            ]
        named_here = [m for m in models if naming < m.first < segment_end][:1]
        segment_start = named_here[-1].end if named_here else naming
    return hits


# --- DEVELOPED_BY ------------------------------------------------------------------------------
def _developers(s: _Sentence) -> list[RelationHit]:
    c = cues()
    hits: list[RelationHit] = []
    for item in s.items:
        if item.label != _ORG:
            continue
        before = s.word(item.first - 1)
        before2 = s.word(item.first - 2)
        # "A developed by O"
        if before == "by" and before2 in c.develop_verbs:
            owner = _adjacent_before(s, item.first - 2, _HOLDERS)
            for source in owner or []:
                hits.append(s.hit("DEVELOPED_BY", source, item, "developer.by", 0.8,
                                  (item.first - 2, item.first)))  # fmt: skip
        # "A from O"
        elif before == "from" or (before == "the" and before2 == "from"):
            at = item.first - (1 if before == "from" else 2)
            previous = s.at.get(at - 1)
            if previous is not None and previous.label in _HOLDERS:
                hits.append(s.hit("DEVELOPED_BY", previous, item, "developer.from", 0.75,
                                  (at, at + 1)))  # fmt: skip
        # "O's A"
        if s.text(item).endswith(("'s", "’s")) or s.word(item.end) in {"'s", "’s"}:
            gap = item.end + (0 if s.text(item).endswith(("'s", "’s")) else 1)
            owned = s.at.get(gap) or s.at.get(gap + 1)
            if owned is not None and owned.label in _HOLDERS:
                hits.append(s.hit("DEVELOPED_BY", owned, item, "developer.possessive", 0.8,
                                  (max(item.first, gap - 1), gap)))  # fmt: skip
        # "O released A"
        verb = item.end
        if s.word(verb) in c.org_verbs:
            for token in range(verb + 1, min(len(s.lowers), verb + 4)):
                owned = s.at.get(token)
                if owned is not None:
                    if owned.label in _HOLDERS:
                        hits.append(s.hit("DEVELOPED_BY", owned, item, "developer.verb", 0.75,
                                          (verb, verb + 1)))  # fmt: skip
                    break
    return hits


# --- COVERS_LANGUAGE ---------------------------------------------------------------------------
def _covers(s: _Sentence) -> list[RelationHit]:
    hits: list[RelationHit] = []
    for item in s.items:
        if item.label != _LANGUAGE:
            continue
        token_text = s.info.lowers[s.start + item.first]
        if token_text.startswith("non") and not s.text(item).lower().startswith("non"):
            continue  # "non-English"
        if s.word(item.first - 1) in {"-", "non-"} and s.word(item.first - 2) in {"non", ""}:
            continue
        cue = _cover_cue(s, item)
        if cue is None:
            continue
        for source in _holder(s, item, cue):
            hits.append(s.hit("COVERS_LANGUAGE", source, item, f"language.{cue[1]}", 0.7, cue[0]))
    return hits


def _cover_cue(s: _Sentence, item: _Item) -> tuple[tuple[int, int], str] | None:
    """``in / for / covering (English and) L`` before (``verb``), ``L language model`` after
    (``head``), or ``L-centric`` (``suffix``): the cue's span and kind."""
    c = cues()
    token = item.first - 1
    steps = 0
    while token >= 0 and steps < 6:
        word = s.lowers[token]
        if word in c.cover_verbs:
            return (token, token + 1), "verb"
        at = s.at.get(token)
        if at is not None and at.label != _LANGUAGE:
            break
        if at is None and word not in c.cover_gaps and not _is_number(word):
            break
        token -= 1
        if at is None:
            steps += 1  # a long list of languages is one step
    own_token = s.info.lowers[s.start + item.end - 1]
    if own_token.endswith(c.language_suffixes):
        return (item.first, item.end), "suffix"
    token = item.end
    skipped = 0
    while token < len(s.lowers) and token < item.end + 8:
        at = s.at.get(token)
        word = s.lowers[token]
        if word in c.language_heads:
            return (token, token + 1), "head"
        if at is not None and at.label == _LANGUAGE:
            token = at.end
        elif at is None and word in c.cover_gaps:
            token += 1
        elif skipped < 2 and word[:1].isalpha() and word not in c.object_verbs:
            token += 1  # "a Japanese NLI/STS dataset", "English and machine-translated prompts"
            skipped += 1
        else:
            break
    return None


def _holder(s: _Sentence, item: _Item, cue: tuple[tuple[int, int], str]) -> list[_Item | int]:
    """The model or dataset that covers the language.

    After a verb cue (``X ... in L``): the clause's subject, else SELF. For an
    adjective (``a Greek model``, ``English-centric``): only the name it
    describes (``X, a Greek model``, ``the Greek model X``), or SELF when the
    clause speaks of the paper's own work.
    """
    trigger, kind = cue
    data_head = kind == "head" and s.word(trigger[0]) in cues().data_heads
    if data_head:
        kind = "verb"  # "trained on Greek data": the data's language is the model's
    start = min(trigger[0], item.first)
    _, clause = s.clause_of(item.first)
    near = _adjacent_before(s, start, _HOLDERS)
    if near and (kind != "verb" or not s.is_object(near[0], clause.start)):
        return [i for i in near if i.ref not in s.tools]
    if kind != "verb":
        after = trigger[1] + (1 if s.word(trigger[1]) == "(" else 0)
        following = s.at.get(after)
        if following is not None and following.label in _HOLDERS and following.first == after:
            return [following]
        c = cues()
        words = s.lowers[max(clause.start, start - 4) : start]
        if kind == "head" and any(w in c.self_words for w in words):
            return [SELF]
        head = _apposition_head(s, start, _HOLDERS)
        return [head] if head is not None else []
    subject = s.subject(start, _HOLDERS)
    if subject:
        return [i for i in subject if i.ref not in s.tools]
    if data_head:
        datasets = s.groups(_DATASETS, clause.start, start)
        if len(datasets) == 1 and not s.groups(_MODELS, clause.start, start):
            return list(datasets[0])  # "xP3, a composite of datasets with English prompts"
    if s.self_referent(start):
        return [SELF]
    return []


def _dedupe(hits: list[RelationHit]) -> list[RelationHit]:
    seen: dict[tuple[str, int, int], RelationHit] = {}
    for hit in hits:
        seen.setdefault((hit.type, hit.source, hit.target), hit)
    return list(seen.values())

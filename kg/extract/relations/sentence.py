"""What every relation rule reads of one sentence: its words, typed mentions, clauses and
coordinated groups, the subject of a clause and whether it speaks of the paper's own work
(``SELF``)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from kg.extract.candidates import Mention, TokenInfo
from kg.extract.relations.cues import Cues, Phrases, cues

SELF = -1
#: The paper's own dataset (``these datasets have been used to train X``); the paper stage binds it.
OWN_DATA = -2


MODEL = "Model"


DATASET = "Dataset"


ORG = "Organization"


LANGUAGE = "Language"


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


class Item(NamedTuple):
    """A mention of the sentence: its index in ``doc._.kg_mentions`` and token span."""

    ref: int
    label: str
    first: int  # first token, sentence-relative
    end: int  # one past the last token


@dataclass
class Clause:
    start: int
    end: int
    parent: int | None  # a clause whose subject this one inherits (enumerations)


class Sentence:
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
        self.at: dict[int, Item] = {}
        self.items = [item for item in (self._item(i) for i in inside) if item is not None]
        for item in self.items:
            for token in range(item.first, item.end):
                self.at[token] = item
        self.clauses = self._clauses()
        self.tools = {item.ref for item in self.items if self._is_tool(item)}

    # tokens and characters
    def _item(self, index: int) -> Item | None:
        mention = self.mentions[index]
        first = bisect.bisect_right(self.info.idx, mention.start) - 1
        last = bisect.bisect_right(self.info.idx, max(mention.start, mention.end - 1)) - 1
        first, last = max(first, self.start), min(last, self.end - 1)
        if last < first:
            return None
        item = Item(index, mention.label, first - self.start, last + 1 - self.start)
        return None if self._not_an_endpoint(item) else item

    def char(self, token: int) -> int:
        return self.info.idx[self.start + token]

    def char_end(self, token: int) -> int:
        index = self.start + token
        return self.info.idx[index] + len(self.info.texts[index])

    def word(self, token: int) -> str:
        return self.lowers[token] if 0 <= token < len(self.lowers) else ""

    def text(self, item: Item) -> str:
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
    def _not_an_endpoint(self, item: Item) -> bool:
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

    def _is_tool(self, item: Item) -> bool:
        """A model used as a tool: ``GPT-4 as a judge``, ``judged by GPT-4``, ``X-generated``."""
        c = cues()
        if item.label != MODEL:
            return False
        text = self.text(item).lower()
        word_after = self.word(item.end)
        if text.endswith(c.tool_suffixes) or word_after.startswith(c.tool_suffixes):
            return True
        window = [*self.lowers[max(0, item.first - 3) : item.first],
                  *self.lowers[item.end : item.end + 4]]  # fmt: skip
        return any(word in c.tool_words for word in window)

    # clauses
    def _clauses(self) -> list[Clause]:
        """Clauses, cut at breaks, enumerators (``1)``) and long parentheticals.

        An enumerated clause inherits the subject of the clause before the
        first enumerator; a parenthetical and the text after it inherit the one
        before the parenthesis.
        """
        c = cues()
        size = len(self.lowers)
        result: list[Clause] = []
        start, parent = 0, None
        head: int | None = None
        paren: int | None = None
        in_paren = False
        token = 0

        def close(end: int) -> None:
            if end > start:
                result.append(Clause(start, end, parent))

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
        return result or [Clause(0, size, None)]

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

    def clause_of(self, token: int) -> tuple[int, Clause]:
        for position, clause in enumerate(self.clauses):
            if clause.start <= token < clause.end:
                return position, clause
        return len(self.clauses) - 1, self.clauses[-1]

    # groups
    def groups(self, labels: frozenset[str], start: int, end: int) -> list[list[Item]]:
        """Coordinated groups (``A, B and C``) of mentions with ``labels`` inside ``start:end``."""
        c = cues()
        found: list[list[Item]] = []
        for item in self.items:
            if item.label not in labels or item.first < start or item.end > end:
                continue
            if found and self._joined(found[-1][-1], item, c):
                found[-1].append(item)
            else:
                found.append([item])
        return found

    def _joined(self, left: Item, right: Item, c: Cues) -> bool:
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
            elif word not in c.list_gaps and not is_number(word):
                return False
        return depth == 0

    def governed(self, item: Item, floor: int) -> bool:
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

    def is_object(self, item: Item, floor: int) -> bool:
        """Governed by a preposition, or after a verb of its clause (``outperforms X``)."""
        if self.governed(item, floor):
            return True
        verbs = cues().object_verbs
        words = list(self.lowers[floor : item.first])
        if "," in words:  # a fronted phrase ends at its comma: "Across all evaluated tasks, X"
            words = words[len(words) - words[::-1].index(",") :]
        return any(word in verbs for word in words)

    def subject(self, token: int, labels: frozenset[str]) -> list[Item] | None:
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
                rest = self._after_fronted(group, clause.start)
                if rest:
                    return rest
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

    def _after_fronted(self, group: list[Item], floor: int) -> list[Item] | None:
        """``From B, A models ...``, ``Compared with B, C and D, A ...``: a comma ends a fronted
        prepositional phrase that the list joining put in one group with the subject."""
        if not self.governed(group[0], floor) or group[0].first - floor > 4:
            return None
        listed = False
        for position in range(1, len(group)):
            gap = self.lowers[group[position - 1].end : group[position].first]
            if tuple(gap) == (",",) and (listed or len(group) == 2):
                return group[position:]
            listed = listed or any(word in {"and", "or"} for word in gap)
        return None

    def after_comma(self, after: int) -> list[Item] | None:
        """``Built on B and scaled up, A is ...``: the Model group right after the first comma
        of the clause after ``after``, when no other mention comes first."""
        _, clause = self.clause_of(after)
        for token in range(after, clause.end):
            if token in self.at:
                return None
            if self.lowers[token] == ",":
                groups = self.groups(MODELS, token + 1, clause.end)
                if groups and groups[0][0].first <= token + 3:
                    return groups[0]
                return None
        return None

    def _antecedent(self, token: int, labels: frozenset[str], floor: int) -> list[Item] | None:
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
        source: Item | int,
        target: Item | int,
        rule: str,
        score: float,
        trigger: tuple[int, int],
    ) -> RelationHit:
        source_index = source if isinstance(source, int) else source.ref
        return RelationHit(
            rel_type,
            source_index,
            target if isinstance(target, int) else target.ref,
            rule,
            score,
            self.start_char,
            self.end_char,
            self.char(trigger[0]),
            self.char_end(trigger[1] - 1),
        )


def is_number(word: str) -> bool:
    return (
        bool(word) and (word[0].isdigit() or word[0] in ".-+") and any(ch.isdigit() for ch in word)
    )


_MODIFIERS = frozenset({"the", "a", "an", "their", "open", "strong", "larger", "smaller"})


MODELS = frozenset({MODEL})


DATASETS = frozenset({DATASET})


HOLDERS = frozenset({MODEL, DATASET})


def walk_back(
    s: Sentence, first: int, limit: int = 8, skips: frozenset[str] = frozenset()
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
            word in c.determiners or word in skips or is_number(word) or word in {",", "-", "–"}
        ):
            break
        token -= 1
    return walked


def adjacent_before(s: Sentence, token: int, labels: frozenset[str]) -> list[Item] | None:
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


def apposition_head(s: Sentence, token: int, labels: frozenset[str] = MODELS) -> Item | None:
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


def possessive(s: Sentence, item: Item) -> bool:
    return s.text(item).endswith(("'s", "’s")) or s.word(item.end) in {"'s", "’s"}

"""DEVELOPED_BY: ``A developed by O``, ``O's A``, ``A from O``, ``O released A``,
``the O A model``, ``A: ... models by O``, ``efforts by O to build A``.

The organization must be stated next to the name it made: as the agent of a
development verb, as an owner (``O's A``, ``A, O's first reasoning model``), as a
prefix (``the OpenAI code-cushman-001 model``), or as the subject of ``introduces``
/ ``releases`` even across an apposition (``The BigCode community, an open
collaboration ..., introduces StarCoder and StarCoderBase``).
"""

from __future__ import annotations

from kg.extract.relations.cues import cues
from kg.extract.relations.sentence import (
    HOLDERS,
    ORG,
    Item,
    RelationHit,
    Sentence,
    adjacent_before,
    possessive,
)

ORGS = frozenset({ORG})
_ARTICLES = frozenset({"the", "a", "an", "our", "its", "their", "new"})


def developers(s: Sentence) -> list[RelationHit]:
    c = cues()
    hits: list[RelationHit] = []
    for item in s.items:
        if item.label != ORG:
            continue
        before = s.word(item.first - 1)
        before2 = s.word(item.first - 2)
        # "A developed by O"
        if before == "by" and before2 in c.develop_verbs:
            owner = adjacent_before(s, item.first - 2, HOLDERS)
            for source in owner or []:
                hits.append(s.hit("DEVELOPED_BY", source, item, "developer.by", 0.8,
                                  (item.first - 2, item.first)))  # fmt: skip
        elif before == "by":
            hits += _made_by(s, item)
        # "A from O"
        elif before == "from" or (before == "the" and before2 == "from"):
            at = item.first - (1 if before == "from" else 2)
            previous = s.at.get(at - 1)
            if previous is not None and previous.label in HOLDERS:
                hits.append(s.hit("DEVELOPED_BY", previous, item, "developer.from", 0.75,
                                  (at, at + 1)))  # fmt: skip
        # "O's A"
        if possessive(s, item):
            hits += _owned(s, item)
        elif (named := _prefixed(s, item)) is not None:
            hits.append(s.hit("DEVELOPED_BY", named, item, "developer.prefix", 0.6,
                              (item.first, item.end)))  # fmt: skip
    for group in s.groups(ORGS, 0, len(s.lowers)):
        hits += _introduced_by(s, group)
    return hits


def _prefixed(s: Sentence, item: Item) -> Item | None:
    """``the OpenAI code-cushman-001 model``, ``the ServiceNow Apriel SLM series``: the name
    right after the organization, in a phrase with an article and a head noun. Without them
    the organization may be part of the name (``OpenAI Whisper``, ``NVIDIA Nemotron Nano 2``:
    uncertain by the annotation conventions), and ``the Cerebras CS-2 demonstrated`` names
    hardware, not a model."""
    named = s.at.get(item.end)
    if named is None or named.label not in HOLDERS or named.first != item.end:
        return None
    if s.word(item.first - 1) not in _ARTICLES:
        return None
    heads = cues().developer_heads
    return named if any(w in heads for w in s.lowers[named.end : named.end + 2]) else None


def _owned(s: Sentence, item: Item) -> list[RelationHit]:
    """``O's A``; ``A, O's first reasoning model``: the apposition's name."""
    c = cues()
    gap = item.end + (0 if s.text(item).endswith(("'s", "’s")) else 1)
    trigger = (max(item.first, gap - 1), gap)
    owned = s.at.get(gap) or s.at.get(gap + 1)
    if owned is not None:
        if owned.label not in HOLDERS:
            return []
        return [s.hit("DEVELOPED_BY", owned, item, "developer.possessive", 0.8, trigger)]
    if s.word(item.first - 1) != ",":
        return []
    named = s.at.get(item.first - 2)
    if named is None or named.label not in HOLDERS:
        return []
    for token in range(gap, min(len(s.lowers), gap + 5)):
        if token in s.at:
            return []
        if s.lowers[token] in c.developer_heads:
            return [s.hit("DEVELOPED_BY", named, item, "developer.possessive", 0.75, trigger)]
    return []


def _made_by(s: Sentence, item: Item) -> list[RelationHit]:
    """``A: Open Foundation Models by O``, ``X, a dataset by O``; ``efforts by O to build A``."""
    c = cues()
    by = item.first - 1
    hits: list[RelationHit] = []
    if s.word(by - 1) in c.developer_heads:
        named = _described(s, by - 1)
        if named is not None:
            hits.append(s.hit("DEVELOPED_BY", named, item, "developer.heads-by", 0.7, (by, by + 1)))
    verb = item.end + 1
    if s.word(item.end) == "to" and s.word(verb) in c.create_verbs:
        made = _object_after(s, verb + 1)
        hits += [
            s.hit("DEVELOPED_BY", target, item, "developer.by-to", 0.7, (by, verb + 1))
            for target in made
        ]
    return hits


def _described(s: Sentence, head: int) -> Item | None:
    """The name a head noun describes: ``the Llama models``, ``Yi: Open Foundation Models``,
    ``X, a new dataset``."""
    c = cues()
    for back in range(head - 1, max(-1, head - 6), -1):
        named = s.at.get(back)
        if named is not None:
            return named if named.label in HOLDERS else None
        word = s.lowers[back]
        if word == ":":  # a title "A: Open Foundation Models by O"
            colon = s.at.get(back - 1)
            return colon if colon is not None and colon.label in HOLDERS else None
        if word in {"a", "an"} and s.word(back - 1) == ",":
            named = s.at.get(back - 2)
            return named if named is not None and named.label in HOLDERS else None
        text = s.info.texts[s.start + back]
        if not (text[:1].isupper() or word in c.developer_modifiers):
            return None
    return None


def _object_after(s: Sentence, token: int) -> list[Item]:
    """The first name within three tokens after a verb, with its coordinated group
    (``introduces StarCoder and StarCoderBase``); nothing if that name is no model or dataset."""
    for first in range(token, min(len(s.lowers), token + 3)):
        named = s.at.get(first)
        if named is None:
            continue
        if named.label not in HOLDERS:
            return []
        for group in s.groups(HOLDERS, named.first, len(s.lowers)):
            return group
    return []


def _introduced_by(s: Sentence, group: list[Item]) -> list[RelationHit]:
    """``O released A``; ``The O community, an open collaboration ..., introduces A and B``."""
    c = cues()
    verb = group[-1].end
    while s.word(verb) in c.org_heads:
        verb += 1  # "The BigCode community"
    if s.word(verb) == ",":
        _, clause = s.clause_of(group[0].first)
        if any(w not in _ARTICLES for w in s.lowers[clause.start : group[0].first]):
            return []  # only the clause's subject reaches across its apposition
        end = _apposition_end(s, verb)
        if end is None:
            return []
        verb = end
    while s.word(verb) in c.adverbs:
        verb += 1
    if s.word(verb) not in c.org_verbs:
        return []
    made = _object_after(s, verb + 1)
    return [
        s.hit("DEVELOPED_BY", target, org, "developer.verb", 0.75, (verb, verb + 1))
        for target in made
        for org in group
    ]


def _apposition_end(s: Sentence, comma: int) -> int | None:
    """The token after the comma that closes an apposition opened at ``comma``."""
    c = cues()
    if s.word(comma + 1) not in {"a", "an", "the"}:
        return None
    for token in range(comma + 2, min(len(s.lowers), comma + 30)):
        word = s.lowers[token]
        if word in c.clause_breaks or word in c.subject_pronouns:
            return None
        item = s.at.get(token)
        if item is not None and item.label in HOLDERS | ORGS:
            return None
        if word == ",":
            return token + 1
    return None

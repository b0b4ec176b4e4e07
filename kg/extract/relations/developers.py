"""DEVELOPED_BY: ``A developed by O``, ``O's A``, ``A from O``, ``O released A``."""

from __future__ import annotations

from kg.extract.relations.cues import cues
from kg.extract.relations.sentence import (
    HOLDERS,
    ORG,
    RelationHit,
    Sentence,
    adjacent_before,
)


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
        # "A from O"
        elif before == "from" or (before == "the" and before2 == "from"):
            at = item.first - (1 if before == "from" else 2)
            previous = s.at.get(at - 1)
            if previous is not None and previous.label in HOLDERS:
                hits.append(s.hit("DEVELOPED_BY", previous, item, "developer.from", 0.75,
                                  (at, at + 1)))  # fmt: skip
        # "O's A"
        if s.text(item).endswith(("'s", "’s")) or s.word(item.end) in {"'s", "’s"}:
            gap = item.end + (0 if s.text(item).endswith(("'s", "’s")) else 1)
            owned = s.at.get(gap) or s.at.get(gap + 1)
            if owned is not None and owned.label in HOLDERS:
                hits.append(s.hit("DEVELOPED_BY", owned, item, "developer.possessive", 0.8,
                                  (max(item.first, gap - 1), gap)))  # fmt: skip
        # "O released A"
        verb = item.end
        if s.word(verb) in c.org_verbs:
            for token in range(verb + 1, min(len(s.lowers), verb + 4)):
                owned = s.at.get(token)
                if owned is not None:
                    if owned.label in HOLDERS:
                        hits.append(s.hit("DEVELOPED_BY", owned, item, "developer.verb", 0.75,
                                          (verb, verb + 1)))  # fmt: skip
                    break
    return hits

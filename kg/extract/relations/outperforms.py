"""OUTPERFORMS: ``A (and B) outperform(s) C (and D)``; negated or hedged comparisons give
nothing, ``C is outperformed by A`` is turned round."""

from __future__ import annotations

from kg.extract.relations.cues import cues
from kg.extract.relations.sentence import (
    DATASET,
    MODELS,
    ORG,
    SELF,
    Item,
    RelationHit,
    Sentence,
    possessive,
)


def outperform_triggers(s: Sentence) -> list[tuple[int, int]]:
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


def _hedged(s: Sentence, trigger: tuple[int, int]) -> bool:
    """``does not outperform``, ``rivals or outperforms``, ``outperforms or matches``."""
    c = cues()
    start, end = trigger
    before = s.lowers[max(0, start - 4) : start]
    if any(word in c.negations for word in before):
        return True
    strengthened = s.word(start - 1) == "even" and s.word(start - 2) == "and"
    if (
        any(word in c.hedges for word in before)
        and any(w in {"or", "and", "/"} for w in before)
        and not strengthened  # "matches and even surpasses": a claim, not a hedge
    ):
        return True
    after = s.lowers[end : end + 3]
    return bool(after) and after[0] in {"or", "/"} and any(w in c.hedges for w in after)


def _objects(s: Sentence, after: int, labels: frozenset[str], window: int = 8) -> list[Item]:
    """The groups right after a trigger: the first within ``window`` tokens, then ``and`` more."""
    c = cues()
    _, clause = s.clause_of(max(0, after - 1))
    found: list[Item] = []
    for group in s.groups(labels, after, clause.end):
        gap = s.lowers[(found[-1].end if found else after) : group[0].first]
        if not found:
            # "outperform open models of equivalent sizes, such as A, B and C": the examples
            limit = window + 6 if _examples_end(s, group[0].first) else window
            if len(gap) > limit or _crosses(s, after, group[0].first):
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


def _examples_end(s: Sentence, first: int) -> bool:
    """Whether ``such as`` / ``including`` / ``like`` / ``e.g.`` ends right before ``first``."""
    return s.word(first - 1) in cues().example_words or (
        s.word(first - 1) == "as" and s.word(first - 2) == "such"
    )


def _crosses(s: Sentence, start: int, end: int, continuation: bool = False) -> bool:
    """Whether tokens ``start:end`` hold another mention or a verb of another relation.

    The preposition right after a trigger is its own (``outperformance over X``).
    """
    c = cues()
    for token in range(start, end):
        word = s.lowers[token]
        if token == start and not continuation and word in c.comparison_preps:
            continue
        mention = s.at.get(token)
        if mention is not None and mention.label in {DATASET, ORG} and not possessive(s, mention):
            return True  # (an owner is no stop: "set by OpenAI's GPT-3.5")
        if not continuation and word in c.eval_intro and word not in {"in", "like", "including"}:
            return True
        if word.startswith(c.outperform_prefixes) or word in c.subject_pronouns:
            return True
    return False


def outperforms(s: Sentence) -> list[RelationHit]:
    hits: list[RelationHit] = []
    for trigger in outperform_triggers(s):
        if _hedged(s, trigger):
            continue
        start, end = trigger
        targets = [t for t in _objects(s, end, MODELS) if t.ref not in s.tools]
        passive = s.word(start - 1) in cues().passive_words and s.word(end) == "by"
        if passive:
            sources_after = [t for t in _objects(s, end + 1, MODELS) if t.ref not in s.tools]
            subject = s.subject(start, MODELS)
            hits += [
                s.hit("OUTPERFORMS", winner, loser, "outperforms.passive", 0.8, trigger)
                for winner in sources_after
                for loser in subject or []
                if winner.ref != loser.ref
            ]
            continue
        if not targets:
            continue
        subject = s.subject(start, MODELS)
        sources: list[Item | int]
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


def objects_after(s: Sentence, after: int) -> list[Item]:
    """The compared models right after a comparison trigger (``surpassing Y and Z``)."""
    return _objects(s, after, MODELS)

"""COVERS_LANGUAGE: ``A ... in / for / covering L``, ``a L language model``, ``L-centric``."""

from __future__ import annotations

from kg.extract.relations.cues import cues
from kg.extract.relations.sentence import (
    DATASETS,
    HOLDERS,
    LANGUAGE,
    MODELS,
    SELF,
    Item,
    RelationHit,
    Sentence,
    adjacent_before,
    apposition_head,
    is_number,
)


def covers(s: Sentence) -> list[RelationHit]:
    hits: list[RelationHit] = []
    for item in s.items:
        if item.label != LANGUAGE:
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


def _cover_cue(s: Sentence, item: Item) -> tuple[tuple[int, int], str] | None:
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
        if at is not None and at.label != LANGUAGE:
            break
        if at is None and word not in c.cover_gaps and not is_number(word):
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
        if at is not None and at.label == LANGUAGE:
            token = at.end
        elif at is None and word in c.cover_gaps:
            token += 1
        elif skipped < 2 and word[:1].isalpha() and word not in c.object_verbs:
            token += 1  # "a Japanese NLI/STS dataset", "English and machine-translated prompts"
            skipped += 1
        else:
            break
    return None


def _holder(s: Sentence, item: Item, cue: tuple[tuple[int, int], str]) -> list[Item | int]:
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
    near = adjacent_before(s, start, HOLDERS)
    if near and (kind != "verb" or not s.is_object(near[0], clause.start)):
        return [i for i in near if i.ref not in s.tools]
    if kind != "verb":
        after = trigger[1] + (1 if s.word(trigger[1]) == "(" else 0)
        following = s.at.get(after)
        if following is not None and following.label in HOLDERS and following.first == after:
            return [following]
        c = cues()
        words = s.lowers[max(clause.start, start - 4) : start]
        if kind == "head" and any(w in c.self_words for w in words):
            return [SELF]
        head = apposition_head(s, start, HOLDERS)
        return [head] if head is not None else []
    subject = s.subject(start, HOLDERS)
    if subject:
        return [i for i in subject if i.ref not in s.tools]
    if data_head:
        datasets = s.groups(DATASETS, clause.start, start)
        if len(datasets) == 1 and not s.groups(MODELS, clause.start, start):
            return list(datasets[0])  # "xP3, a composite of datasets with English prompts"
    if s.self_referent(start):
        return [SELF]
    return []

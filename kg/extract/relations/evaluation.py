"""EVALUATED_ON: ``A ... on / across / such as D1, D2 and D3`` with an evaluation cue in the
clause; the compared models of the clause count too (``A outperforms B on D``: A and B)."""

from __future__ import annotations

from dataclasses import replace

from kg.extract.relations.cues import cues
from kg.extract.relations.outperforms import objects_after, outperform_triggers
from kg.extract.relations.sentence import (
    DATASET,
    MODEL,
    MODELS,
    SELF,
    Item,
    RelationHit,
    Sentence,
    is_number,
    walk_back,
)


def _eval_walk(s: Sentence, first: int) -> list[int]:
    """``walk_back``, then on over up to three plain lower-case words
    (``on the well-studied exam benchmark MMLU``)."""
    c = cues()
    walked = walk_back(s, first)
    extra = 0
    while walked and extra < 3:
        token = walked[-1]
        word = s.lowers[token]
        plain = word.isalpha() or "-" in word
        if not plain or word in c.eval_intro or word in c.eval_walk_stops or token in s.at:
            break
        if s.info.texts[s.start + token] != word or token - 1 < 0:
            break
        walked.extend(walk_back(s, token))
        extra += 1
    return walked


def eval_intro(s: Sentence, first: int) -> tuple[int, int] | None:
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


def evaluated_on(s: Sentence, group: list[Item], trigger: tuple[int, int]) -> list[RelationHit]:
    start = trigger[0]
    _, clause = s.clause_of(start)
    sources: list[Item | int] = []
    subject = s.subject(start, MODELS)
    if subject:
        sources += subject
        compared = [
            item
            for g in s.groups(MODELS, subject[-1].end, start)
            for item in g
            if item.first >= clause.start and not _base_like(s, item)
        ]
        sources += compared
    else:
        after = [g for g in s.groups(MODELS, group[-1].end, clause.end)]
        if after and after[0][0].first - group[-1].end <= 3:
            sources += after[0]
        elif s.self_referent(start):
            objects = [
                item
                for g in s.groups(MODELS, clause.start, start)
                for item in g
                if not _base_like(s, item)
            ]
            # "we evaluate X on D" is about X; "we compare our model with X on D" about both
            if not objects or _names_own_work(s, clause.start, start):
                sources.append(SELF)
            sources += objects
    if sources:
        sources += _beaten_after(s, group, clause.end)
    rule = "eval.score" if any(is_number(w) or w.endswith("%") for w in
                               s.lowers[max(0, start - 3) : start]) else "eval.on"  # fmt: skip
    return [
        s.hit("EVALUATED_ON", source, target, rule, 0.7, trigger)
        for source in sources
        if isinstance(source, int) or source.ref not in s.tools
        for target in group
    ]


def _names_own_work(s: Sentence, start: int, end: int) -> bool:
    """Whether ``start:end`` names the paper's own model (``our model``, ``it``), not only
    ``we``."""
    c = cues()
    words = s.lowers[start:end]
    if any(word in c.self_words and word != "we" for word in words):
        return True
    return any(s.phrase_at(start + i, c.self_phrases) for i in range(len(words)))


def _beaten_after(s: Sentence, group: list[Item], end: int) -> list[Item]:
    """``X achieves 60.1 on D, surpassing Y (55.0)``: Y, compared on D."""
    after = group[-1].end
    for trigger_start, trigger_end in outperform_triggers(s):
        gap = s.lowers[after:trigger_start]
        if (
            after <= trigger_start <= after + 2
            and trigger_start < end
            and all(word in {",", "thus", "thereby", "clearly"} for word in gap)
        ):
            return [item for item in objects_after(s, trigger_end) if item.ref not in s.tools]
    return []


def _base_like(s: Sentence, item: Item) -> bool:
    """A model after ``from / of / upon / by`` is a base or a developer, not a compared one."""
    return s.word(item.first - 1) in {"from", "of", "upon", "by", "using", "via"}


def listed_within(
    s: Sentence, group: list[Item], previous: list[Item] | None, hits: list[RelationHit]
) -> list[RelationHit]:
    """``on every X dataset (A, B, C)``: the parenthesised members of an evaluated dataset
    are evaluated by the same models, under the same trigger."""
    if previous is None or s.word(group[0].first - 1) != "(":
        return []
    gap = s.lowers[previous[-1].end : group[0].first - 1]
    if len(gap) > 4 or any(not word.replace("-", "").isalnum() for word in gap):
        return []  # only a head or two between: "MultiMedQA multiple-choice dataset ("
    refs = {item.ref for item in previous}
    return [
        replace(hit, target=item.ref)
        for hit in hits
        if hit.type == "EVALUATED_ON" and hit.target in refs
        for item in group
    ]


def used_to_evaluate(s: Sentence, group: list[Item]) -> list[RelationHit]:
    """``we use D to evaluate (state-of-the-art LLMs, including) A, B and C``."""
    c = cues()
    verb = group[-1].end + 1
    if s.word(verb - 1) != "to" or not s.word(verb).startswith(c.use_to_evaluate):
        return []
    before = s.lowers[max(0, group[0].first - 3) : group[0].first]
    if not any(word.startswith(("use", "using", "employ", "adopt", "leverag")) for word in before):
        return []
    _, clause = s.clause_of(verb)
    models = s.groups(MODELS, verb + 1, clause.end)
    if not models:
        return []
    first = models[0]
    gap = s.lowers[verb + 1 : first[0].first]
    examples = s.word(first[0].first - 1) in c.example_words or (
        s.word(first[0].first - 1) == "as" and s.word(first[0].first - 2) == "such"
    )
    if len(gap) > (8 if examples else 3) or any(g in c.clause_breaks for g in gap):
        return []
    return [
        s.hit("EVALUATED_ON", model, target, "eval.use-to-evaluate", 0.7, (verb, verb + 1))
        for model in first
        if model.ref not in s.tools
        for target in group
    ]


def score_on(s: Sentence, group: list[Item]) -> list[RelationHit]:
    """``X achieves an AIME score of 15.5``, ``improves MMLU accuracy from 50 to 60``,
    ``X obtains 60.1 (MMLU) and 52.2 (GSM8K)``, ``X achieves 60.1 MMLU``."""
    c = cues()
    verb: int | None = None
    if s.word(group[-1].end) in c.score_heads:
        walked = walk_back(s, group[0].first, limit=4)
        verb = next(
            (t for t in walked if s.lowers[t].startswith(c.score_verbs + c.gain_verbs)), None
        )
    elif _after_score(s, group[0].first):
        verb = _score_verb_before(s, group[0].first)
    if verb is None:
        return []
    subject = s.subject(verb, MODELS)
    sources: list[Item | int] = (
        list(subject) if subject else ([SELF] if s.self_referent(verb) else [])
    )
    return [
        s.hit("EVALUATED_ON", source, target, "eval.score", 0.7, (verb, verb + 1))
        for source in sources
        if isinstance(source, int) or source.ref not in s.tools
        for target in group
    ]


def _after_score(s: Sentence, first: int) -> bool:
    """``60.1 MMLU`` or ``60.1 (MMLU)``: a score right before the benchmark."""
    before = s.word(first - 1)
    if before == "(":
        before = s.word(first - 2)
    return is_number(before) or (before.endswith("%") and is_number(before[:-1]))


def _score_verb_before(s: Sentence, first: int) -> int | None:
    """The scoring verb of the clause, over scores and other benchmarks but no model."""
    c = cues()
    _, clause = s.clause_of(first)
    for token in range(first - 1, max(clause.start - 1, first - 17), -1):
        item = s.at.get(token)
        if item is not None and item.label != DATASET:
            return None
        if item is None and s.lowers[token].startswith(c.score_verbs):
            return token
    return None


def scores_of_others(s: Sentence, group: list[Item], hits: list[RelationHit]) -> list[RelationHit]:
    """``X achieves an AIME score of 15.5, compared to 0.6 for Y and 0.3 for Z``: Y and Z
    scored on the same benchmarks."""
    if not hits:
        return []
    _, clause = s.clause_of(group[-1].end - 1)
    trigger = hits[0]
    found = []
    for item in s.items:
        if item.label != MODEL or item.first < group[-1].end or item.end > clause.end:
            continue
        number = s.word(item.first - 2)
        if s.word(item.first - 1) == "for" and (is_number(number) or number.endswith("%")):
            found += [
                replace(trigger, source=item.ref, target=target.ref, rule="eval.score-for")
                for target in group
                if item.ref not in s.tools
            ]
    return found

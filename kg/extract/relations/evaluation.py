"""EVALUATED_ON: ``A ... on / across / such as D1, D2 and D3`` with an evaluation cue in the
clause; the compared models of the clause count too (``A outperforms B on D``: A and B)."""

from __future__ import annotations

from kg.extract.relations.cues import cues
from kg.extract.relations.sentence import (
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
            sources.append(SELF)
            sources += [
                item
                for g in s.groups(MODELS, clause.start, start)
                for item in g
                if not _base_like(s, item)
            ]
    rule = "eval.score" if any(is_number(w) or w.endswith("%") for w in
                               s.lowers[max(0, start - 3) : start]) else "eval.on"  # fmt: skip
    return [
        s.hit("EVALUATED_ON", source, target, rule, 0.7, trigger)
        for source in sources
        if isinstance(source, int) or source.ref not in s.tools
        for target in group
    ]


def _base_like(s: Sentence, item: Item) -> bool:
    """A model after ``from / of / upon / by`` is a base or a developer, not a compared one."""
    return s.word(item.first - 1) in {"from", "of", "upon", "by", "using", "via"}

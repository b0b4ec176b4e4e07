"""FINE_TUNED_FROM: ``A, fine-tuned from / initialized from / based on B``, ``by fine-tuning
B``, ``we fine-tune B to obtain A``, ``B ... variants called A``, ``X -- Instruct`` of the
paper's own model."""

from __future__ import annotations

import re

from kg.extract.relations.cues import cues
from kg.extract.relations.outperforms import outperform_triggers
from kg.extract.relations.sentence import (
    MODEL,
    MODELS,
    ORG,
    SELF,
    Item,
    RelationHit,
    Sentence,
    adjacent_before,
    apposition_head,
    possessive,
)


def fine_tuned(s: Sentence) -> list[RelationHit]:
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


def _base_after(s: Sentence, end: int) -> Item | None:
    """The first Model within a few tokens after a trigger (``from the pretrained X``)."""
    for token in range(end, min(len(s.lowers), end + 6)):
        item = s.at.get(token)
        if item is not None and item.label == ORG and possessive(s, item):
            continue  # "built on Meta's Llama 3.1-8B"
        if item is not None:
            if item.label != MODEL or possessive(s, item):
                return None
            if s.text(item).endswith(("'s", "’s")):
                return None
            return item
        if s.lowers[token] not in cues().base_skips:
            return None
    return None


def _result_after(s: Sentence, end: int) -> Item | None:
    """The model a fine-tuning results in: ``resulting in the creation of X``."""
    skips = cues().result_skips
    for token in range(end, min(len(s.lowers), end + 5)):
        item = s.at.get(token)
        if item is not None:
            return item if item.label == MODEL else None
        if s.lowers[token] not in skips:
            return None
    return None


def _fine_tuned_from(s: Sentence, trigger: tuple[int, int]) -> list[RelationHit]:
    c = cues()
    start, end = trigger
    base = _base_after(s, end)
    if base is None:
        return []
    phrase = tuple(s.lowers[start:end])
    derived: list[Item | int] = []
    near = adjacent_before(s, start, MODELS)
    fronted = s.after_comma(base.end) if start == s.clause_of(start)[1].start else None
    participle = _participle_head(s, start)
    if near:
        derived = list(near)
    elif fronted:
        derived = list(fronted)  # "Built on B and scaled to 10B, A is ..."
    elif participle is not None:
        derived = [participle]  # "A, trained for reasoning on top of B"
    elif phrase not in c.weak_finetune:
        subject = s.subject(start, MODELS)
        if subject:
            derived = list(subject)
        elif s.self_referent(start):
            derived = [SELF]
    elif apposition_head(s, start) is not None:
        derived = [apposition_head(s, start)]  # type: ignore[list-item]
    elif s.word(start - 1) == ",":
        # "X, a ... model tailored for Greek, built on B": the apposition's head
        _, clause = s.clause_of(start)
        models = [g for g in s.groups(MODELS, clause.start, start)]
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


def _participle_head(s: Sentence, start: int) -> Item | None:
    """``A, trained for reasoning on top of B``: the model a training participle describes."""
    c = cues()
    for token in range(start - 1, max(-1, start - 6), -1):
        if token in s.at or s.lowers[token] in c.clause_breaks:
            return None
        if s.lowers[token].startswith(c.derivation_participles):
            head = token - 1 - (1 if s.word(token - 1) == "," else 0)
            item = s.at.get(head)
            return item if item is not None and item.label == MODEL else None
    return None


def its_variant(s: Sentence) -> list[RelationHit]:
    """``B (...) and its instruction-tuned variant, A``: A derives from B."""
    c = cues()
    hits: list[RelationHit] = []
    for token, word in enumerate(s.lowers):
        if word != "its":
            continue
        noun = next(
            (t for t in range(token + 2, min(len(s.lowers), token + 4))
             if s.lowers[t] in c.variant_nouns),
            None,
        )  # fmt: skip
        if noun is None or not all(
            w.startswith(c.finetune_cue_prefixes) for w in s.lowers[token + 1 : noun]
        ):
            continue
        derived = s.at.get(noun + (2 if s.word(noun + 1) == "," else 1))
        base = next((s.at[t] for t in range(token - 1, max(-1, token - 12), -1) if t in s.at), None)
        if derived is None or base is None or derived.label != MODEL or base.label != MODEL:
            continue
        if derived.ref != base.ref and derived.first > noun:
            hits.append(
                s.hit("FINE_TUNED_FROM", derived, base, "finetune.its-variant", 0.75,
                      (token, noun + 1))
            )  # fmt: skip
    return hits


def _fine_tuning_of(s: Sentence, verb: int) -> list[RelationHit]:
    """``by fine-tuning B``, ``we fine-tune B (on D) to obtain A``."""
    c = cues()
    base = _base_after(s, verb + 1)
    nominal = base is None
    if nominal:
        base = _nominal_base(s, verb)  # "conduct fine-tuning (SFT) and DPO on B, resulting in A"
    if base is None:
        return []
    _, clause = s.clause_of(verb)
    derived: list[Item | int] = []
    for token in range(base.end, clause.end):
        length = s.phrase_at(token, c.finetune_results)
        if length:
            result = _result_after(s, token + length)
            if result is not None:
                derived = [result]
            break
    if nominal and not derived:
        return []  # only a stated result says which model the tuning made
    if not derived:
        subject = s.subject(verb, MODELS)
        if subject and s.word(verb - 1) in {"by", "through", "via", "after", "from"}:
            derived = list(subject)
        elif not subject and s.self_referent(verb):
            derived = [SELF]
    bases = next((g for g in s.groups(MODELS, base.first, len(s.lowers)) if g[0] == base), [base])
    return [
        s.hit("FINE_TUNED_FROM", d, b, "finetune.verb", 0.7, (verb, verb + 1))
        for d in derived
        for b in bases  # "we further pretrain GPT-J and LLaMA"
        if isinstance(d, int) or d.ref != b.ref
    ]


def _nominal_base(s: Sentence, verb: int) -> Item | None:
    """The model after ``on`` / ``of`` a few words after a tuning noun (``fine-tuning (SFT)
    and DPO on B``); only when the noun is a gerund, and no other mention comes first."""
    if not s.lowers[verb].endswith("ing"):
        return None
    _, clause = s.clause_of(verb)
    for token in range(verb + 1, min(clause.end, verb + 12)):
        if token in s.at:
            return None
        if s.lowers[token] in {"on", "of"}:
            return _base_after(s, token + 1)
    return None


def tuned_variants(s: Sentence) -> list[RelationHit]:
    """``a model fine-tuned to follow instructions, X -- Instruct``: X derives from the paper's
    own model (target ``SELF``; the paper stage keeps it only when X's name extends it)."""
    c = cues()
    cue = next(
        (
            t
            for t, word in enumerate(s.lowers)
            if word.startswith(c.finetune_cue_prefixes) and t not in s.at
        ),
        None,
    )  # a cue of the text, not the "Chat" of a model's own name
    if cue is None:
        return []
    hits = []
    comparisons = [start for start, _ in outperform_triggers(s)]
    for item in s.items:
        if item.label != MODEL or any(start < item.first for start in comparisons):
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


def called_variants(s: Sentence) -> list[RelationHit]:
    """``... BLOOM and mT5 ... to produce finetuned variants called BLOOMZ and mT0``: pairwise.

    Each naming word (called, named, dubbed) closes a segment of the sentence;
    the models named after it derive from the models in its segment when the
    segment speaks of fine-tuning, continued pretraining or variants.
    """
    c = cues()
    hits: list[RelationHit] = []
    namings = [t for t, word in enumerate(s.lowers) if word in c.naming]
    models = [item for item in s.items if item.label == MODEL]
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

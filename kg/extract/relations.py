"""``kg_relations``: typed relations between mentions, sentence by sentence.

No dependency parser runs without a trained model, so relations come from
trigger words between typed mentions in one sentence, precision first:

* ``A outperforms / surpasses B``                 -> A OUTPERFORMS B
* ``A ... trained on D``                          -> A TRAINED_ON D
* ``A ... evaluated on D`` / ``results on D``     -> A EVALUATED_ON D
* ``A, fine-tuned from B`` / ``B ... variants called A`` -> A FINE_TUNED_FROM B
* ``A developed by O`` / ``O's A``                -> A DEVELOPED_BY O
* ``A ... for / in / covering L``                 -> A COVERS_LANGUAGE L

When the left side is missing (``We train on D``), the relation is recorded
with ``source = SELF``; the paper stage binds it to the model the paper
introduces, if there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Mention, TokenInfo, token_info

SELF = -1
_OUTPERFORM = ("outperform", "surpass", "beat", "exceed")
_TRAIN = (("trained", "on"), ("pretrained", "on"), ("pre-trained", "on"), ("train", "on"),
          ("pretrain", "on"), ("trained", "with"), ("continued", "pretraining", "on"))  # fmt: skip
_EVAL = (("evaluated", "on"), ("evaluate", "on"), ("evaluation", "on"), ("results", "on"),
         ("performance", "on"), ("accuracy", "on"), ("scores", "on"), ("score", "on"),
         ("achieves",), ("achieving",), ("benchmarks", "such", "as"), ("benchmarks", "including"),
         ("tested", "on"), ("state-of-the-art", "on"))  # fmt: skip
_FINETUNE = (("fine-tuned", "from"), ("finetuned", "from"), ("initialized", "from"),
             ("fine-tuning",), ("finetuning",), ("continued", "pretraining", "of"),
             ("continual", "pretraining", "of"), ("based", "on"), ("built", "on"),
             ("built", "upon"), ("distilled", "from"), ("extends",), ("extending",),
             ("adapted", "from"))  # fmt: skip
_DEVELOPED = (
    "developed",
    "released",
    "built",
    "created",
    "trained",
    "introduced",
    "proposed",
    "made",
)
_COVER_CUES = frozenset(
    "for in covering covers cover supports supporting including across spanning".split()
)
_NAMING = frozenset({"called", "named", "dubbed", "call"})
_DERIVATION = ("finetun", "fine-tun", "variant", "continue", "continual", "adapt", "further")
_CLAUSE_BREAKS = frozenset({";", "while", "whereas", "but", "although", "though", "despite"})


@dataclass(frozen=True)
class RelationHit:
    """A relation between two mentions of one Doc (indexes into ``doc._.kg_mentions``)."""

    type: str
    source: int
    target: int
    rule: str
    score: float
    sentence_start: int
    sentence_end: int
    trigger_start: int
    trigger_end: int


class _Sentence(NamedTuple):
    """A sentence's token and character bounds (what the rules used of its Span)."""

    start: int
    end: int
    start_char: int
    end_char: int


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
            sent = _Sentence(start, end, *info.char_bounds(start, end))
            while position < len(mentions) and mentions[position].start < sent.start_char:
                position += 1
            inside = []
            while position < len(mentions) and mentions[position].start < sent.end_char:
                inside.append(position)
                position += 1
            if inside:
                hits.extend(_sentence_relations(doc, info, sent, mentions, inside))
        doc._.kg_relations = _dedupe(hits)
        return doc


_TRIGGERS: dict[
    str, list[tuple[tuple[str, ...], str, str | tuple[str, ...], str, float, bool]]
] = {}
for _phrases, _type, _source, _target, _score, _first in (
    (_TRAIN, "TRAINED_ON", "Model", "Dataset", 0.75, False),
    (_EVAL, "EVALUATED_ON", "Model", "Dataset", 0.7, False),
    (_FINETUNE, "FINE_TUNED_FROM", "Model", "Model", 0.75, True),
    (
        tuple((word, "by") for word in _DEVELOPED),
        "DEVELOPED_BY",
        ("Model", "Dataset"),
        "Organization",
        0.8,
        True,
    ),
):
    for _phrase in _phrases:
        _TRIGGERS.setdefault(_phrase[0], []).append(
            (_phrase, _type, _source, _target, _score, _first)
        )


def _sentence_relations(
    doc: Doc, info: TokenInfo, sent: _Sentence, mentions: list[Mention], inside: list[int]
) -> list[RelationHit]:
    found: list[RelationHit] = []
    lowers = info.lowers[sent.start : sent.end]
    triggers = [
        offset
        for offset, lower in enumerate(lowers)
        if lower in _TRIGGERS or lower.startswith(_OUTPERFORM)
    ]
    for offset in triggers:
        lower = lowers[offset]
        index = sent.start + offset
        if lower.startswith(_OUTPERFORM):
            found += _around(
                info, sent, mentions, inside, (index, index), "OUTPERFORMS", "Model", "Model", 0.8
            )
        for phrase, rel_type, source, target, score, first in _TRIGGERS.get(lower, ()):
            if tuple(lowers[offset : offset + len(phrase)]) == phrase:
                end = index + len(phrase) - 1
                found += _around(
                    info,
                    sent,
                    mentions,
                    inside,
                    (index, end),
                    rel_type,
                    source,
                    target,
                    score,
                    first_target_only=first,
                )
    found += _called_variants(info, sent, mentions, inside)
    found += _possessive_developer(doc, sent, mentions, inside)
    found += _covers(doc, sent, mentions, inside)
    return found


def _around(
    info: TokenInfo,
    sent: _Sentence,
    mentions: list[Mention],
    inside: list[int],
    trigger_tokens: tuple[int, int],
    rel_type: str,
    source_labels: str | tuple[str, ...],
    target_label: str,
    score: float,
    self_ok: bool = True,
    first_target_only: bool = False,
) -> list[RelationHit]:
    """Source: the nearest fitting mention before the trigger; targets: fitting ones after it."""
    first, trigger = trigger_tokens
    trigger_char = info.idx[first]
    trigger_end = info.idx[trigger] + len(info.texts[trigger])
    labels = (source_labels,) if isinstance(source_labels, str) else source_labels
    before = [i for i in inside if mentions[i].end <= trigger_char and mentions[i].label in labels]
    source = before[-1] if before else (SELF if self_ok else None)
    if source is None:
        return []
    targets = _targets_after(info, sent, mentions, inside, trigger, target_label)
    if first_target_only:
        targets = targets[:1]
    return [
        RelationHit(
            rel_type,
            source,
            target,
            f"trigger.{info.lowers[trigger]}",
            score,
            sent.start_char,
            sent.end_char,
            trigger_char,
            trigger_end,
        )
        for target in targets
        if target != source
    ]


def _targets_after(
    info: TokenInfo,
    sent: _Sentence,
    mentions: list[Mention],
    inside: list[int],
    trigger: int,
    label: str,
) -> list[int]:
    stop_char = sent.end_char
    for index in range(trigger + 1, sent.end):
        if info.lowers[index] in _CLAUSE_BREAKS:
            stop_char = info.idx[index]
            break
    start_char = info.idx[trigger] + len(info.texts[trigger])
    return [
        i
        for i in inside
        if start_char <= mentions[i].start < stop_char and mentions[i].label == label
    ]


def _called_variants(
    info: TokenInfo, sent: _Sentence, mentions: list[Mention], inside: list[int]
) -> list[RelationHit]:
    """``... BLOOM and mT5 ... to produce finetuned variants called BLOOMZ and mT0``: pairwise.

    Each naming word (called, named, dubbed, call) closes a segment of the
    sentence; the models named after it derive from the models in its segment
    when the segment speaks of fine-tuning, continued pretraining or variants.
    """
    hits: list[RelationHit] = []
    namings = [i for i in range(sent.start, sent.end) if info.lowers[i] in _NAMING]
    models = [i for i in inside if mentions[i].label == "Model"]
    segment_start = sent.start_char
    for position, naming in enumerate(namings):
        naming_char = info.idx[naming]
        segment_end = (
            info.idx[namings[position + 1]] if position + 1 < len(namings) else sent.end_char
        )
        words = [info.lowers[i] for i in range(sent.start, naming) if info.idx[i] >= segment_start]
        bases = [i for i in models if segment_start <= mentions[i].start < naming_char]
        derived = [i for i in models if naming_char < mentions[i].start < segment_end]
        derived = derived[: max(1, len(bases))]
        if bases and derived and any(w.startswith(_DERIVATION) for w in words):
            pairs = (
                zip(derived, bases, strict=True)
                if len(bases) == len(derived)
                else ((d, b) for d in derived for b in bases)
            )
            hits += [
                RelationHit(
                    "FINE_TUNED_FROM",
                    d,
                    b,
                    "pattern.variants-called",
                    0.8,
                    sent.start_char,
                    sent.end_char,
                    naming_char,
                    naming_char + len(info.texts[naming]),
                )
                for d, b in pairs
            ]
        named_here = [i for i in models if naming_char < mentions[i].start < segment_end][:1]
        segment_start = mentions[named_here[-1]].end if named_here else naming_char
    return hits


def _possessive_developer(
    doc: Doc, sent: _Sentence, mentions: list[Mention], inside: list[int]
) -> list[RelationHit]:
    """``Meta's Llama 2``: the organization right before ``'s`` develops what follows."""
    hits: list[RelationHit] = []
    for position, index in enumerate(inside):
        mention = mentions[index]
        if mention.label != "Organization" or position + 1 >= len(inside):
            continue
        after = doc.char_span(mention.end, mention.end + 2)
        following = mentions[inside[position + 1]]
        owned = following.label in {"Model", "Dataset"} and following.start - mention.end <= 4
        if after is not None and after.text == "'s" and owned:
            hits.append(
                RelationHit(
                    "DEVELOPED_BY",
                    inside[position + 1],
                    index,
                    "pattern.possessive",
                    0.8,
                    sent.start_char,
                    sent.end_char,
                    mention.end,
                    mention.end + 2,
                )
            )
    return hits


def _covers(
    doc: Doc, sent: _Sentence, mentions: list[Mention], inside: list[int]
) -> list[RelationHit]:
    """A model or dataset followed by ``for / in / covering`` and languages."""
    hits: list[RelationHit] = []
    holders = [i for i in inside if mentions[i].label in {"Model", "Dataset"}]
    languages = [i for i in inside if mentions[i].label == "Language"]
    if not languages:
        return hits
    for language in languages:
        found = _cue_before(doc, mentions[language].start, sent)
        if found is None:
            continue
        cue, cue_end = found
        before = [h for h in holders if mentions[h].end <= cue]
        source = before[-1] if before else SELF
        hits.append(
            RelationHit(
                "COVERS_LANGUAGE",
                source,
                language,
                "trigger.language-cue",
                0.7,
                sent.start_char,
                sent.end_char,
                cue,
                cue_end,
            )
        )
    return hits


def _cue_before(doc: Doc, char: int, sent: _Sentence) -> tuple[int, int] | None:
    """The character span of a coverage cue at most six tokens before ``char``."""
    span = doc.char_span(sent.start_char, char, alignment_mode="contract")
    if span is None:
        return None
    for token in reversed(span[-6:]):
        if token.lower_ in _CLAUSE_BREAKS or token.text == ".":
            return None
        if token.lower_ in _COVER_CUES:
            return token.idx, token.idx + len(token.text)
    return None


def _dedupe(hits: list[RelationHit]) -> list[RelationHit]:
    seen: dict[tuple[str, int, int], RelationHit] = {}
    for hit in hits:
        seen.setdefault((hit.type, hit.source, hit.target), hit)
    return list(seen.values())

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

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Mention, token_info
from kg.extract.relations.cues import cues
from kg.extract.relations.derivation import (
    called_variants,
    fine_tuned,
    its_variant,
    tuned_variants,
)
from kg.extract.relations.developers import developers
from kg.extract.relations.evaluation import (
    eval_intro,
    evaluated_on,
    listed_within,
    score_on,
    scores_of_others,
    used_to_evaluate,
)
from kg.extract.relations.languages import covers
from kg.extract.relations.outperforms import outperforms
from kg.extract.relations.sentence import (
    DATASET,
    DATASETS,
    LANGUAGE,
    MODEL,
    ORG,
    OWN_DATA,
    SELF,
    Item,
    RelationHit,
    Sentence,
)
from kg.extract.relations.training import (
    trained_as,
    trained_on,
    trained_to_show,
    training_cue,
    used_to_train,
)

__all__ = [
    "OWN_DATA",
    "SELF",
    "RelationExtractor",
    "RelationHit",
    "cues",
    "make_relation_extractor",
]


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
                sentence = Sentence(info, (start, end), mentions, inside)
                hits.extend(_sentence_relations(sentence))
        doc._.kg_relations = _dedupe(hits)
        return doc


def _sentence_relations(s: Sentence) -> list[RelationHit]:
    labels = {item.label for item in s.items}
    found: list[RelationHit] = []
    if MODEL in labels:
        found += outperforms(s)
        stated = [*fine_tuned(s), *called_variants(s), *its_variant(s)]
        found += stated
        derived = {hit.source for hit in stated}
        # "fine-tuning B, resulting in A -- Chat": the stated base wins over the name's
        found += [hit for hit in tuned_variants(s) if hit.source not in derived]
    if DATASET in labels:
        found += _datasets(s)
    elif MODEL in labels:  # "these datasets have been used to train X": the paper's own data
        found += used_to_train(s)
    if ORG in labels:
        found += developers(s)
    if LANGUAGE in labels:
        found += covers(s)
    return found


def _datasets(s: Sentence) -> list[RelationHit]:
    hits: list[RelationHit] = []
    previous: list[Item] | None = None  # the group before, when it was evaluated
    for group in s.groups(DATASETS, 0, len(s.lowers)):
        trained = training_cue(s, group[0].first)
        if trained is not None:
            hits += trained_on(s, group, trained)
            previous = None
            continue
        intro = eval_intro(s, group[0].first)
        found = (
            evaluated_on(s, group, intro)
            if intro is not None
            else listed_within(s, group, previous, hits)
            or used_to_evaluate(s, group)
            or score_on(s, group)
        )
        hits += found + scores_of_others(s, group, found)
        previous = group if found else None
    hits += trained_as(s) + used_to_train(s) + trained_to_show(s)
    return hits


def _dedupe(hits: list[RelationHit]) -> list[RelationHit]:
    seen: dict[tuple[str, int, int], RelationHit] = {}
    for hit in hits:
        seen.setdefault((hit.type, hit.source, hit.target), hit)
    return list(seen.values())

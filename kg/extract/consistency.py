"""One name, one reading per paper.

Rules see one sentence at a time, so one name can come out with two types
(``WUGNECTIVES: ... of Language Models`` in the title, "we present
WUGNECTIVES, a dataset" in the abstract), or as an entity in one sentence
although another defines it as a method ("we propose TokenShapley, a novel
attribution method"). After propagation, each name takes the type that its
mentions vote for (each votes with its rule's rank), and names the paper
defines as a method or tool are dropped, unless a curated lexicon knows them.
"""

from __future__ import annotations

from spacy.tokens import Doc

from kg.extract.candidates import Mention, token_info
from kg.resolve import match_form

#: How much a rule's evidence says about a name's type (higher wins).
_RULE_RANK = (
    ("lexicon", 6),
    ("acronym", 5),
    ("context.introduce", 5),
    ("context.called", 5),
    ("context.appositive", 5),
    ("context.head-noun", 4),
    ("context.possessive", 4),
    ("context.usage", 3),
    ("context.such-as", 3),
    ("shape", 3),
    ("context.compare", 2),
    ("title", 1),
    ("propagate", 0),
)


def _rank(rule: str) -> int:
    return next((rank for prefix, rank in _RULE_RANK if rule.startswith(prefix)), 0)


def make_consistent(docs: dict[str, Doc]) -> None:
    """Drop names defined as methods; give every other name its best-supported type."""
    blocked = {
        match_form(" ".join(words)) for doc in docs.values() for words in token_info(doc).blocked
    }
    votes: dict[str, dict[str, int]] = {}
    for doc in docs.values():
        mentions: list[Mention] = doc._.kg_mentions
        kept = [
            m
            for m in mentions
            if m.label == "Language"
            or m.rule.startswith("lexicon")
            or match_form(m.text) not in blocked
        ]
        doc._.kg_mentions = kept
        for m in kept:
            if m.label != "Language":
                labels = votes.setdefault(match_form(m.text), {})
                labels[m.label] = labels.get(m.label, 0) + _rank(m.rule)
    for doc in docs.values():
        for m in doc._.kg_mentions:
            if m.label == "Language" or m.rule.startswith("lexicon"):
                continue
            labels = votes[match_form(m.text)]
            label = max(labels, key=lambda name: labels[name])
            if labels[label] > labels.get(m.label, 0):
                m.label = label

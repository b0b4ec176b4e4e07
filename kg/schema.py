"""The fixed vocabulary of the graph: node labels, relationship types and keys.

Neo4j cannot take labels or relationship types as query parameters, so every
label and type that reaches a Cypher string must come from these whitelists.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

#: Node labels, in the order they are created.
LABELS: tuple[str, ...] = ("Paper", "Author", "Model", "Dataset", "Organization", "Language")

#: Entity labels produced by extraction (a subset of ``LABELS``).
ENTITY_LABELS: tuple[str, ...] = ("Model", "Dataset", "Organization", "Language")

#: Relationship types between nodes.
REL_TYPES: tuple[str, ...] = (
    "AUTHORED_BY",
    "MENTIONS",
    "INTRODUCES",
    "TAGGED_WITH",
    "TRAINED_ON",
    "EVALUATED_ON",
    "FINE_TUNED_FROM",
    "DEVELOPED_BY",
    "COVERS_LANGUAGE",
    "OUTPERFORMS",
    "VARIANT_OF",
    "CO_MENTIONED",
)

#: Entity-to-entity relations that extraction produces, each with supporting
#: papers (``support``) and evidence sentences.
EXTRACTED_REL_TYPES: tuple[str, ...] = (
    "TRAINED_ON",
    "EVALUATED_ON",
    "FINE_TUNED_FROM",
    "DEVELOPED_BY",
    "COVERS_LANGUAGE",
    "OUTPERFORMS",
    "VARIANT_OF",
)

#: The prefix of each label's canonical keys, e.g. ``model:llama-2-13b``.
KEY_PREFIX: dict[str, str] = {
    "Paper": "paper",
    "Author": "author",
    "Model": "model",
    "Dataset": "dataset",
    "Organization": "org",
    "Language": "lang",
}

_SLUG_DROP = re.compile(r"[^a-z0-9.+#]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])")


def slug(name: str) -> str:
    """Fold a name to the slug used in keys: ``Llama 2 13B`` -> ``llama-2-13b``.

    Case, accents, spaces and hyphens do not matter, and a letter-digit
    boundary gets a hyphen, so ``LLaMA-2-13B``, ``Llama 2 13B`` and
    ``llama2-13b`` share one slug. ``+``, ``#`` and ``.`` are kept because they
    carry meaning (C++, C#, GPT-3.5).
    """
    folded = name.casefold()
    if folded.isascii():  # most names: nothing to decompose, no accents to drop
        text = folded
    else:
        decomposed = unicodedata.normalize("NFKD", folded)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = _LETTER_DIGIT.sub("-", text)
    return _SLUG_DROP.sub("-", text).strip("-.")


#: Apostrophes and hyphens that only differ in typography (a curly quote is a straight one).
_TYPOGRAPHIC = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-"}
)
#: Characters of a person's name that are not letters, digits, white space or dots.
_NAME_MARKS = re.compile(r"[^\w\s.]")


def person_slug(name: str) -> str:
    """The slug of a person's name: dots and spacing fold, other punctuation does not.

    ``Albert Q. Jiang`` and ``Albert Q Jiang`` are one person (the dots of
    initials are optional), but names that differ in an apostrophe or a hyphen
    (``O'Neil`` / ``ONeil``, ``Jean-Marc`` / ``Jean Marc``) are not folded into
    one: when the name carries such marks, the slug ends in a short digest of
    where they stand. ``slug`` alone would turn every mark into the same ``-``.
    """
    text = unicodedata.normalize("NFKC", name).translate(_TYPOGRAPHIC).replace(".", " ")
    folded = slug(text)
    words = " ".join(text.split()).casefold()
    marks = [(m.start(), m.group()) for m in _NAME_MARKS.finditer(words)]
    if not folded or not marks:
        return folded
    digest = hashlib.sha1(repr(marks).encode("utf-8")).hexdigest()[:6]
    return f"{folded}~{digest}"


def make_key(label: str, name: str) -> str:
    """The canonical key of a node with this label and name."""
    return f"{KEY_PREFIX[label]}:{slug(name)}"


def check_label(label: str) -> str:
    """Return ``label`` if it is whitelisted, else raise ValueError (never reaches Cypher)."""
    if label not in LABELS:
        raise ValueError(f"unknown node label {label!r}; expected one of {', '.join(LABELS)}")
    return label


def check_rel_type(rel_type: str) -> str:
    """Return ``rel_type`` if it is whitelisted, else raise ValueError."""
    if rel_type not in REL_TYPES:
        raise ValueError(
            f"unknown relationship type {rel_type!r}; expected one of {', '.join(REL_TYPES)}"
        )
    return rel_type


#: Where a relation comes from (see docs/architecture.md, "Graph contract"):
#: stated in the paper's text, implied by two names the paper uses, or taken
#: from kg's lexicon (no supporting paper, no evidence).
PROVENANCES: tuple[str, ...] = ("text", "name", "knowledge")

#: What follows a knowledge edge's type in its multigraph key, so that it
#: never merges with the stated edge of the same (source, target, type).
KNOWLEDGE_KEY_SUFFIX = "/knowledge"


def edge_key(rel_type: str, provenance: object = None) -> str:
    """The multigraph key of an edge: its type, plus ``/knowledge`` for a knowledge relation."""
    if provenance == "knowledge" and rel_type in EXTRACTED_REL_TYPES:
        return rel_type + KNOWLEDGE_KEY_SUFFIX
    return rel_type


def relation_provenance(attrs: Mapping[str, Any]) -> str:
    """The provenance of a relation record or edge, for data written before provenance existed.

    A relation without ``provenance`` is ``"text"`` when it carries evidence
    (or, for an edge, supporting papers) and ``"knowledge"`` otherwise.
    """
    value = attrs.get("provenance")
    if value is not None:
        return str(value)
    return "text" if attrs.get("evidence") or attrs.get("papers") else "knowledge"

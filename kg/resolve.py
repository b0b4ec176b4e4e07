"""Canonical entities: one key per thing, whatever spelling an abstract uses.

``LLaMA-2-13B``, ``Llama 2 13B`` and ``llama2-13b`` must become one node, so
keys are built from a *folded* name: case, accents, spaces and hyphens are
dropped, and a letter-digit boundary gets a hyphen (``llama2`` -> ``llama-2``).
Lexicon entries map every alias to their canonical name first, so ``AI2`` and
``Allen Institute for AI`` share ``org:allen-institute-for-ai``.

Sized or tuned variants (``Llama 2 13B``, ``Babel-9B-Chat``) link to their
family (``Llama 2``, ``Babel``) by stripping size and tuning suffixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.schema import KEY_PREFIX, slug

_SIZE = r"\d+(?:\.\d+)?[bmkt]|\d+x\d+(?:\.\d+)?[bm]|\d+[bm]\d+[bmt]?|\d+k"
_TUNING = (
    r"chat|instruct|instruction|it|base|sft|rlhf|dpo|hf|preview|thinker|thinking|reasoning|"
    r"distill|v\d+(?:\.\d+)*|\d{4}"
)
_VARIANT_TAIL = re.compile(rf"(?:[\s\-_]+(?:{_SIZE}|{_TUNING}))+$", re.IGNORECASE)
_GLUED_SIZE = re.compile(rf"(?<=[a-z])[\-_]?(?:{_SIZE})$", re.IGNORECASE)


def fold(name: str) -> str:
    """The form keys are made of: ``Llama 2 13B`` -> ``llama-2-13b`` (see ``kg.schema.slug``)."""
    return slug(name)


def match_form(name: str) -> str:
    """A looser form for comparing names: only letters, digits, + and #.

    ``Mistral 7B -- Instruct`` and ``Mistral-7B-Instruct`` compare equal.
    """
    return fold(name).replace("-", "")


def entity_key(label: str, canonical_name: str) -> str:
    """The canonical key of an entity, e.g. ``model:llama-2-13b``."""
    return f"{KEY_PREFIX[label]}:{fold(canonical_name)}"


def family_name(name: str) -> str | None:
    """The family a sized or tuned model name belongs to, or None if it is a family itself.

    ``Llama 2 13B`` -> ``Llama 2``; ``Babel-9B-Chat`` -> ``Babel``;
    ``Qwen2.5-7B-Instruct`` -> ``Qwen2.5``; ``Mistral 7B`` -> ``Mistral``.
    """
    stripped = _VARIANT_TAIL.sub("", name).strip(" -_")
    if stripped == name.strip():
        stripped = _GLUED_SIZE.sub("", name).strip(" -_")
    if not stripped or stripped == name.strip() or not any(ch.isalpha() for ch in stripped):
        return None
    return stripped


@dataclass(frozen=True)
class OrgTagMap:
    """Listing org tags (``allen-ai``) to canonical organization names."""

    names: dict[str, str]

    def resolve(self, tag: str) -> str:
        """The canonical name for ``tag``; an unknown tag stays as it is."""
        return self.names.get(tag.strip().lower(), tag)

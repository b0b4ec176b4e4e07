"""Split a listing's second line into title, authors and organization tags.

Listings glue the title to the author list with no separator::

    Mistral 7BAlbert Q. Jiang, Alexandre Sablayrolles, Arthur Mensch et al. · cambridge
    MagistralMistral-AI, Abhinav Rastogi, Albert Q. Jiang et al.
    Language ModelBigScience Workshop, Teven Le Scao, Angela Fan et al. · allen-ai

The first author therefore starts where a capital letter directly follows a
non-space character. Several such places usually exist (``7B|Albert``,
``Big|Science``, ``Mc|Donald``), so every candidate is scored: the rest of the
line must read as a list of names, a known given name at the start is strong
evidence, names of two to four words are typical, and organizations end in
words like Team or Workshop. Ties go to the longest author name, which keeps
``BigScience Workshop`` whole.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

ORG_TAG_SEPARATOR = " · "
_ET_AL = re.compile(r",?\s+et\s+al\.?$")
_PARTICLES = frozenset(
    "al bin da das de del della dei den der des di do dos du e el het la las le lo los st ten "
    "ter van von y zu".split()
)
_ORG_WORDS = frozenset(
    "AI Collaboration Community Consortium Group Initiative Lab Labs Project Research Team "
    "Workshop".split()
)
_SURNAME_PREFIXES = frozenset({"Mc", "Mac", "De", "Di", "Da", "Le", "La", "Van", "Von", "O'"})
_INITIALS = re.compile(r"^(?:[^\W\d_][a-z]?\.)(?:-?[^\W\d_][a-z]?\.)*$")
_WORD = re.compile(r"^[^\W\d_][\w'’.\-]*$")
_ALL_CAPS_THEN_LOWER = re.compile(r"^[^\W\d_a-z]{2,}[a-z]")
#: One org tag: anything without spaces or commas (tags are data, so ``"`` and ``<`` too;
#: every renderer escapes them).
_TAG = re.compile(r"^[^\s,]+$")
_NOT_IN_NAMES = re.compile(r"[?!:;()\[\]{}]|^\d")
_LEAD = re.compile(r"[^\W\d_][a-z]*")
_CAPS_INITIALS = re.compile(r"^[^\W\d_a-z]{1,3}$")
_CAMEL = re.compile(r"([^\W\d_]+?)(?<=[a-z])(?=[A-Z])")


@dataclass(frozen=True)
class TitleAuthors:
    """The three parts of a listing's second line."""

    title: str
    authors: list[str]
    org_tags: list[str]


@cache
def given_names() -> frozenset[str]:
    """Given names seen in the corpora's author lists (built by scripts/build_given_names.py)."""
    data = resources.files("kg").joinpath("data/given_names.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def split_title_authors(line: str) -> TitleAuthors | None:
    """Split ``<title><authors>[ · <tags>]``; None when no split reads as names."""
    body, tags = _split_tags(line)
    body = _ET_AL.sub("", body.rstrip())
    best: tuple[int, int] | None = None
    for position in _candidates(body):
        score = _score(body, position)
        if score is not None and (best is None or score > best[0]):
            best = (score, position)
    if best is None:
        return None
    position = best[1]
    authors = [name.strip() for name in body[position:].split(", ")]
    return TitleAuthors(body[:position].rstrip(), authors, tags)


def _split_tags(line: str) -> tuple[str, list[str]]:
    body, separator, tail = line.rpartition(ORG_TAG_SEPARATOR)
    if not separator:
        return line, []
    tags = [tag.strip() for tag in tail.split(",")]
    if all(_TAG.match(tag) for tag in tags):
        return body, tags
    return line, []


def _candidates(body: str) -> list[int]:
    """Places where a capital directly follows a non-space, non-joining character."""
    return [
        index
        for index in range(1, len(body))
        if body[index].isupper() and not body[index - 1].isspace() and body[index - 1] not in "-'’"
    ]


def _score(body: str, position: int) -> int | None:
    """How much ``body[position:]`` reads like an author list; None if it cannot be one."""
    names = [name.strip() for name in body[position:].split(", ")]
    if not _is_name(names[0]) or not all(_is_other_name(name) for name in names[1:]):
        return None
    words = names[0].split()
    score = 3 if words[0] in given_names() else 0
    if len(words) >= 2 and words[-1] in _ORG_WORDS:
        score += 2
    if 2 <= len(words) <= 4:
        score += 1
    elif len(words) > 4:
        score -= 3
    if _ALL_CAPS_THEN_LOWER.match(words[0]):
        score -= 4
    if _glued_fragment(body, position) in _SURNAME_PREFIXES:
        score -= 3
    if _inside_acronym(body, position):
        score -= 4
    if words[-1] not in _ORG_WORDS:
        score -= 3 * sum(_is_glued_word(word) for word in words)
    # Earlier positions make longer first names; prefer them on ties.
    return score * 10_000 - position


def _inside_acronym(body: str, position: int) -> bool:
    """``LL|Ms``, ``A|MS``: a split that cuts an acronym, leaving a stub of it to the name.

    A name may follow an acronym (``TTS|Alexander``), but then it starts with a
    proper word, not with one or two letters of the acronym.
    """
    lead = _LEAD.match(body, position)
    return body[position - 1].isupper() and (lead is None or len(lead.group()) <= 2)


def _is_glued_word(word: str) -> bool:
    """``OptimizationSouradip``: a word that looks like a title word glued to a name.

    Surnames like McDonald or DeVries are fine; so are short camel names such as
    PeiHsuan, whose first part is itself short.
    """
    match = _CAMEL.match(word)
    if match is None:
        return False
    head = match.group(1)
    return head not in _SURNAME_PREFIXES and len(head) > 4


def _glued_fragment(body: str, position: int) -> str:
    start = body.rfind(" ", 0, position) + 1
    return body[start:position]


def _is_name(name: str) -> bool:
    words = name.split()
    if len(words) == 1:
        return len(name) >= 2 and _is_name_word(name)
    return len(words) <= 7 and all(_is_name_word(word) for word in words)


def _is_other_name(name: str) -> bool:
    """Names after the first comma are clearly delimited, so only gross misfits count."""
    return 1 <= len(name.split()) <= 7 and not _NOT_IN_NAMES.search(name)


def _is_name_word(word: str) -> bool:
    if word in _PARTICLES or _INITIALS.match(word) or _CAPS_INITIALS.match(word):
        return True
    return bool(_WORD.match(word)) and word[0].isupper()

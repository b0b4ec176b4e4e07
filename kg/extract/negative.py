"""Names that are never models, datasets or organizations, and role checks on types.

Context and shape rules see a capitalized name next to a head noun and type
it; some such names are hardware (``A100``), software (``FasterTransformer``),
quantization formats (``W4A8``), statistical tests (``McNemars test``), tasks
(``NLI``, ``POS-tagging``) or generic words (``Multi``, ``v3``, ``European``).
``kg/data/patterns/negative.json`` lists them (and their shapes); this module
drops such candidates, unless a curated lexicon proposed them.

Role checks fix the type a rule guessed from what the text says the name does:

* a name that carries a parameter size (``Orion-14B``, ``TeleChat's 7B``) or is
  the object of "we train" is a model, not an organization or a dataset;
* a citation label in square brackets (``[Kay23; AM23]``) is no name at all.
"""

from __future__ import annotations

import re
from functools import cache

from kg.extract.candidates import SIZE, Candidate, TokenInfo
from kg.extract.lexicon import load_json

_PARAM_SIZE = re.compile(r"(?:^|[\-_ ])\d+(?:\.\d+)?[BbMm](?:$|[\-_ ])")
_TEST_HEADS = frozenset({"test", "tests", "correction", "coefficient", "correlation"})
_TRAIN_VERBS = frozenset({"train", "trained", "pretrain", "pre-train", "pretrained", "finetune"})
_CITATION = re.compile(r"^[A-Z][A-Za-z]*\+?\d{2}[a-z]?$")


@cache
def _data() -> tuple[frozenset[str], frozenset[str], re.Pattern[str]]:
    data = load_json("patterns/negative.json")
    names = frozenset(name.lower() for group in data["names"].values() for name in group)
    tests = frozenset(data["test_names"])
    shapes = re.compile("|".join(f"(?:{shape})" for shape in data["shapes"]))
    return names, tests, shapes


def is_negative_name(text: str) -> bool:
    """Is ``text`` (a whole candidate span) listed or shaped as a non-entity?"""
    names, tests, shapes = _data()
    bare = re.sub(r"(?:['’]s|s)$", "", text)
    return text.lower() in names or bare in tests or bool(shapes.match(text))


def filter_candidates(info: TokenInfo, text: str, pool: list[Candidate]) -> list[Candidate]:
    """Drop negative names, cited authors and citation labels; retype names whose role says
    "model"."""
    kept = []
    brackets = _bracketed(info)
    for candidate in pool:
        if candidate.label == "Language":
            kept.append(candidate)
            continue
        start, end = info.char_bounds(candidate.start, candidate.end)
        span = text[start:end]
        if candidate.start in brackets and _CITATION.match(info.texts[candidate.start]):
            continue
        if not candidate.rule.startswith("lexicon"):
            if is_negative_name(span) or _before_test(info, candidate, span):
                continue
            if _cited_author(info, candidate.start, candidate.end):
                continue
            _check_role(info, candidate, span)
        kept.append(candidate)
    return kept


_YEAR = re.compile(r"^(?:19|20)\d\d[a-z]?$")


def _cited_author(info: TokenInfo, start: int, end: int) -> bool:
    """``Smith et al.``, ``Smith and Jones (2019)``, ``(Smith, 2019)``: a cited author.

    Authors' surnames look like names to every rule; the citation around them
    shows they are people, who are never entities.
    """
    after = list(info.texts[end : end + 4])
    if after[:2] == ["et", "al"] or after[:2] == ["et", "al."]:
        return True
    if len(after) >= 2 and after[0] == "(" and _YEAR.match(after[1]):
        return True
    if len(after) >= 4 and after[0] in {"and", "&"} and info.name_like[end + 1]:
        tail = after[2:4]
        return (tail[0] == "(" and bool(_YEAR.match(tail[1]))) or tail[0] == "et"
    before = info.texts[start - 1] if start else ""
    return before in {"(", ";"} and after[:1] == [","] and bool(_YEAR.match(after[1:2][0]))


def _before_test(info: TokenInfo, candidate: Candidate, span: str) -> bool:
    """``McNemars test``, ``Wilcoxon's signed-rank test``: a test named after a person."""
    _, tests, _ = _data()
    bare = re.sub(r"(?:['’]s|s)$", "", span)
    if bare not in tests:
        return False
    following = info.lowers[candidate.end : candidate.end + 3]
    return not following or any(word in _TEST_HEADS for word in following)


def _check_role(info: TokenInfo, candidate: Candidate, span: str) -> None:
    """A sized or trained name is a model, whatever head noun was found near it."""
    if candidate.label not in {"Organization", "Dataset"}:
        return
    sized = bool(_PARAM_SIZE.search(span)) or (
        candidate.end < len(info.texts)
        and info.texts[candidate.end] in {"'s", "’s"}
        and candidate.end + 1 < len(info.texts)
        and bool(SIZE.match(info.texts[candidate.end + 1]))
    )
    trained = candidate.label == "Organization" and bool(
        _TRAIN_VERBS.intersection(info.lowers[max(0, candidate.start - 3) : candidate.start])
    )
    if sized or trained:
        candidate.label = "Model"


def _bracketed(info: TokenInfo) -> set[int]:
    """Token positions inside ``[ ... ]`` (citation brackets in arXiv abstracts)."""
    inside: set[int] = set()
    opened: int | None = None
    for index, word in enumerate(info.texts):
        if word == "[":
            opened = index
        elif word == "]" and opened is not None:
            inside.update(range(opened + 1, index))
            opened = None
    return inside

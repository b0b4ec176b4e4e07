"""COVERS_LANGUAGE: ``A ... in / for / spanning L1, L2 and L3``, ``a L language model``,
``L-centric``, ``L1 and L2 X models``.

A list of languages is one group: the cue before its first member, or the head
noun after its last, reaches every member (``spanning English, Chinese, ...,
Thai and Vietnamese``; ``a bilingual (English and Chinese) pre-trained
model``). The holder is the name the cue describes: the apposition it belongs
to (``X, a corpus for six European languages: ...``), the name after a fronted
``In L,``, the clause's subject, the model or corpus the language's data
belongs to, or the paper's own work (``SELF``), preferring the name that the
clause introduces (``we introduce X, ... across L``) when there is one.
"""

from __future__ import annotations

from typing import NamedTuple

from kg.extract.relations.cues import cues
from kg.extract.relations.sentence import (
    DATASETS,
    HOLDERS,
    LANGUAGE,
    MODELS,
    SELF,
    Item,
    RelationHit,
    Sentence,
    adjacent_before,
    apposition_head,
    is_number,
)

LANGUAGES = frozenset({LANGUAGE})


class _Cue(NamedTuple):
    """The words that say a name covers a language: their span, kind and named holder.

    ``kind`` is ``verb`` (``in / for / covering L``), ``head`` (``L language model``),
    ``suffix`` (``L-centric``) or ``named`` (``L X models``: ``holder`` is X).
    """

    span: tuple[int, int]
    kind: str
    holder: Item | None = None


def covers(s: Sentence) -> list[RelationHit]:
    hits: list[RelationHit] = []
    for group in s.groups(LANGUAGES, 0, len(s.lowers)):
        verb = _verb_cue(s, group)
        head = None if verb else _head_cue(s, group)
        for item in group:
            if _negated(s, item):
                continue
            cue = verb or _suffix_cue(s, item) or head
            if cue is None:
                continue
            for source in _holder(s, group, cue):
                hits.append(
                    s.hit("COVERS_LANGUAGE", source, item, f"language.{cue.kind}", 0.7, cue.span)
                )
    return hits


def _negated(s: Sentence, item: Item) -> bool:
    """``non-English``: the language is the one not covered."""
    token_text = s.info.lowers[s.start + item.first]
    if token_text.startswith("non") and not s.text(item).lower().startswith("non"):
        return True
    return s.word(item.first - 1) in {"-", "non-"} and s.word(item.first - 2) in {"non", ""}


def _verb_cue(s: Sentence, group: list[Item]) -> _Cue | None:
    """``in / for / covering (the languages of | ten Indian languages () L1, L2``: the verb.

    The walk back passes list words and numbers; after a noun for languages
    (``languages``, ``dialects``) it also passes up to two describing words
    (``ten Indian languages (...)``, ``six European languages: ...``).
    """
    c = cues()
    token = group[0].first - 1
    steps = 0
    described = 0
    after_noun = False
    while token >= 0 and steps < 6:
        word = s.lowers[token]
        if word in c.cover_verbs:
            if described and word in {"to", "into"}:
                return None  # "transfer to three Indic languages: ...": a target, not covered
            return _Cue((token, token + 1), "verb")
        at = s.at.get(token)
        if at is not None:
            if at.label != LANGUAGE:
                return None
            token = at.first - 1
            continue
        if word in c.language_nouns:
            after_noun = True
        elif not (word in c.cover_gaps or is_number(word)):
            if not after_noun or described >= 2 or not _describing(word):
                return None
            described += 1
        token -= 1
        steps += 1
    return None


def _describing(word: str) -> bool:
    """A word that may describe a noun for languages: ``Indian``, ``regional``, ``low-resource``."""
    c = cues()
    return word.replace("-", "").isalpha() and word not in c.object_verbs and word not in c.preps


def _suffix_cue(s: Sentence, item: Item) -> _Cue | None:
    """``English-centric``, ``Arabic-only``: the mention's own last token."""
    own_token = s.info.lowers[s.start + item.end - 1]
    if own_token.endswith(cues().language_suffixes):
        return _Cue((item.first, item.end), "suffix")
    return None


def _head_cue(s: Sentence, group: list[Item]) -> _Cue | None:
    """``L1 and L2 (pre-trained) language model``, ``L1 and L2 X models``: the head after."""
    c = cues()
    last = group[-1].end
    token = last
    skipped = 0
    while token < len(s.lowers) and token < last + 8:
        at = s.at.get(token)
        word = s.lowers[token]
        if word in c.language_heads:  # also a name that is a head: "a Chinese BERT (X)"
            while s.word(token + 1) in c.language_heads and token + 1 not in s.at:
                token += 1  # "Java code benchmark": the last noun of the compound heads it
            return _Cue((token, token + 1), "head")
        if at is not None:
            # "Arabic, ..., and Vietnamese Moonshine models": the language describes X
            if at.label in HOLDERS and skipped == 0 and s.word(at.end) in c.language_heads:
                return _Cue((at.end, at.end + 1), "named", at)
            return None
        if word in c.cover_gaps:
            token += 1
        elif skipped < 2 and word[:1].isalpha() and (word not in c.object_verbs or "-" in word):
            token += 1  # "a Japanese NLI/STS dataset", "(English and Chinese) pre-trained model"
            skipped += 1
        else:
            break
    return None


def _holder(s: Sentence, group: list[Item], cue: _Cue) -> list[Item | int]:
    """The model or dataset that covers the language.

    After a verb cue (``X ... in L``): the apposition the cue belongs to, the
    name after a fronted ``In L,``, the clause's subject, or else the paper's
    own work. For an adjective (``a Greek model``, ``English-centric``): only
    the name it describes (``X, a Greek model``, ``the Greek model X``), or
    SELF when the clause speaks of the paper's own work.
    """
    if cue.holder is not None:
        return [cue.holder] if cue.holder.ref not in s.tools else []
    c = cues()
    trigger, kind = cue.span, cue.kind
    data_head = kind == "head" and s.word(trigger[0]) in c.data_heads
    if data_head:
        kind = "verb"  # "trained on Greek data": the data's language is the model's
    start = min(trigger[0], group[0].first)
    _, clause = s.clause_of(group[0].first)
    near = adjacent_before(s, start, HOLDERS)
    if near and (kind != "verb" or not s.is_object(near[0], clause.start)):
        return _untooled(s, near)
    if kind != "verb":
        following = _following(s, trigger[1])
        if following is not None:
            return [following]
        words = s.lowers[max(clause.start, start - 4) : start]
        if kind == "head" and any(w in c.self_words for w in words):
            return [SELF]
        head = _appositive(s, start)
        return [head] if head is not None else []
    head = _appositive(s, start)
    if head is not None:
        return [head]
    fronted = _fronted(s, trigger[0], group, clause.start)
    if fronted:
        return _untooled(s, fronted)
    subject = s.subject(start, HOLDERS)
    if subject:
        return _untooled(s, subject)
    if data_head:
        owner = _data_owner(s, start)
        if owner is not None:  # "pre-trained M on a dataset (named X) of C and C++ programs"
            return [owner, *_trained_model(s, clause.start, owner.first)]
        datasets = s.groups(DATASETS, clause.start, start)
        if len(datasets) == 1 and not s.groups(MODELS, clause.start, start):
            return list(datasets[0])  # "xP3, a composite of datasets with English prompts"
    introduced = _introduced(s, clause.start, start)
    if introduced:
        return _untooled(s, introduced)
    return [SELF] if s.self_referent(start) else []


def _untooled(s: Sentence, items: list[Item]) -> list[Item | int]:
    return [item for item in items if item.ref not in s.tools]


def _following(s: Sentence, after: int) -> Item | None:
    """The name right after an adjective's head: ``the Greek model X``, ``a Greek model (X)``,
    ``the largest Setswana web dataset, X, ...`` (an apposition, not a new clause's subject)."""
    if s.word(after) == "(":
        after += 1
    elif s.word(after) == ",":
        named = s.at.get(after + 1)
        if named is None or named.label not in HOLDERS or named.first != after + 1:
            return None
        return named if s.word(named.end) in {",", ".", "(", ""} else None
    following = s.at.get(after)
    if following is not None and following.label in HOLDERS and following.first == after:
        return following
    return None


def _appositive(s: Sentence, token: int) -> Item | None:
    """``X, a ... for L`` / ``X -- the largest L model``: X, the name the phrase describes."""
    head = apposition_head(s, token, HOLDERS)
    if head is not None:
        return head
    c = cues()
    for back in range(token - 1, max(-1, token - 8), -1):
        word = s.lowers[back]
        if word in c.clause_breaks or word in c.subject_pronouns or back in s.at:
            return None
        if word in {"a", "an", "the"} and s.word(back - 1) in {"--", "—", "–"}:
            named = s.at.get(back - 2)
            return named if named is not None and named.label in HOLDERS else None
    return None


def _fronted(s: Sentence, cue: int, group: list[Item], floor: int) -> list[Item] | None:
    """``In the C programming language, X outperforms ...``: the group right after the comma."""
    c = cues()
    if cue != floor or s.lowers[cue] not in {"in", "for"}:
        return None
    token = group[-1].end
    while token < len(s.lowers) and token < group[-1].end + 4 and s.lowers[token] != ",":
        if s.lowers[token] not in c.cover_gaps:
            return None
        token += 1
    if s.word(token) != ",":
        return None
    groups = s.groups(HOLDERS, token + 1, len(s.lowers))
    if groups and groups[0][0].first <= token + 2:
        return groups[0]
    return None


def _data_owner(s: Sentence, start: int) -> Item | None:
    """``a dataset (named X) of L programs``, ``X of English text``: X."""
    if s.word(start - 1) != "of":
        return None
    back = start - 2
    if s.word(back) == ")":
        back -= 1
    owner = s.at.get(back)
    return owner if owner is not None and owner.label in HOLDERS else None


def _trained_model(s: Sentence, floor: int, end: int) -> list[Item | int]:
    """``we pre-trained X on D``: X (the paper's own model after ``further pretrain B on``)."""
    c = cues()
    for verb in range(floor, end):
        word = s.lowers[verb]
        if not word.startswith(c.train_prefixes) or word.startswith(c.not_train_prefixes):
            continue
        groups = s.groups(MODELS, verb + 1, end)
        if not groups or groups[0][0].first != verb + 1 or s.word(groups[0][-1].end) != "on":
            continue
        derived = not word.startswith(("train", "pretrain", "pre-train")) or s.word(verb - 1) in {
            "continue",
            "continued",
            "continuing",
            "further",
            "continually",
        }
        if derived:
            return [SELF] if s.self_referent(verb) else []
        return _untooled(s, groups[0])
    return []


def _introduced(s: Sentence, floor: int, start: int) -> list[Item] | None:
    """``we introduce X, ... across L``: the group the clause introduces, before the cue."""
    c = cues()
    for token in range(floor, start):
        if s.lowers[token] not in c.introduce_verbs:
            continue
        after = token + 1
        while after < start and s.lowers[after] in {"the", "a", "an", "our", "new"}:
            after += 1
        for group in s.groups(HOLDERS, after, start):
            return group if group[0].first == after else None
        return _colon_named(s, start)
    return None


def _colon_named(s: Sentence, start: int) -> list[Item] | None:
    """``we release a new model for L1 and L2 ...: X.``: the name that closes the sentence."""
    groups = s.groups(HOLDERS, start, len(s.lowers))
    if not groups:
        return None
    group = groups[-1]
    if s.word(group[0].first - 1) != ":" or s.word(group[-1].end) not in {".", ""}:
        return None
    return group

"""Extraction for one paper: title and abstract in, entities and relations out.

The title and the abstract run through the pipeline as two Docs, each on its
white-space-collapsed copy; offsets are mapped back at the end
(``kg.extract.offsets``), so that they index the user's own strings
(``field[start:end] == text``). Then, at the paper level:

1. names typed anywhere in the paper are found again wherever else they occur
   (``Voxtral`` in the title once the abstract says "we introduce Voxtral, a
   ... model");
2. acronym pairs join their long and short names into one entity;
3. mentions group into canonical entities (``kg.resolve``);
4. relations run on the final mentions, and ``SELF`` binds to the paper's own
   introduced model;
5. model variants link to their family (VARIANT_OF), and lexicon facts add
   DEVELOPED_BY.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.candidates import Mention, token_info
from kg.extract.consistency import make_consistent
from kg.extract.offsets import OffsetMap, collapse_with_map
from kg.extract.relations import OWN_DATA, SELF, RelationHit, cues
from kg.resolve import entity_key, family_name, fold

FIELDS = ("title", "abstract")
_PROPAGATE_MIN_SCORE = 0.7
#: Evidence sentences longer than this (a 1 MB abstract without full stops) are cut.
MAX_EVIDENCE_CHARS = 1000


@dataclass
class _Entity:
    label: str
    key: str
    names: Counter[str] = field(default_factory=Counter)
    canonical: str | None = None
    kind: str | None = None
    introduced: bool = False
    family: str | None = None
    developer: str | None = None
    mentions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        if self.canonical:
            return self.canonical
        return max(self.names, key=lambda n: (self.names[n], len(n)))


def extract_paper(
    nlp: Language, paper_id: str, title: str, abstract: str, *, input_ids: Sequence[str] = ()
) -> dict[str, Any]:
    """Run the pipeline on one paper and return its extraction record (see README).

    The record's ``id`` is the input's own id (the first of ``input_ids``), verbatim, so
    that users can join the results to their records; ``paper_id`` is kg's key of the
    paper, and ``input_ids`` lists every input id when duplicates were merged into it.
    """
    relations_pipe = nlp.get_pipe("kg_relations")
    fields = {
        name: collapse_with_map(text) for name, text in zip(FIELDS, (title, abstract), strict=True)
    }
    docs = {name: _run(nlp, name, text) for name, (text, _) in fields.items()}
    _propagate(docs)
    make_consistent(docs)
    for doc in docs.values():
        relations_pipe(doc)
    entities, mention_keys = _entities(docs)
    record: dict[str, Any] = {"id": input_ids[0] if input_ids else paper_id, "paper_id": paper_id}
    if len(input_ids) > 1:
        record["input_ids"] = list(input_ids)
    record.update(
        title=title,
        entities=[_entity_json(entity) for entity in entities.values()],
        relations=_relations(docs, entities, mention_keys),
    )
    maps = {name: offsets for name, (_, offsets) in fields.items() if offsets is not None}
    if maps:
        _restore_offsets(record, docs, maps)
    return record


def _restore_offsets(
    record: dict[str, Any], docs: dict[str, Doc], maps: dict[str, OffsetMap]
) -> None:
    """Turn the collapsed copies' offsets into offsets in the user's own strings.

    Mention texts and sentences become slices of the user's string (a sentence cut to a
    window around a mention stays as it was), so ``field[start:end] == text`` holds.
    """
    for entity in record["entities"]:
        for mention in entity["mentions"]:
            offsets = maps.get(mention["field"])
            if offsets is None:
                continue
            doc = docs[mention["field"]]
            sentence = _sentence_bounds(doc, mention["start"])
            mention["sentence"] = _original_slice(doc, offsets, sentence, mention["sentence"])
            mention["start"], mention["end"] = offsets.span(mention["start"], mention["end"])
            mention["text"] = offsets.original[mention["start"] : mention["end"]]
    for relation in record["relations"]:
        evidence = relation.get("evidence")
        offsets = maps.get(evidence["field"]) if evidence else None
        if evidence is None or offsets is None:
            continue
        doc = docs[evidence["field"]]
        bounds = (evidence["start"], evidence["end"])
        evidence["sentence"] = _original_slice(doc, offsets, bounds, evidence["sentence"])
        evidence["start"], evidence["end"] = offsets.span(*bounds)
        if "trigger_start" in evidence:
            evidence["trigger_start"], evidence["trigger_end"] = offsets.span(
                evidence["trigger_start"], evidence["trigger_end"]
            )


def _original_slice(doc: Doc, offsets: OffsetMap, bounds: tuple[int, int], shown: str) -> str:
    """The user's own text of ``bounds`` when ``shown`` is the whole of it, else ``shown``."""
    start, end = bounds
    if shown != _text(doc)[start:end]:
        return shown  # a window of a huge sentence
    start, end = offsets.span(start, end)
    return offsets.original[start:end]


def _run(nlp: Language, name: str, text: str) -> Doc:
    doc = nlp.make_doc(text)
    doc.user_data["kg_field"] = name
    doc.user_data["kg_text"] = text
    # kg_relations runs later, on the final mentions. (Skipped by name here: entering
    # nlp.select_pipes for every Doc cost more than some of the components.)
    for pipe_name, component in nlp.pipeline:
        if pipe_name != "kg_relations":
            doc = component(doc)
    return doc


# --- 1. propagation ---------------------------------------------------------------
def _propagate(docs: dict[str, Doc]) -> None:
    """Tag every other occurrence of a name the paper typed with confidence."""
    known: dict[tuple[str, ...], Mention] = {}
    for doc in docs.values():
        info = token_info(doc)
        for mention in doc._.kg_mentions:
            tokens = info.token_bounds(mention.start, mention.end)
            if tokens is not None and mention.score >= _PROPAGATE_MIN_SCORE:
                known.setdefault(tuple(info.texts[tokens[0] : tokens[1]]), mention)
    if not known:
        return
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for words in sorted(known, key=len, reverse=True):
        by_first.setdefault(words[0], []).append(words)
    for doc in docs.values():
        _propagate_in(doc, known, by_first)


def _propagate_in(
    doc: Doc, known: dict[tuple[str, ...], Mention], by_first: dict[str, list[tuple[str, ...]]]
) -> None:
    """Scan left to right; a match skips its tokens. Only words that start a name are visited."""
    mentions: list[Mention] = doc._.kg_mentions
    taken = {i for m in mentions for i in range(m.start, m.end)}
    added = []
    info = token_info(doc)
    texts = info.texts
    text = _text(doc)
    resume = 0
    for index in [i for i, word in enumerate(texts) if word in by_first]:
        if index < resume:
            continue
        match = next(
            (w for w in by_first[texts[index]] if tuple(texts[index : index + len(w)]) == w),
            None,
        )
        if match is None:
            continue
        start, end = info.char_bounds(index, index + len(match))
        if not any(i in taken for i in range(start, end)):
            added.append(_copy_mention(known[match], start, end, text[start:end]))
        resume = index + len(match)
    if added:
        doc._.kg_mentions = sorted([*mentions, *added], key=lambda m: m.start)


def _copy_mention(source: Mention, start: int, end: int, text: str) -> Mention:
    return Mention(
        start=start,
        end=end,
        label=source.label,
        text=text,
        rule="propagate",
        score=source.score * 0.9,
        canonical=source.canonical,
        kind=source.kind,
        family=source.family,
        developer=source.developer,
    )


# --- 2 and 3. entities ----------------------------------------------------------------
def _entities(docs: dict[str, Doc]) -> tuple[dict[str, _Entity], dict[tuple[str, int], str]]:
    aliases = _acronym_aliases(docs)
    entities: dict[str, _Entity] = {}
    mention_keys: dict[tuple[str, int], str] = {}
    for field_name, doc in docs.items():
        for index, mention in enumerate(doc._.kg_mentions):
            key = _mention_key(mention)
            key = aliases.get(key, key)
            mention_keys[(field_name, index)] = key
            entity = entities.setdefault(key, _Entity(mention.label, key))
            _add_mention(entity, field_name, doc, mention)
    return entities, mention_keys


def _mention_key(mention: Mention) -> str:
    return entity_key(mention.label, mention.canonical or _clean_name(mention.text))


def _clean_name(text: str) -> str:
    return text[:-2] if text.endswith(("'s", "’s")) else text


def _acronym_aliases(docs: dict[str, Doc]) -> dict[str, str]:
    """Map the short form's key to the long form's key for every acronym pair of typed names."""
    aliases: dict[str, str] = {}
    for doc in docs.values():
        by_span = {(m.start, m.end): m for m in doc._.kg_mentions}
        for pair in doc._.kg_acronyms or []:
            long_span = doc[pair.long_start : pair.long_end]
            short_span = doc[pair.short_start : pair.short_end]
            long_m = by_span.get((long_span.start_char, long_span.end_char))
            short_m = by_span.get((short_span.start_char, short_span.end_char))
            if long_m is None and short_m is not None and short_m.rule.startswith(_NAMES_LONG):
                long_m = _long_form_mention(doc, short_m, long_span)
            elif short_m is None and long_m is not None and long_m.rule.startswith("lexicon"):
                # "Universal Dependencies (UD)": the short form defined here names it too
                short_m = _long_form_mention(doc, long_m, short_span)
                short_m.rule = "acronym.short-form"
            if long_m is not None and short_m is not None and long_m.label == short_m.label:
                aliases[_mention_key(long_m)] = (
                    _mention_key(short_m) if short_m.canonical else _mention_key(long_m)
                )
                aliases[_mention_key(short_m)] = aliases[_mention_key(long_m)]
    return aliases


#: Rules whose short form also names its spelled-out long form: a curated name, or a
#: name the paper defines in parentheses and reuses (kg.extract.acronyms).
_NAMES_LONG = ("lexicon", "acronym.reuse")


def _long_form_mention(doc: Doc, short: Mention, long_span: Any) -> Mention:
    """A known acronym's spelled-out form becomes a mention of the same entity."""
    mention = _copy_mention(short, long_span.start_char, long_span.end_char, long_span.text)
    mention.rule = "acronym.long-form"
    doc._.kg_mentions = sorted([*doc._.kg_mentions, mention], key=lambda m: m.start)
    return mention


def _add_mention(entity: _Entity, field_name: str, doc: Doc, mention: Mention) -> None:
    entity.names[_clean_name(mention.text)] += 1
    entity.canonical = entity.canonical or mention.canonical
    entity.kind = entity.kind or mention.kind
    entity.introduced = entity.introduced or mention.introduced
    entity.family = entity.family or mention.family
    entity.developer = entity.developer or mention.developer
    entity.mentions.append(
        {
            "field": field_name,
            "start": mention.start,
            "end": mention.end,
            "text": mention.text,
            "sentence": _sentence(doc, mention.start),
            "rule": mention.rule,
            "score": round(mention.score, 3),
        }
    )


def _sentence(doc: Doc, char: int) -> str:
    """The sentence around ``char``; a window of it when the sentence is huge.

    ``Token.sent`` walks the whole Doc on every call, so the sentence bounds
    are collected once per Doc and searched with bisect.
    """
    text = _text(doc)
    bounds: list[tuple[int, int]] | None = doc.user_data.get("kg_sent_bounds")
    if bounds is None:
        info = token_info(doc)
        bounds = [info.char_bounds(start, end) for start, end in info.sentences]
        doc.user_data["kg_sent_bounds"] = bounds
    position = bisect.bisect_right(bounds, (char, len(text) + 1)) - 1
    if position < 0:
        return _window(text, char, char)
    start, end = bounds[position]
    if end - start <= MAX_EVIDENCE_CHARS:
        return text[start:end]
    return _window(text, char, char)


def _text(doc: Doc) -> str:
    """The Doc's text; ``Doc.text`` rebuilds it from every token on each call."""
    text: str = doc.user_data["kg_text"]
    return text


def _window(text: str, start: int, end: int) -> str:
    """At most ``MAX_EVIDENCE_CHARS`` of ``text`` around ``start:end``."""
    half = MAX_EVIDENCE_CHARS // 2
    return text[max(0, start - half) : end + half].strip()


def _entity_json(entity: _Entity) -> dict[str, Any]:
    name = entity.name
    record: dict[str, Any] = {
        "type": entity.label,
        "name": name,
        "key": entity.key,
        "aliases": sorted(n for n in entity.names if n != name),
        "introduced": entity.introduced,
        "mentions": entity.mentions,
    }
    if entity.label == "Language":
        record["kind"] = entity.kind or "natural"
    if entity.label == "Model":
        family = (
            entity.family
            if entity.family and fold(entity.family) != fold(name)
            else family_name(name)
        )
        if family:
            record["family"] = family
    return record


# --- 4 and 5. relations ---------------------------------------------------------------
#: Where a relation comes from (RELATION_FORMAT.md): stated in the text, following from two
#: names of the paper, or a fact of kg's lexicon (no evidence, no supporting paper).
TEXT, NAME, KNOWLEDGE = "text", "name", "knowledge"


def _relations(
    docs: dict[str, Doc], entities: dict[str, _Entity], mention_keys: dict[tuple[str, int], str]
) -> list[dict[str, Any]]:
    own = _own(docs, entities, mention_keys, "Model")  # what SELF binds to
    own_data = _own(docs, entities, mention_keys, "Dataset")
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for field_name, doc in docs.items():
        for hit in doc._.kg_relations or []:
            record = _relation(field_name, doc, hit, entities, mention_keys, (own, own_data))
            if record is not None:
                found.setdefault((record["type"], record["source"], record["target"]), record)
    derived = {(r["source"], r["target"]) for r in found.values() if r["type"] == "FINE_TUNED_FROM"}
    for record in [*_variant_relations(docs, entities, own), *_developer_facts(entities)]:
        if record["type"] == "VARIANT_OF" and (record["source"], record["target"]) in derived:
            continue  # "X, fine-tuned from Y": the text says more than the names
        found.setdefault((record["type"], record["source"], record["target"]), record)
    return list(found.values())


def _own(
    docs: dict[str, Doc],
    entities: dict[str, _Entity],
    mention_keys: dict[tuple[str, int], str],
    label: str,
) -> str | None:
    """The paper's own entity of ``label`` (``SELF`` binds to its model, ``OWN_DATA`` to its
    dataset): the one it introduces, else the one its title opens with (``Mistral 7B``,
    ``BLOOM: A ... Model``, ``RedPajama: an Open Dataset``)."""
    introduced = next((e.key for e in entities.values() if e.introduced and e.label == label), None)
    if introduced is not None:
        return introduced
    for index, mention in enumerate(docs["title"]._.kg_mentions or []):
        opening = _text(docs["title"])[: mention.start].strip().lower()
        if mention.label == label and opening in {"", "the", "introducing"}:
            return mention_keys.get(("title", index))
    return None


def _relation(
    field_name: str,
    doc: Doc,
    hit: RelationHit,
    entities: dict[str, _Entity],
    mention_keys: dict[tuple[str, int], str],
    own: tuple[str | None, str | None],
) -> dict[str, Any] | None:
    """The record of one hit; ``own`` is the paper's own model and dataset."""
    source = own[0] if hit.source == SELF else mention_keys.get((field_name, hit.source))
    if hit.target == SELF:  # "X -- Instruct, fine-tuned ...": from the model X's name extends
        target = _extended(entities, source)
    elif hit.target == OWN_DATA:  # "these datasets have been used to train X"
        target = own[1]
    else:
        target = mention_keys.get((field_name, hit.target))
    if source is None or target is None or source == target:
        return None
    return _relation_record(
        hit.type, entities[source], entities[target], hit.rule, hit.score, TEXT,
        {"field": field_name, "start": hit.sentence_start, "end": hit.sentence_end,
         "sentence": _evidence_text(_text(doc), hit),
         "trigger_start": hit.trigger_start, "trigger_end": hit.trigger_end},
    )  # fmt: skip


def _extended(entities: dict[str, _Entity], derived: str | None) -> str | None:
    """The paper's model whose name ``derived`` extends (``Mistral 7B -- Instruct`` extends
    ``Mistral 7B``): the longest such name, if any."""
    if derived is None:
        return None
    name = fold(entities[derived].name)
    if name.rsplit("-", 1)[-1] not in cues().tuning_suffixes:
        return None  # the entity is not itself the tuned variant
    bases = [
        e for e in entities.values()
        if e.label == "Model" and e.key != derived and name.startswith(fold(e.name) + "-")
    ]  # fmt: skip
    return max(bases, key=lambda e: len(e.name)).key if bases else None


def _evidence_text(text: str, hit: RelationHit) -> str:
    if hit.sentence_end - hit.sentence_start <= MAX_EVIDENCE_CHARS:
        return text[hit.sentence_start : hit.sentence_end]
    return _window(text, hit.sentence_start, hit.sentence_start)


def _relation_record(
    rel_type: str,
    source: _Entity,
    target: _Entity | tuple[str, str, str],
    rule: str,
    score: float,
    provenance: str,
    evidence: dict[str, Any] | None,
) -> dict[str, Any]:
    """One relation of the extraction record; ``knowledge`` relations carry no evidence."""
    target_key, target_name, target_type = (
        (target.key, target.name, target.label) if isinstance(target, _Entity) else target
    )
    record = {
        "type": rel_type,
        "source": source.key,
        "target": target_key,
        "source_name": source.name,
        "target_name": target_name,
        "source_type": source.label,
        "target_type": target_type,
        "provenance": provenance,
        "rule": rule,
        "score": score,
    }
    if evidence is not None:
        record["evidence"] = evidence
    return record


def _name_evidence(docs: dict[str, Doc], entity: _Entity) -> dict[str, Any]:
    """The sentence that names ``entity`` first: its field, character span and text."""
    mention = entity.mentions[0]
    doc = docs[mention["field"]]
    start, end = _sentence_bounds(doc, mention["start"])
    return {"field": mention["field"], "start": start, "end": end, "sentence": mention["sentence"]}


def _sentence_bounds(doc: Doc, char: int) -> tuple[int, int]:
    """The character span of the sentence around ``char`` (as ``_sentence`` finds it)."""
    _sentence(doc, char)  # fills kg_sent_bounds
    bounds: list[tuple[int, int]] = doc.user_data["kg_sent_bounds"]
    position = bisect.bisect_right(bounds, (char, len(_text(doc)) + 1)) - 1
    return bounds[position] if position >= 0 else (char, char)


def _variant_relations(
    docs: dict[str, Doc], entities: dict[str, _Entity], own: str | None
) -> list[dict[str, Any]]:
    """A member and its family.

    ``name`` when the member's name extends another model name of the paper by a
    size or flavour (``Llama 2 13B`` of ``Llama 2``, ``Voxtral Mini`` of ``Voxtral``),
    not by a version (``GLM-4`` is no variant of ``GLM``), and not when it is only
    the paper's own model with its size (``Meltemi 7B`` called ``Meltemi``);
    otherwise a lexicon family is ``knowledge``.
    """
    records = []
    for entity in entities.values():
        if entity.label != "Model":
            continue
        named = _named_family(entities, entity, own)
        if named is not None:
            evidence = _name_evidence(docs, entity)
            records.append(
                _relation_record("VARIANT_OF", entity, named, "resolve.family", 0.9, NAME, evidence)
            )
            continue
        family = _entity_json(entity).get("family")
        if not family:
            continue
        family_key = entity_key("Model", family)
        target = (family_key, family, "Model")
        records.append(
            _relation_record("VARIANT_OF", entity, target, "resolve.family", 0.9, KNOWLEDGE, None)
        )
    return records


_SIZE_PART = re.compile(r"^(?:\d+(?:\.\d+)?[bmkt]|\d+x|\d+)$")


def _named_family(entities: dict[str, _Entity], member: _Entity, own: str | None) -> _Entity | None:
    """The longest model name of the paper that ``member``'s name extends by a variant."""
    name = fold(member.name)
    best: _Entity | None = None
    for other in entities.values():
        base = fold(other.name)
        if other.label != "Model" or other.key == member.key or not name.startswith(base + "-"):
            continue
        parts = name[len(base) + 1 :].split("-")
        if parts[0].isdigit() or parts[0].startswith("v"):
            continue  # a version: GLM-4 of GLM, StarCoder2 of StarCoder
        if member.key == own and all(_SIZE_PART.match(part) for part in parts):
            continue  # the paper's own model by its size: "Meltemi 7B", also "Meltemi"
        if other.key == own and _title_only(other) and _one_sized_member(entities, other):
            continue  # "Meltemi: ..." titles the one model the abstract calls "Meltemi 7B"
        if best is None or len(base) > len(fold(best.name)):
            best = other
    return best


def _title_only(entity: _Entity) -> bool:
    return all(mention["field"] == "title" for mention in entity.mentions)


def _one_sized_member(entities: dict[str, _Entity], family: _Entity) -> bool:
    """Whether exactly one model of the paper is ``family``'s name plus a size or a size word."""
    base = fold(family.name) + "-"
    sized = [
        e for e in entities.values()
        if e.label == "Model" and fold(e.name).startswith(base)
        and all(_SIZE_PART.match(part) or part in _SIZE_WORDS
                for part in fold(e.name)[len(base):].split("-"))
    ]  # fmt: skip
    return len(sized) == 1


_SIZE_WORDS = frozenset({"small", "medium", "large", "mini", "tiny", "base", "xl", "xxl"})


def _developer_facts(entities: dict[str, _Entity]) -> list[dict[str, Any]]:
    """The lexicon's developer of a known model or dataset: knowledge, never evidence."""
    records = []
    for entity in entities.values():
        if entity.developer and entity.canonical:
            target = (
                entity_key("Organization", entity.developer),
                entity.developer,
                "Organization",
            )
            records.append(
                _relation_record(
                    "DEVELOPED_BY", entity, target, "lexicon.developer", 0.6, KNOWLEDGE, None
                )
            )
    return records

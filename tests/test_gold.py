"""Validate the hand-made truth data under tests/data/.

* ``gold/seeds.jsonl``: entity and relation annotations of seed abstracts (see
  docs/annotation.md).
* ``gold/dev_relations.jsonl``: the same annotations of unseen corpus abstracts
  (annotation.md section 10), checked with the same document and relation rules.
* ``listing_expected.json``: hand-checked title / author splits of the listing seeds.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, cast

import pytest

from kg.model import collapse_space, normalize_title, title_hash_id
from kg.schema import EXTRACTED_REL_TYPES

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
GOLD = DATA / "gold" / "seeds.jsonl"
DEV = DATA / "gold" / "dev.jsonl"
DEV_RELATIONS = DATA / "gold" / "dev_relations.jsonl"
#: The corpora the relation dev set is drawn from (``source`` is ``<corpus>:<line>``).
CORPORA = frozenset({"arxiv_cs_daily", "acl_anthology", "arxiv_cs_cl_2018"})
MIN_DEV_RELATION_DOCS = 25
LISTING = DATA / "listing_expected.json"
SEEDS = ROOT / "examples"

ENTITY_TYPES = frozenset({"Model", "Dataset", "Organization", "Language"})
DOC_KEYS = frozenset({"id", "title", "abstract", "source", "entities"})
OPTIONAL_DOC_KEYS = frozenset({"also_sources", "relations"})
ENTITY_KEYS = frozenset({"type", "name", "aliases", "uncertain"})
RELATION_KEYS = frozenset({"type", "source", "target", "uncertain"})
OPTIONAL_RELATION_KEYS = frozenset({"note"})
#: The entity types each relation type may connect (source types, target types).
RELATION_ENDPOINTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "TRAINED_ON": (frozenset({"Model"}), frozenset({"Dataset"})),
    "EVALUATED_ON": (frozenset({"Model"}), frozenset({"Dataset"})),
    "FINE_TUNED_FROM": (frozenset({"Model"}), frozenset({"Model"})),
    "VARIANT_OF": (frozenset({"Model"}), frozenset({"Model"})),
    "OUTPERFORMS": (frozenset({"Model"}), frozenset({"Model"})),
    "DEVELOPED_BY": (frozenset({"Model", "Dataset"}), frozenset({"Organization"})),
    "COVERS_LANGUAGE": (frozenset({"Model", "Dataset"}), frozenset({"Language"})),
}
LISTING_KEYS = frozenset({"file", "line", "title", "first_author", "authors", "org_tags"})
MIN_DOCS = 80
MIN_RELATIONS = 400


def _load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assert line.strip(), f"line {number} is blank"
        value = json.loads(line)
        assert isinstance(value, dict), f"line {number} is not a JSON object"
        docs.append(cast("dict[str, Any]", value))
    return docs


def _entities(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return cast("list[dict[str, Any]]", doc["entities"])


def _forms(entity: dict[str, Any]) -> list[str]:
    return [cast(str, entity["name"]), *cast("list[str]", entity["aliases"])]


def _seed_lines(name: str) -> list[str]:
    return (SEEDS / name).read_text(encoding="utf-8").splitlines()


def _occurs_as_token(form: str, text: str) -> bool:
    """True if ``form`` occurs in ``text`` not glued to a word on either side.

    A digit may follow (page dumps glue footnote marks: "Hugging Face1").
    """
    start = text.find(form)
    while start != -1:
        end = start + len(form)
        before_ok = start == 0 or not text[start - 1].isalnum()
        after_ok = end == len(text) or not text[end].isalpha()
        if before_ok and after_ok:
            return True
        start = text.find(form, start + 1)
    return False


GOLD_DOCS = _load_gold()
DOC_IDS = [cast(str, doc.get("source", f"line-{i}")) for i, doc in enumerate(GOLD_DOCS, 1)]
DEV_RELATION_DOCS = _load_gold(DEV_RELATIONS)
#: Every annotated document with relations: the format rules hold for both files.
ALL_DOCS = GOLD_DOCS + DEV_RELATION_DOCS
ALL_IDS = DOC_IDS + [
    f"dev_relations:{doc.get('source', i)}" for i, doc in enumerate(DEV_RELATION_DOCS, 1)
]


def test_gold_size_and_types() -> None:
    assert len(GOLD_DOCS) >= MIN_DOCS
    types = {cast(str, e["type"]) for doc in GOLD_DOCS for e in _entities(doc)}
    assert types == ENTITY_TYPES


def test_gold_ids_are_unique() -> None:
    counts = Counter(cast(str, doc["id"]) for doc in GOLD_DOCS)
    assert [key for key, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("doc", ALL_DOCS, ids=ALL_IDS)
def test_gold_document(doc: dict[str, Any]) -> None:
    keys = set(doc)
    assert keys >= DOC_KEYS, f"missing keys {DOC_KEYS - keys}"
    unknown = keys - DOC_KEYS - OPTIONAL_DOC_KEYS
    assert not unknown, f"unknown keys {unknown}"
    title, abstract = doc["title"], doc["abstract"]
    assert isinstance(title, str) and title == collapse_space(title) and title
    assert isinstance(abstract, str) and abstract == collapse_space(abstract) and abstract
    assert doc["id"] == title_hash_id(title)
    assert isinstance(doc["entities"], list)

    text = f"{title} {abstract}"
    seen: set[str] = set()
    for entity in _entities(doc):
        assert isinstance(entity, dict)
        assert set(entity) == ENTITY_KEYS, f"entity keys {sorted(entity)}"
        assert entity["type"] in ENTITY_TYPES, entity
        assert isinstance(entity["name"], str) and entity["name"].strip() == entity["name"]
        assert isinstance(entity["aliases"], list)
        assert all(isinstance(alias, str) for alias in entity["aliases"])
        assert isinstance(entity["uncertain"], bool)
        for form in _forms(entity):
            assert form, "empty name or alias"
            assert form in text, f"{form!r} does not occur verbatim in title + abstract"
            assert _occurs_as_token(form, text), f"{form!r} only occurs inside a longer word"
            key = form.casefold()
            assert key not in seen, f"{form!r} is listed twice in this document"
            seen.add(key)


def test_every_document_has_relation_gold() -> None:
    assert [doc["id"] for doc in GOLD_DOCS if not isinstance(doc.get("relations"), list)] == []
    total = sum(len(doc["relations"]) for doc in GOLD_DOCS)
    assert total >= MIN_RELATIONS
    types = {cast(str, r["type"]) for doc in GOLD_DOCS for r in doc["relations"]}
    assert types == set(EXTRACTED_REL_TYPES)


def test_dev_relation_set_is_unseen_and_annotated() -> None:
    """The relation dev set holds only papers no seed or entity-dev document has."""
    assert len(DEV_RELATION_DOCS) >= MIN_DEV_RELATION_DOCS
    ids = Counter(cast(str, doc["id"]) for doc in DEV_RELATION_DOCS)
    assert [key for key, n in ids.items() if n > 1] == []
    seen = {normalize_title(cast(str, doc["title"])) for doc in GOLD_DOCS + _load_gold(DEV)}
    titles = [cast(str, doc["title"]) for doc in DEV_RELATION_DOCS]
    assert [title for title in titles if normalize_title(title) in seen] == []
    for doc in DEV_RELATION_DOCS:
        assert isinstance(doc.get("relations"), list), doc["source"]
        corpus, _, line = cast(str, doc["source"]).partition(":")
        assert corpus in CORPORA and line.isdigit() and int(line) >= 1, doc["source"]


def test_relation_endpoint_table_covers_the_schema() -> None:
    assert set(RELATION_ENDPOINTS) == set(EXTRACTED_REL_TYPES)


@pytest.mark.parametrize("doc", ALL_DOCS, ids=ALL_IDS)
def test_gold_relations(doc: dict[str, Any]) -> None:
    types = {cast(str, e["name"]): cast(str, e["type"]) for e in _entities(doc)}
    relations = cast("list[dict[str, Any]]", doc.get("relations", []))
    assert isinstance(relations, list)
    seen: set[tuple[str, str, str]] = set()
    for relation in relations:
        assert isinstance(relation, dict)
        keys = set(relation)
        assert keys >= RELATION_KEYS, f"missing keys {RELATION_KEYS - keys}"
        assert not keys - RELATION_KEYS - OPTIONAL_RELATION_KEYS, f"keys {sorted(keys)}"
        rel_type, source, target = relation["type"], relation["source"], relation["target"]
        assert rel_type in RELATION_ENDPOINTS, relation
        assert source in types, f"source {source!r} is not an entity name of this document"
        assert target in types, f"target {target!r} is not an entity name of this document"
        assert source != target, relation
        sources, targets = RELATION_ENDPOINTS[rel_type]
        assert types[source] in sources, f"{rel_type} from a {types[source]}: {relation}"
        assert types[target] in targets, f"{rel_type} to a {types[target]}: {relation}"
        assert isinstance(relation["uncertain"], bool)
        if relation["uncertain"]:
            assert isinstance(relation.get("note"), str) and relation["note"], relation
        key = (rel_type, source, target)
        assert key not in seen, f"{key} is listed twice"
        seen.add(key)


@pytest.mark.parametrize("doc", GOLD_DOCS, ids=DOC_IDS)
def test_gold_sources_point_at_the_title(doc: dict[str, Any]) -> None:
    sources = [cast(str, doc["source"]), *cast("list[str]", doc.get("also_sources", []))]
    for source in sources:
        name, _, line = source.rpartition(":")
        lines = _seed_lines(name)
        number = int(line)
        assert 1 <= number <= len(lines), source
        assert doc["title"] in collapse_space(lines[number - 1]), source
        # Duplicate records carry the same title; only the primary one gives the abstract.
        if source == doc["source"]:
            assert number < len(lines), source
            assert collapse_space(lines[number]) == doc["abstract"], source


def test_listing_expected() -> None:
    records = cast("list[dict[str, Any]]", json.loads(LISTING.read_text(encoding="utf-8")))
    assert len(records) == 38
    for record in records:
        assert set(record) == LISTING_KEYS, record
        lines = _seed_lines(cast(str, record["file"]))
        first = cast(int, record["line"])
        title = cast(str, record["title"])
        authors = cast("list[str]", record["authors"])
        tags = cast("list[str]", record["org_tags"])
        title_line = lines[first]  # the 1-based line after the record's first line
        assert title_line.startswith(title), record
        assert authors and record["first_author"] == authors[0]
        rest = title_line[len(title) :]
        expected = ", ".join(authors)
        if rest.startswith(expected + " et al."):
            expected += " et al."
        if tags:
            expected += " · " + ", ".join(tags)
        assert rest == expected, record
    files = Counter(cast(str, record["file"]) for record in records)
    for name, count in files.items():
        assert len(_seed_lines(name)) == 3 * count, name

"""COVERS_LANGUAGE on made-up sentences in the shape of the annotation conventions.

Each test runs the real pipeline on one sentence and checks the relations the
relation component writes (``SELF`` is the paper's own work, bound later).
"""

from __future__ import annotations

from kg.extract import load_pipeline
from kg.extract.relations import RelationHit

NLP = load_pipeline()


def _covers(text: str) -> set[tuple[str, str]]:
    doc = NLP(text)
    mentions = doc._.kg_mentions

    def name(index: int) -> str:
        return "SELF" if index < 0 else str(mentions[index].text)

    hits: list[RelationHit] = doc._.kg_relations
    return {(name(h.source), name(h.target)) for h in hits if h.type == "COVERS_LANGUAGE"}


def test_a_long_list_after_one_cue_reaches_every_language() -> None:
    languages = ("English", "French", "German", "Italian", "Polish", "Czech", "Turkish", "Hindi")
    found = _covers(
        "Kestrel-7B is proficient in many languages, spanning English, French, German, "
        "Italian, Polish, Czech, Turkish, and Hindi."
    )
    assert {("Kestrel-7B", language) for language in languages} <= found


def test_a_described_noun_for_languages_before_the_list() -> None:
    found = _covers("Kestrel-7B is pretrained for 12 Nordic languages (Danish, Swedish, Faroese).")
    assert {("Kestrel-7B", "Danish"), ("Kestrel-7B", "Swedish"), ("Kestrel-7B", "Faroese")} <= found


def test_a_transfer_target_is_not_covered() -> None:
    found = _covers(
        "We experiment with the English-dominated Kestrel-7B for cross-lingual transfer "
        "to three Indic languages, Bengali, Hindi, and Tamil."
    )
    assert not {("Kestrel-7B", "Bengali"), ("Kestrel-7B", "Hindi"), ("Kestrel-7B", "Tamil")} & found
    assert any(source == "Kestrel-7B" and target.startswith("English") for source, target in found)


def test_a_parenthesised_list_before_the_head_noun() -> None:
    found = _covers("We release Kestrel-7B, a bilingual (English and Japanese) pre-trained model.")
    assert {("Kestrel-7B", "English"), ("Kestrel-7B", "Japanese")} <= found


def test_the_apposition_a_cue_belongs_to() -> None:
    assert ("Wrenbench", "Swahili") in _covers(
        "We introduce Wrenbench, a new benchmark designed for Swahili language understanding."
    )
    found = _covers("We compare against Falcon 40B -- the largest Arabic language model -- today.")
    assert ("Falcon 40B", "Arabic") in found


def test_languages_before_a_model_name() -> None:
    found = _covers("We release Czech, Polish, and Slovak Kestrel models under an open license.")
    assert {("Kestrel", "Czech"), ("Kestrel", "Polish"), ("Kestrel", "Slovak")} <= found


def test_a_fronted_language_belongs_to_the_name_after_the_comma() -> None:
    found = _covers("In the Rust programming language, Kestrel-7B beats Codex.")
    assert ("Kestrel-7B", "Rust") in found
    assert ("Codex", "Rust") not in found


def test_the_language_of_a_corpus_and_of_the_model_trained_on_it() -> None:
    found = _covers(
        "We pre-trained Kestrel-7B on a new dataset (named WrenCorpus) of Go and Rust programs."
    )
    assert {("WrenCorpus", "Go"), ("WrenCorpus", "Rust")} <= found
    assert {("Kestrel-7B", "Go"), ("Kestrel-7B", "Rust")} <= found


def test_a_further_pretrained_base_does_not_cover_the_new_language() -> None:
    found = _covers("We further pretrain Kestrel-7B on a corpus of Danish texts.")
    assert ("Kestrel-7B", "Danish") not in found
    assert ("SELF", "Danish") in found


def test_a_name_after_a_closing_colon() -> None:
    found = _covers(
        "We train and openly release a new generative language model for Danish, Icelandic, "
        "and Faroese with 7 billion parameters: Kestrel-7B."
    )
    assert {("Kestrel-7B", "Danish"), ("Kestrel-7B", "Faroese")} <= found


def test_a_compound_head_names_the_benchmark() -> None:
    found = _covers("Kestrel-7B beats its base model on the WrenEval Rust code benchmark.")
    assert ("WrenEval", "Rust") in found
    assert ("Kestrel-7B", "Rust") not in found


def test_an_apposition_after_the_head_noun() -> None:
    found = _covers("We also release the largest Swahili web dataset, WrenCorpus, with 2B tokens.")
    assert ("WrenCorpus", "Swahili") in found
    found = _covers("On the Swahili benchmarks, Kestrel-7B scores 61.2 points.")
    assert ("Kestrel-7B", "Swahili") not in found

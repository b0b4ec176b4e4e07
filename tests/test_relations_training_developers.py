"""TRAINED_ON and DEVELOPED_BY on made-up sentences in the shape of the annotation conventions.

Each test runs the real pipeline on one sentence and checks the relations the
relation component writes.
"""

from __future__ import annotations

from kg.extract import load_pipeline
from kg.extract.paper import extract_paper
from kg.extract.relations import RelationHit

NLP = load_pipeline()


def _hits(text: str, rel_type: str) -> set[tuple[str, str]]:
    doc = NLP(text)
    mentions = doc._.kg_mentions

    def name(index: int) -> str:
        return "SELF" if index < 0 else str(mentions[index].text)

    hits: list[RelationHit] = doc._.kg_relations
    return {(name(h.source), name(h.target)) for h in hits if h.type == rel_type}


# --- TRAINED_ON ----------------------------------------------------------------------------------
def test_a_corpus_used_to_train_a_model() -> None:
    assert ("Kestrel-7B", "WrenCorpus") in _hits(
        "WrenCorpus has been used to train Kestrel-7B, an open model.", "TRAINED_ON"
    )
    assert ("Kestrel-7B", "WrenCorpus") in _hits(
        "We collect WrenCorpus, a corpus that covers 300 languages and allows us to train "
        "Kestrel-7B.",
        "TRAINED_ON",
    )


def test_a_benchmark_used_for_training_is_not_training_data() -> None:
    found = _hits("WrenBench has been used to train Kestrel-7B.", "TRAINED_ON")
    assert ("Kestrel-7B", "WrenBench") not in found


def test_a_model_between_the_corpus_and_the_cue_blocks_it() -> None:
    found = _hits(
        "WrenCorpus was compared with the data of Kestrel-7B used to train Falcon 40B.",
        "TRAINED_ON",
    )
    assert ("Falcon 40B", "WrenCorpus") not in found


def test_a_dataset_named_for_its_model() -> None:
    assert ("Kestrel", "WrenWeb Dataset") in _hits(
        "The WrenWeb Dataset for Kestrel LLM", "TRAINED_ON"
    ) or ("Kestrel", "WrenWeb") in _hits("The WrenWeb Dataset for Kestrel LLM", "TRAINED_ON")
    assert not _hits("The WrenBench benchmark for Kestrel LLM", "TRAINED_ON")


def test_training_data_after_a_hyphenated_description() -> None:
    found = _hits(
        "We pre-trained Kestrel-7B on an HPC-specific dataset (named WrenCorpus) of C programs.",
        "TRAINED_ON",
    )
    assert ("Kestrel-7B", "WrenCorpus") in found


# --- DEVELOPED_BY --------------------------------------------------------------------------------
def test_an_organization_prefix_with_article_and_head_noun() -> None:
    assert ("Kestrel-7B", "OpenAI") in _hits(
        "We compare with the OpenAI Kestrel-7B model.", "DEVELOPED_BY"
    )


def test_an_organization_prefix_without_article_is_part_of_the_name() -> None:
    found = _hits("We compare with OpenAI Kestrel-7B and Meta.", "DEVELOPED_BY")
    assert ("Kestrel-7B", "OpenAI") not in found


def test_an_organization_before_hardware_is_no_developer() -> None:
    assert not _hits("Training on the Cerebras CS-2 was efficient.", "DEVELOPED_BY")


def test_the_possessive_of_an_apposition() -> None:
    assert ("Kestrel-7B", "Meta") in _hits(
        "We introduce Kestrel-7B, Meta's first reasoning model.", "DEVELOPED_BY"
    )


def test_models_by_an_organization_in_a_title() -> None:
    assert ("Kestrel-7B", "Meta") in _hits(
        "Kestrel-7B: Open Foundation Models by Meta", "DEVELOPED_BY"
    )


def test_the_subject_across_its_apposition() -> None:
    found = _hits(
        "Meta, a company based in California, releases Kestrel-7B and Kestrel-70B.", "DEVELOPED_BY"
    )
    assert {("Kestrel-7B", "Meta"), ("Kestrel-70B", "Meta")} <= found


def test_an_object_organization_does_not_reach_across_an_apposition() -> None:
    found = _hits(
        "We thank Meta, a company based in California, releases Kestrel-7B.", "DEVELOPED_BY"
    )
    assert ("Kestrel-7B", "Meta") not in found


def test_efforts_by_an_organization_to_build_a_corpus() -> None:
    assert ("WrenCorpus", "BigScience") in _hits(
        "This paper documents the efforts undertaken by BigScience to assemble the WrenCorpus "
        "corpus.",
        "DEVELOPED_BY",
    )


def test_a_purpose_phrase_names_the_data_the_main_clause_trains_on() -> None:
    found = _hits(
        "To show the viability of WrenCorpus, we train language models of 7 and 13 billion "
        "parameters named Kestrel-7B and Kestrel-13B, and obtain strong results.",
        "TRAINED_ON",
    )
    assert {("Kestrel-7B", "WrenCorpus"), ("Kestrel-13B", "WrenCorpus")} <= found
    evaluated = _hits("To show the viability of WrenCorpus, we evaluate Kestrel-7B.", "TRAINED_ON")
    assert ("Kestrel-7B", "WrenCorpus") not in evaluated


def _paper_training(title: str, abstract: str) -> set[tuple[str, str]]:
    record = extract_paper(NLP, "p1", title, abstract)
    return {
        (r["source_name"], r["target_name"])
        for r in record["relations"]
        if r["type"] == "TRAINED_ON" and r["provenance"] == "text"
    }


def test_these_datasets_are_the_papers_own_data() -> None:
    """``these datasets have been used in the training of ... such as A and B`` binds to the
    dataset the paper introduces; with no such dataset nothing is bound."""
    abstract = (
        "We describe how the corpus was built. To date, these datasets have already been used "
        "in the training of strong language models used in production, such as Kestrel-7B and "
        "Finch-13B."
    )
    found = _paper_training("WrenCorpus: an Open Dataset for Training Language Models", abstract)
    assert {("Kestrel-7B", "WrenCorpus"), ("Finch-13B", "WrenCorpus")} <= found
    assert _paper_training("Notes on Training Language Models", abstract) == set()

"""Names kg has never seen (issue 12, item 5): lists, appositives, defined names, citations.

The names here are made up, so no lexicon knows them: only the rule under
test can find them. Each sentence is written for its rule.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import spacy
from spacy.language import Language

import kg.extract.pipeline  # noqa: F401 - registers the factories and the tokenizer
from kg.extract import extract_paper
from kg.extract.candidates import register_extensions
from kg.extract.pipeline import load_pipeline


@cache
def _nlp() -> Language:
    return load_pipeline(validate=True)


def _entities(abstract: str, title: str = "A study") -> dict[str, str]:
    """Name (and alias) -> type of every entity extracted from a title and an abstract."""
    record: dict[str, Any] = extract_paper(_nlp(), "p", title, abstract)
    return {
        name: entity["type"]
        for entity in record["entities"]
        for name in [entity["name"], *entity["aliases"]]
    }


def _context_candidates(text: str) -> set[tuple[str, str, str]]:
    """(text, type, rule) of the candidates kg_lexicon + kg_context propose on a blank pipeline."""
    register_extensions()
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.ml_tokenizer.v1"}}})
    for pipe in ("kg_sentencizer", "kg_lexicon", "kg_context"):
        nlp.add_pipe(pipe)
    doc = nlp(text)
    return {(doc[c.start : c.end].text, c.label, c.rule) for c in doc._.kg_candidates or []}


# --- evaluation lists ---------------------------------------------------------------
def test_unknown_names_listed_with_known_benchmarks_are_datasets() -> None:
    found = _context_candidates("Results on MMLU, GSM8K, ZorbQA and BlipSet improve.")
    assert ("ZorbQA", "Dataset", "context.list") in found
    assert ("BlipSet", "Dataset", "context.list") in found


def test_unknown_names_listed_with_known_models_are_models() -> None:
    found = _entities("Existing systems such as Pythia, Quillformer, and OpenLLaMA lag behind.")
    assert found.get("Quillformer") == "Model"


@pytest.mark.parametrize(
    "abstract",
    [
        "We thank Google, Meta and Zorbco for support.",  # organizations type no list
        "We study Llama 2, MMLU and Zorbix together.",  # a model and a dataset
        "Code is at github.com/zorbuser/Llama-2 for all.",  # a path is no list
    ],
)
def test_lists_without_one_model_or_dataset_type_type_nothing(abstract: str) -> None:
    found = _entities(abstract)
    assert found.get("Zorbco") is None
    assert found.get("Zorbix") is None
    assert found.get("zorbuser") is None


# --- appositives ----------------------------------------------------------------------
def test_a_name_described_by_a_following_appositive() -> None:
    found = _entities("Few-shot results on Quokka, a suite of 14 Portuguese datasets, improve.")
    assert found.get("Quokka") == "Dataset"


def test_a_collective_head_with_a_long_modifier_is_typed_by_its_inner_head() -> None:
    found = _entities("We present Zephyrine, a suite of tiny speech recognition (ASR) models.")
    assert found.get("Zephyrine") == "Model"


def test_names_after_a_head_noun_between_commas_or_in_parentheses() -> None:
    found = _entities(
        "Next, we create a human-checked benchmark, QuillEval, consisting of nine tasks. "
        "We also build new datasets (FineQuill, Quill-Edu, and QuillTalk) for later stages."
    )
    assert found.get("QuillEval") == "Dataset"
    assert {found.get(name) for name in ("FineQuill", "Quill-Edu", "QuillTalk")} == {"Dataset"}


def test_an_appositive_method_is_no_entity() -> None:
    found = _entities("We rely on Quillprop, a novel attribution method, for analysis.")
    assert "Quillprop" not in found


# --- names a paper defines and reuses ---------------------------------------------------
def test_a_name_after_a_naming_verb_and_a_head_noun() -> None:
    found = _entities("We name our model Quizzle. Quizzle achieves 80% on MMLU.")
    assert found.get("Quizzle") == "Model"


def test_a_defined_acronym_is_typed_by_its_reuses_and_keeps_its_long_form() -> None:
    record: dict[str, Any] = extract_paper(
        _nlp(),
        "p",
        "A study",
        "We propose Sparse Harmonic Answer Reader (SHAR). SHAR achieves 80% on MMLU. "
        "We compare SHAR with GPT-4.",
    )
    hsau = next(e for e in record["entities"] if e["name"] == "SHAR")
    assert hsau["type"] == "Model"
    assert hsau["aliases"] == ["Sparse Harmonic Answer Reader"]
    assert len(hsau["mentions"]) == 4


def test_a_defined_acronym_reused_as_data_is_a_dataset() -> None:
    found = _entities(
        "We build the Legal Cases Across Borders (LCAB). Models trained on LCAB improve. "
        "LCAB contains 10k cases."
    )
    assert found.get("LCAB") == "Dataset"


def test_a_name_called_it_is_typed_by_its_reuse_at_a_sentence_start() -> None:
    found = _entities("We call it Zibble. Zibble outperforms GPT-4 on MMLU.")
    assert found.get("Zibble") == "Model"


def test_a_defined_acronym_without_type_cues_is_no_entity() -> None:
    found = _entities("We describe Sparse Harmonic Answer Reader (SHAR) in detail.")
    assert "SHAR" not in found


@pytest.mark.parametrize(
    "abstract",
    [
        "We propose Contrastive Token Alignment (CTA). CTA outperforms DPO on MMLU.",
        "We present Dual Instruction Tuning (DIT). DIT outperforms GPT-4 on MMLU.",
        "We use a Graph Convolutional Network (GCN). The GCN outperforms GPT-4 on MMLU.",
    ],
)
def test_an_acronym_whose_long_form_is_a_method_or_architecture_is_no_entity(abstract: str) -> None:
    found = _entities(abstract)
    assert set(found) == {"GPT-4", "MMLU"} or set(found) == {"MMLU"}


# --- citations --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "abstract",
    [
        "Following Smith and Jones (2019), our model outperforms Zorbwick et al. on MMLU.",
        "Our model is compared with Zorbwick et al. (2021) on MMLU.",
        "Our model outperforms the baseline (Zorbwick, 2020) and Zorbwick (2020) on MMLU.",
    ],
)
def test_cited_author_surnames_are_never_entities(abstract: str) -> None:
    found = _entities(abstract)
    assert not {"Smith", "Jones", "Zorbwick"} & set(found)
    assert found.get("MMLU") == "Dataset"


def test_a_name_before_a_citation_is_typed_by_its_head_noun() -> None:
    found = _entities(
        "Models improve on the Quuxle [4] benchmark. They also improve with the Zorbix "
        "(Kim et al., 2017) corpus."
    )
    assert found.get("Quuxle") == "Dataset"
    assert found.get("Zorbix") == "Dataset"


def test_citations_do_not_break_a_list_of_models() -> None:
    found = _entities(
        "Baselines are GPT-2 (Radford et al., 2019), Zorbformer (Lee and Kim, 2020) and BERT [5]."
    )
    assert found.get("Zorbformer") == "Model"


def test_an_authors_possessive_method_names_no_organization() -> None:
    found = _entities("We speed up Tesar and Quillby's RCD algorithm to be linear.")
    assert "Quillby" not in found

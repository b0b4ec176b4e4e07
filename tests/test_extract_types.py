"""Types and identity on the cases issue 12 lists (bundled-sample errors), one rule each.

Each text is a sentence written for the rule it tests (after the sample's
sentences); the expected types follow docs/annotation.md.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from spacy.language import Language

from kg.extract import extract_paper
from kg.extract.pipeline import load_pipeline


@cache
def _nlp() -> Language:
    return load_pipeline()


def _entities(abstract: str, title: str = "A study") -> dict[str, str]:
    """Name -> type of every entity extracted from a title and an abstract."""
    record: dict[str, Any] = extract_paper(_nlp(), "p", title, abstract)
    found = {}
    for entity in record["entities"]:
        for name in [entity["name"], *entity["aliases"]]:
            found[name] = entity["type"]
    return found


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("AstroLLaMA: Towards Specialized Foundation Models in Astronomy", "AstroLLaMA"),
        ("YuE: Scaling Open Foundation Models for Long-Form Music Generation", "YuE"),
        ("Pelican-VL 1.0: A Foundation Brain Model for Embodied Intelligence", "Pelican-VL 1.0"),
        ("Dino U-Net: Exploiting Dense Features from Foundation Models for Segmentation",
         "Dino U-Net"),
    ],
)  # fmt: skip
def test_foundation_model_titles_name_models_not_organizations(title: str, name: str) -> None:
    assert _entities("We study it.", title).get(name) == "Model"


def test_an_introduced_foundation_model_is_a_model() -> None:
    found = _entities("We present CodeShell-Base, a seven billion-parameter foundation model.")
    assert found.get("CodeShell-Base") == "Model"


def test_a_possessive_owner_followed_by_a_size_is_a_model() -> None:
    found = _entities("We release the checkpoints of TeleChat's 7B and 12B variant.")
    assert found.get("TeleChat") != "Organization"


def test_a_sized_collection_of_models_is_a_model() -> None:
    found = _entities("In this study, we introduce Orion-14B, a collection of multilingual models.")
    assert found.get("Orion-14B") == "Model"


def test_a_suite_of_models_is_a_model() -> None:
    found = _entities("We pre-train and release Goldfish, a suite of monolingual language models.")
    assert found.get("Goldfish") == "Model"


@pytest.mark.parametrize(
    ("abstract", "name"),
    [
        ("Results were validated using McNemars test and effect size analysis.", "McNemars"),
        ("We evaluate our model on text classification and POS-tagging tasks.", "POS-tagging"),
        ("Experiments on QA and NLI tasks show gains.", "NLI"),
        ("We have curated a G2P dataset that covers 100 languages.", "G2P"),
        ("We introduce MILU, a Multi task Indic Language Understanding Benchmark.", "Multi"),
        ("We release LLAMA-2 models finetuned on the V2 mixture.", "V2"),
        ("Octopus v4, an evolution of the Octopus v1, v2, and v3 models, excels.", "v3"),
        ("Compared with the FasterTransformer, EnergonAI is faster.", "FasterTransformer"),
        ("Post-Training W4A8 Quantization Using Floating-Point Formats works.", "W4A8"),
        ("BAGEL is a unified, decoder0only model pretrained on trillions of tokens.",
         "decoder0only"),
        ("Retraining 0.3% of the parameters of GPT-architectures suffices.", "GPT-architectures"),
        ("We use the Taylor series expansion of the loss.", "Taylor"),
        ("LLMs hallucinate [Hua+24], with serious consequences [Kay23; AM23].", "Kay23"),
        ("We answer RQ1 and RQ2 with experiments on the benchmarks.", "RQ1"),
    ],
)  # fmt: skip
def test_non_entities_are_not_extracted(abstract: str, name: str) -> None:
    assert name not in _entities(abstract)


def test_european_in_a_title_is_no_dataset() -> None:
    assert "European" not in _entities("We train LLMs.", "Progress Report: Towards European LLMs")


def test_a_name_defined_as_a_method_is_no_entity_anywhere() -> None:
    found = _entities(
        "We propose TokenShapley, a novel token-level attribution method. "
        "Evaluations on four benchmarks show that TokenShapley outperforms baselines.",
        "TokenShapley: Token Level Context Attribution",
    )
    assert "TokenShapley" not in found


def test_one_name_keeps_one_type_across_title_and_abstract() -> None:
    found = _entities(
        "We present WUGNECTIVES, a dataset of 8,880 stimuli. We release WUGNECTIVES.",
        "WUGNECTIVES: Novel Entity Inferences of Language Models",
    )
    assert found.get("WUGNECTIVES") == "Dataset"


def test_a_surname_is_not_a_camel_case_model() -> None:
    assert "Colbert" not in _entities("Stephen Colbert at the shared task: markup for clickbait.")
    assert _entities("We compare ColBERT with BM25 retrieval.").get("ColBERT") == "Model"


def test_a_versioned_dataset_is_not_a_model() -> None:
    found = _entities("We train networks on ImageNet-2012 and report accuracy.")
    assert found.get("ImageNet-2012") != "Model"


def test_a_token_sized_corpus_named_after_training_is_a_dataset() -> None:
    found = _entities("LMMs trained on MINT-1T rival the models trained on OBELICS.")
    assert found.get("MINT-1T") == "Dataset"


def _keys(abstract: str) -> dict[str, str]:
    """Name (and alias) -> canonical key."""
    record: dict[str, Any] = extract_paper(_nlp(), "p", "A study", abstract)
    return {
        name: entity["key"]
        for entity in record["entities"]
        for name in [entity["name"], *entity["aliases"]]
    }


def _families(abstract: str) -> dict[str, str | None]:
    record: dict[str, Any] = extract_paper(_nlp(), "p", "A study", abstract)
    return {entity["name"]: entity.get("family") for entity in record["entities"]}


@pytest.mark.parametrize(
    ("abstract", "first", "second"),
    [
        ("Dolma comes from AI2, the Allen Institute for AI.", "AI2", "Allen Institute for AI"),
        ("Meta released Llama 2; Meta AI also released SAM.", "Meta", "Meta AI"),
        ("We study Bangla texts and compare Bengali speakers.", "Bangla", "Bengali"),
        ("We study Farsi texts and Persian speakers.", "Farsi", "Persian"),
        ("We use Universal Dependencies (UD) treebanks. UD has 100 languages.",
         "UD", "Universal Dependencies"),
        ("Mistral 7B v0.1 is a model. Mistral 7B outperforms Llama 2 13B.",
         "Mistral 7B v0.1", "Mistral 7B"),
    ],
)  # fmt: skip
def test_aliases_resolve_to_one_node(abstract: str, first: str, second: str) -> None:
    keys = _keys(abstract)
    assert keys[first] == keys[second]


def test_versioned_releases_are_not_merged_into_their_family() -> None:
    keys = _keys("We compare GLM-130B and GLM-4 with other GLM models.")
    assert len({keys["GLM-130B"], keys["GLM-4"], keys["GLM"]}) == 3
    families = _families("We compare GLM-130B and GLM-4 with other GLM models.")
    assert families["GLM-130B"] == "GLM"
    assert families["GLM-4"] == "GLM"


def test_mistral_large_does_not_carry_mistral_large_2() -> None:
    keys = _keys("We compare Mistral Large 2 and Mistral Large.")
    assert keys["Mistral Large 2"] != keys["Mistral Large"]


def _languages(abstract: str) -> dict[str, str]:
    record: dict[str, Any] = extract_paper(_nlp(), "p", "A study", abstract)
    return {
        name: entity["kind"]
        for entity in record["entities"]
        if entity["type"] == "Language"
        for name in [entity["name"], *entity["aliases"]]
    }


@pytest.mark.parametrize(
    ("abstract", "name"),
    [
        ("We release an R package for topic models.", "R"),
        ("The pipeline is written in R and Python.", "R"),
        ("We provide MATLAB code for the solver.", "MATLAB"),
        ("Our Matlab implementation is public.", "MATLAB"),
        ("We translate legacy Fortran 90 code to C++.", "Fortran"),
        ("We generate CUDA kernels with LLMs.", "CUDA"),
    ],
)
def test_programming_languages_beyond_pygments_names(abstract: str, name: str) -> None:
    assert _languages(abstract).get(name) == "programming"


@pytest.mark.parametrize(
    "abstract",
    [
        "Panels A) to D) show the loss, measured at 30 °C over time.",
        "R denotes the reward and C the cost of the policy.",
        "Even when images are included, the answer is found.",
    ],
)
def test_letters_units_and_english_words_are_not_languages(abstract: str) -> None:
    assert _languages(abstract) == {}


@pytest.mark.parametrize(
    ("abstract", "name"),
    [
        ("We collect speech from Northern Sami and Haitian Creole speakers.", "Northern Sami"),
        ("We collect speech from Northern Sami and Haitian Creole speakers.", "Haitian Creole"),
        ("We record Evenki and Even speakers in Siberia.", "Even"),
        ("A treebank of Komodo language texts is built.", "Komodo"),
    ],
)
def test_iso_639_3_names_whole_and_gated(abstract: str, name: str) -> None:
    assert _languages(abstract).get(name) == "natural"

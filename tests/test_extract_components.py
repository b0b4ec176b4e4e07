"""Each rule component on a blank pipeline with small fixtures; patterns validated."""

from __future__ import annotations

import pytest
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language

import kg.extract.pipeline  # noqa: F401 - registers the factories and the tokenizer
from kg.extract import extract_paper
from kg.extract.candidates import is_descriptive, register_extensions
from kg.extract.pipeline import load_pipeline


def _blank(*pipes: str, **configs: dict[str, object]) -> Language:
    register_extensions()
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.ml_tokenizer.v1"}}})
    nlp.add_pipe("kg_sentencizer")
    for pipe in pipes:
        nlp.add_pipe(pipe, config=configs.get(pipe, {}))
    return nlp


def _candidates(nlp: Language, text: str, title: bool = False) -> set[tuple[str, str, str]]:
    doc = nlp.make_doc(text)
    if title:
        doc.user_data["kg_field"] = "title"
    for _, component in nlp.pipeline:
        doc = component(doc)
    return {(doc[c.start : c.end].text, c.label, c.rule) for c in doc._.kg_candidates or []}


def test_full_pipeline_loads_with_pattern_validation() -> None:
    nlp = load_pipeline(validate=True)
    assert nlp.pipe_names == [
        "kg_sentencizer", "kg_lexicon", "kg_shapes", "kg_context", "kg_acronyms", "kg_overlaps",
        "kg_relations",
    ]  # fmt: skip
    doc = nlp("We introduce Mistral 7B, a 7-billion-parameter language model.")
    assert [(e.text, e.label_) for e in doc.ents] == [("Mistral 7B", "Model")]
    assert doc._.kg_mentions[0].rule == "lexicon.model"


SENTENCE_CASES = [
    "",
    ".",
    "No final stop",
    "One. Two! Three? Four",
    'He said "stop." Then "go!" (See Fig. 2.) Next... and on.',
    "Trailing punctuation only . . , ;",
    "Mixtral-8x7B. GPT-3.5 and U.S. data; e.g. this. 。Full-width stop。Next",
    'A.\n\nB. "C" .)D',
]


@pytest.mark.parametrize("text", SENTENCE_CASES)
def test_sentencizer_matches_spacy_sentencizer(text: str) -> None:
    """kg_sentencizer must give exactly spaCy's boundaries, including -1 on the other tokens."""
    ours = _blank()
    theirs = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.ml_tokenizer.v1"}}})
    theirs.add_pipe("sentencizer")
    mine, reference = ours(text), theirs(text)
    assert mine.to_array(SENT_START).tolist() == reference.to_array(SENT_START).tolist()
    if len(reference):
        assert [s.text for s in mine.sents] == [s.text for s in reference.sents]


def test_sentencizer_keeps_boundaries_set_before_it() -> None:
    nlp = _blank()
    doc = nlp.make_doc("One two. Three four")
    doc[1].is_sent_start = True
    doc = nlp.get_pipe("kg_sentencizer")(doc)
    assert [s.text for s in doc.sents] == ["One", "two.", "Three four"]


def test_lexicon_case_sensitive_and_glued_variants() -> None:
    nlp = _blank("kg_lexicon")
    found = _candidates(
        nlp, "BLOOM and Qwen2.5-7B-Instruct beat bloom on MMLU in Finnish and Python."
    )
    labels = {(text, label) for text, label, _ in found}
    assert ("BLOOM", "Model") in labels
    assert ("bloom", "Model") not in labels
    assert ("Qwen2.5-7B-Instruct", "Model") in labels
    assert ("MMLU", "Dataset") in labels
    assert ("Finnish", "Language") in labels
    assert ("Python", "Language") in labels


def test_lexicon_extends_sizes_and_tuning_words() -> None:
    nlp = _blank("kg_lexicon")
    found = _candidates(nlp, "It beats Llama 2 13B Chat and Gemini 1.5 Pro.")
    assert ("Llama 2 13B Chat", "Model", "lexicon.model.variant") in found
    assert any(text == "Gemini 1.5 Pro" for text, _, _ in found)


def test_shapes_find_unknown_names() -> None:
    nlp = _blank("kg_shapes", kg_shapes={"validate": True})
    text = (
        "We release Babel-83B-Chat and OctoGPT, evaluate on MTU-Bench, HumanEval+ and "
        "TriviaQA, and thank LG AI Research and the University of Helsinki."
    )
    found = {(text, label) for text, label, _ in _candidates(nlp, text)}
    assert {
        ("Babel-83B-Chat", "Model"),
        ("OctoGPT", "Model"),
        ("MTU-Bench", "Dataset"),
        ("HumanEval+", "Dataset"),
        ("TriviaQA", "Dataset"),
        ("LG AI Research", "Organization"),
        ("University of Helsinki", "Organization"),
    } <= found


def test_shapes_skip_generic_words_and_titles_for_multiword_orgs() -> None:
    nlp = _blank("kg_shapes")
    assert _candidates(nlp, "Towards Responsible AI Research", title=True) == set()
    assert not {
        t
        for t, label, _ in _candidates(nlp, "We study Generative AI today.")
        if label == "Organization"
    }


def test_context_introductions_and_title_prefix() -> None:
    nlp = _blank("kg_context")
    found = _candidates(
        nlp, "We introduce Voxtral Mini and Voxtral Small, two multimodal audio chat models."
    )
    assert ("Voxtral Mini", "Model", "context.introduce") in found
    assert ("Voxtral Small", "Model", "context.introduce") in found
    title = _candidates(
        nlp, "MTU-Bench: A Multi-granularity Tool-Use Benchmark for LLMs", title=True
    )
    assert title == {("MTU-Bench", "Dataset", "title.colon-head")}


def test_context_comparisons_usage_and_owners() -> None:
    nlp = _blank("kg_context")
    found = _candidates(
        nlp,
        "Our model outperforms Zephyr and Orion on all tasks. It is trained on FooCorpus. "
        "Meta's Llama 3 is strong.",
    )
    assert ("Zephyr", "Model", "context.compare") in found
    assert ("Orion", "Model", "context.compare") in found
    assert ("FooCorpus", "Dataset", "context.usage") in found
    assert ("Meta", "Organization", "context.possessive") in found


def test_acronyms_join_long_and_short_forms() -> None:
    nlp = _blank("kg_acronyms")
    doc = nlp("We build the Bharat Parallel Corpus Collection (BPCC) for 22 languages.")
    [pair] = doc._.kg_acronyms
    assert doc[pair.long_start : pair.long_end].text == "Bharat Parallel Corpus Collection"
    assert doc[pair.short_start : pair.short_end].text == "BPCC"
    labels = {(doc[c.start : c.end].text, c.label) for c in doc._.kg_candidates}
    assert labels == {("Bharat Parallel Corpus Collection", "Dataset"), ("BPCC", "Dataset")}


def test_generic_acronyms_are_ignored() -> None:
    nlp = _blank("kg_acronyms")
    doc = nlp("Large language models (LLMs) use reinforcement learning from human feedback (RLHF).")
    assert doc._.kg_acronyms == []


def test_overlaps_prefer_longest_then_lexicon_and_record_rule() -> None:
    nlp = _blank("kg_lexicon", "kg_shapes", "kg_context", "kg_overlaps")
    doc = nlp("We compare against Llama-2-13B-Chat and the HumanEval benchmark.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Llama-2-13B-Chat", "Model"),
        ("HumanEval", "Dataset"),
    ]
    assert [m.rule for m in doc._.kg_mentions] == ["lexicon.model.variant", "lexicon.dataset"]


def test_ambiguous_programming_language_needs_context() -> None:
    nlp = _blank("kg_lexicon", "kg_overlaps")
    plain = nlp("We Go to the market with Julia.")
    assert [e.text for e in plain.ents if e.label_ == "Language"] == []
    code = nlp("The benchmark covers code in Go, Rust and Python.")
    assert [e.text for e in code.ents if e.label_ == "Language"] == ["Go", "Rust", "Python"]


def test_relations_on_a_doc() -> None:
    nlp = load_pipeline()
    doc = nlp(
        "Mistral 7B outperforms Llama 2 13B on all benchmarks. It was developed by Mistral AI."
    )
    found = {
        (r.type, doc._.kg_mentions[r.source].text, doc._.kg_mentions[r.target].text)
        for r in doc._.kg_relations
    }
    assert ("OUTPERFORMS", "Mistral 7B", "Llama 2 13B") in found


def test_bad_input_keeps_offsets() -> None:
    nlp = load_pipeline()
    sentence = "We fine-tune Llama 2 13B on MMLU and compare it with GPT-4 in Finnish. "
    texts = [
        "",
        "\x00\x07 control \x1b characters before GPT-4 \x0c and Mistral 7B",
        "<script>alert('x')</script> We fine-tune Llama 2 on <b>MMLU</b>.",
        "我们提出了 Qwen2.5 模型，并在 MMLU 上评估。Русский текст про BLOOM.",
        sentence * (1024 * 1024 // len(sentence)),
        "GPT-4 " * 50_000,
    ]
    for text in texts:
        record = extract_paper(nlp, "x", "A title", text)
        for entity in record["entities"]:
            for mention in entity["mentions"]:
                field = record["title"] if mention["field"] == "title" else text
                assert field[mention["start"] : mention["end"]] == mention["text"]
                assert len(mention["sentence"]) <= 1000
    assert len(nlp(texts[-1]).ents) == 50_000


DESCRIPTIVE = [
    "Vision-Language",
    "Vision-Language-Action",
    "Text-to-Image",
    "Multi-Modal",
    "Encoder-Decoder",
    "Mixture-of-Experts",
    "text-to-SQL",
]


@pytest.mark.parametrize("compound", DESCRIPTIVE)
def test_descriptive_compounds_are_not_names(compound: str) -> None:
    """A capitalized compound of descriptive words before a head noun names no model or dataset."""
    nlp = _blank("kg_lexicon", "kg_shapes", "kg_context", "kg_acronyms", "kg_overlaps")
    for text in (
        f"{compound} models are popular.",
        f"We fine-tune {compound} Models on a {compound} dataset.",
    ):
        assert [e.text for e in nlp(text).ents] == []


def test_generic_method_names_are_not_models() -> None:
    nlp = _blank("kg_lexicon", "kg_shapes", "kg_context", "kg_acronyms", "kg_overlaps")
    text = (
        "Hidden Markov Models, Bayesian models, SMT systems, an EBMT system, seq2seq models, "
        "T2I models and LVLMs run in the Translator's Workbench."
    )
    assert [e.text for e in nlp(text).ents] == []


def test_names_with_descriptive_parts_stay_names() -> None:
    nlp = _blank("kg_lexicon", "kg_shapes", "kg_context", "kg_acronyms", "kg_overlaps")
    doc = nlp(
        "We introduce VisionLang-7B, a Vision-Language model, and compare MiniGPT-Vision models."
    )
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("VisionLang-7B", "Model"),
        ("MiniGPT-Vision", "Model"),
    ]
    assert is_descriptive("Vision-Language") and is_descriptive("text-to-SQL")
    assert not is_descriptive("MiniGPT-Vision") and not is_descriptive("Vision")

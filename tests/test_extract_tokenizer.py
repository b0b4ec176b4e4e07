"""Every tokenizer special case, in every capitalization (regression tests)."""

from __future__ import annotations

import pytest

from kg.extract import load_pipeline

NLP = load_pipeline()

CASES = {
    "Llama-2-7B": ["Llama-2-7B"],
    "Qwen2.5-7B-Instruct": ["Qwen2.5-7B-Instruct"],
    "GSM8K": ["GSM8K"],
    "T5-XXL": ["T5-XXL"],
    "Mixtral 8x7B": ["Mixtral", "8x7B"],
    "C#": ["C#"],
    "C++": ["C++"],
    "F#": ["F#"],
    "GPT-3.5": ["GPT-3.5"],
    "X-500K": ["X-500K"],
    "1.6TB": ["1.6TB"],
    "BLOOM--the": ["BLOOM", "--", "the"],
    "GPT-4o/GPT-4": ["GPT-4o", "/", "GPT-4"],
    "Mixtral-8x7B.": ["Mixtral-8x7B", "."],
    "OpenGPT-X.": ["OpenGPT-X", "."],
    "(MMLU),": ["(", "MMLU", ")", ","],
    "Meta's": ["Meta", "'s"],
}


@pytest.mark.parametrize("text", sorted(CASES))
@pytest.mark.parametrize("case", ["as-is", "lower", "upper"])
def test_special_case_tokenizes_the_same_in_any_case(text: str, case: str) -> None:
    variant = {"as-is": text, "lower": text.lower(), "upper": text.upper()}[case]
    expected = [piece if case == "as-is" else getattr(piece, case)() for piece in CASES[text]]
    assert [token.text for token in NLP.make_doc(variant)] == expected


def test_sentence_with_names() -> None:
    doc = NLP.make_doc("We compare Llama-2-7B with gsm8k-tuned T5-XXL in C++ and C#.")
    assert [t.text for t in doc] == [
        "We", "compare", "Llama-2-7B", "with", "gsm8k-tuned", "T5-XXL",
        "in", "C++", "and", "C#", ".",
    ]  # fmt: skip


def test_cache_has_room_beyond_the_lexicon_spellings() -> None:
    """Loading tokenizes every lexicon spelling; the corpus must still get cache room."""
    from spacy.tokenizer import Tokenizer

    from kg.extract.tokenizer import MAX_CACHED_CHUNKS

    assert isinstance(NLP.tokenizer, Tokenizer)
    assert NLP.tokenizer.max_cache_size == MAX_CACHED_CHUNKS >= 100_000

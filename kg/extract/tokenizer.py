"""A tokenizer that keeps ML names whole, the same way in any case.

spaCy's English rules split ``T5-XXL`` but not ``Llama-2-7B``, and split
``GSM8K`` (``K`` reads as a unit after a digit) but not ``gsm8k``. kg needs
one name to be one token whatever its case, so that lexicon, shape and
context rules see ``Qwen2.5-7B-Instruct`` as a single word:

* hyphens inside words never split (``state-of-the-art`` stays whole too);
* number-unit suffixes are not split (``GSM8K``, ``1.6TB``, ``X-500K``);
* double hyphens and dashes do split (``BLOOM--the``), and so does ``/``;
* ``C#``, ``F#`` and ``C++`` are special cases in every capitalization.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.lang.en import English
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

SPECIAL_CASES = ("C#", "F#", "C++", "J#", "A+", "X++")
#: Whitespace-separated chunks whose tokenization is remembered. spaCy's default
#: (10,000) is half used up by the lexicon spellings tokenized while the pipeline
#: loads, and abstracts have far more distinct chunks than that (135,000 in 20,000
#: of them): past the limit every new chunk goes through the affix regexes again,
#: which made tokenizing twice as slow. The cost is about 250 bytes per chunk, on top
#: of the Lexeme the vocab keeps for every new word anyway.
MAX_CACHED_CHUNKS = 200_000
_SPLIT_DASHES = r"(?:--+|—|–|/)"


@registry.tokenizers("kg.ml_tokenizer.v1")  # type: ignore[untyped-decorator]
def create_ml_tokenizer() -> Callable[[Language], Tokenizer]:
    """Registered factory: ``[nlp.tokenizer] @tokenizers = "kg.ml_tokenizer.v1"``."""

    def make(nlp: Language) -> Tokenizer:
        return ml_tokenizer(nlp)

    return make


def ml_tokenizer(nlp: Language) -> Tokenizer:
    """English tokenizer rules adjusted for ML names (see module docstring)."""
    defaults = English.Defaults
    infixes = [
        _no_digit_hyphen(str(rule))
        for rule in defaults.infixes or ()
        if not _is_hyphen_rule(str(rule))
    ]
    infixes.append(_SPLIT_DASHES)
    suffixes = [str(rule) for rule in defaults.suffixes or () if not _is_unit_rule(str(rule))]
    suffixes.append(r"(?<=[0-9][A-Za-z])\.")  # "Mixtral-8x7B." ends a sentence
    suffixes.append(r"(?<=-[A-Z])\.")  # so does "OpenGPT-X."
    tokenizer = Tokenizer(
        nlp.vocab,
        rules=dict(defaults.tokenizer_exceptions),
        prefix_search=compile_prefix_regex(defaults.prefixes or ()).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
        max_cache_size=MAX_CACHED_CHUNKS,
    )
    for name in SPECIAL_CASES:
        for variant in {name, name.lower(), name.upper()}:
            tokenizer.add_special_case(variant, [{"ORTH": variant}])
    return tokenizer


def _is_hyphen_rule(rule: str) -> bool:
    return "(?:-|–|—|--|---|——|~)" in rule


def _no_digit_hyphen(rule: str) -> str:
    """``(?<=[0-9])[+\\-\\*^](?=[0-9-])`` would split ``Llama-2-7B`` between 2 and 7."""
    return rule.replace(r"[+\-\*^](?=[0-9-])", r"[+\*^](?=[0-9-])")


def _is_unit_rule(rule: str) -> bool:
    return rule.startswith("(?<=[0-9])(?:") and "km" in rule

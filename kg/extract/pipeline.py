"""Assemble kg's spaCy pipeline from ``spacy.blank("en")``.

::

    nlp = load_pipeline()
    doc = nlp("We introduce Mistral 7B, a 7-billion-parameter language model.")
    doc.ents          # (Mistral 7B,)
    doc._.kg_mentions # with the rule that found each one
    doc._.kg_relations

No trained model is needed or downloaded. ``spacy_model`` optionally adds an
installed trained pipeline's ORG / LANGUAGE / NORP entities as extra,
rule-filtered candidates.
"""

from __future__ import annotations

import spacy
from spacy.language import Language

# Imported for their side effect: each registers kg's tokenizer or components
# with spaCy's registry, which spacy.blank() and add_pipe() look up by name.
from kg.extract import (  # noqa: F401
    acronyms,
    context,
    lexicon_matcher,
    overlaps,
    relations,
    sentences,
    shapes,
    tokenizer,
)
from kg.extract.candidates import register_extensions

#: No parser or NER model runs, so long texts cost linear time and memory only.
MAX_TEXT_CHARS = 50_000_000
PIPE_NAMES = (
    "kg_sentencizer",
    "kg_lexicon",
    "kg_shapes",
    "kg_context",
    "kg_acronyms",
    "kg_overlaps",
    "kg_relations",
)


def load_pipeline(spacy_model: str | None = None, validate: bool = False) -> Language:
    """Build the extraction pipeline; ``validate`` checks every Matcher pattern on load."""
    register_extensions()
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.ml_tokenizer.v1"}}})
    nlp.max_length = MAX_TEXT_CHARS
    nlp.add_pipe("kg_sentencizer")
    nlp.add_pipe("kg_lexicon")
    nlp.add_pipe("kg_shapes", config={"validate": validate})
    nlp.add_pipe("kg_context")
    nlp.add_pipe("kg_acronyms")
    if spacy_model:
        from kg.extract import statistical

        nlp.add_pipe("kg_statistical_ner", config={"model": spacy_model})
        assert statistical
    nlp.add_pipe("kg_overlaps")
    nlp.add_pipe("kg_relations")
    return nlp

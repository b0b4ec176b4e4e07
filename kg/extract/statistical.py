"""``kg_statistical_ner``: optional candidates from an installed trained spaCy pipeline.

``kg extract --spacy-model en_core_web_sm`` adds that pipeline's ORG,
LANGUAGE and NORP entities as low-priority candidates. They only fill gaps
the rules leave, and only when they look like names (no generic words, no
lower-case spans); the rules always win an overlap. Never a default.
"""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import UsageError
from kg.extract.candidates import Candidate, candidates, generic_names

_LABELS = {"ORG": "Organization", "LANGUAGE": "Language", "NORP": "Language"}


@Language.factory("kg_statistical_ner", default_config={"model": ""})
def make_statistical_ner(nlp: Language, name: str, model: str) -> StatisticalNer:
    return StatisticalNer(model)


class StatisticalNer:
    """Run a trained pipeline's NER on the Doc's text and keep filtered entities."""

    def __init__(self, model: str) -> None:
        try:
            self.nlp = spacy.load(model, disable=["parser", "lemmatizer", "textcat"])
        except OSError:
            raise UsageError(
                f"spaCy model {model!r} is not installed; install it with pip "
                f"(e.g. pip install {model}) or drop --spacy-model"
            ) from None

    def __call__(self, doc: Doc) -> Doc:
        found = candidates(doc)
        for ent in self.nlp(doc.text).ents:
            label = _LABELS.get(ent.label_)
            span = doc.char_span(ent.start_char, ent.end_char, alignment_mode="contract")
            if label is None or span is None or not _looks_like_name(span.text):
                continue
            if (
                label == "Language"
                and ent.label_ == "NORP"
                and not span.text.endswith(("ish", "ese", "an", "ic"))
            ):
                continue
            found.append(Candidate(span.start, span.end, label, f"ner.{ent.label_.lower()}", 0.5))
        return doc


def _looks_like_name(text: str) -> bool:
    return text[:1].isupper() and text not in generic_names() and len(text) > 2

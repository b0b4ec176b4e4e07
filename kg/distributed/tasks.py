"""What a Dask worker runs for extraction: one batch of papers in, their JSON lines out.

A worker builds the pipeline once, on its first batch, and keeps it (a few
seconds to build; a batch takes about as long). A worker that replaces a dead
one builds its own: tasks are pure, so a redone batch gives the same lines.
Each worker thread has its own pipeline, since kg's components are not meant
to be shared between threads (and threads gain nothing here: the GIL; start
workers with ``--nthreads 1``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from spacy.language import Language

from kg.extract import PaperItem, json_line, load_pipeline

_LOCAL = threading.local()


def extract_batch(items: Sequence[PaperItem], spacy_model: str | None) -> list[str]:
    """The extraction lines of ``items``, in their order (as ``kg extract`` writes them)."""
    pipelines: dict[str | None, Language] = _LOCAL.__dict__.setdefault("pipelines", {})
    nlp = pipelines.get(spacy_model)
    if nlp is None:
        nlp = pipelines[spacy_model] = load_pipeline(spacy_model)
    return [json_line(nlp, item) for item in items]

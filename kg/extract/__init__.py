"""Extract: find models, datasets, organizations and languages in papers.

``load_pipeline()`` builds the spaCy pipeline (usable on its own);
``extract_papers()`` runs it over papers, optionally in worker processes,
and yields one JSON-ready record per paper (the ``extractions.jsonl`` line).
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterable, Iterator
from typing import IO, Any

from spacy.language import Language

from kg.extract.paper import extract_paper
from kg.extract.pipeline import load_pipeline
from kg.model import Paper

__all__ = ["extract_paper", "extract_papers", "load_pipeline", "write_extractions"]

_CHUNK = 64
_worker_nlp: Language | None = None


def extract_papers(
    papers: Iterable[Paper], *, workers: int = 1, spacy_model: str | None = None
) -> Iterator[dict[str, Any]]:
    """Yield the extraction record of every paper, in input order.

    With ``workers > 1`` the texts go to worker processes that each load the
    pipeline once, and compact JSON-ready records come back: shipping Docs
    between processes costs more than it saves.
    """
    texts = ((paper.id, paper.title, paper.abstract) for paper in papers)
    if workers <= 1:
        nlp = load_pipeline(spacy_model)
        for paper_id, title, abstract in texts:
            yield extract_paper(nlp, paper_id, title, abstract)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init_worker, initargs=(spacy_model,)) as pool:
        yield from pool.imap(_extract_in_worker, texts, chunksize=_CHUNK)


def _init_worker(spacy_model: str | None) -> None:
    global _worker_nlp
    _worker_nlp = load_pipeline(spacy_model)


def _extract_in_worker(item: tuple[str, str, str]) -> dict[str, Any]:
    assert _worker_nlp is not None
    return extract_paper(_worker_nlp, *item)


def write_extractions(records: Iterable[dict[str, Any]], output: IO[str]) -> int:
    """Write extraction records as JSON Lines; returns how many were written."""
    count = 0
    for record in records:
        output.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count

"""Extract: find models, datasets, organizations and languages in papers.

``load_pipeline()`` builds the spaCy pipeline (usable on its own);
``extract_papers()`` runs it over papers, optionally in worker processes,
and yields one JSON-ready record per paper (the ``extractions.jsonl`` line);
``extract_json_lines()`` yields those lines already serialized, for callers
that only write them.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import IO, Any, TypeVar

from spacy.language import Language

from kg.extract.paper import extract_paper
from kg.extract.pipeline import load_pipeline
from kg.model import Paper
from kg.terminal import json_safe

__all__ = [
    "PaperItem",
    "extract_json_lines",
    "extract_paper",
    "extract_papers",
    "json_line",
    "load_pipeline",
    "paper_item",
    "write_extractions",
]

#: Papers per task sent to a worker. multiprocessing.Pool's worker-handler thread
#: spins while a result message waits to be read, about 1 ms of the parent's CPU per
#: chunk, which the workers need on a machine with as many CPUs as workers; bigger
#: chunks cost at most one chunk's work of imbalance at the end.
_CHUNK = 128
_worker_nlp: Language | None = None
_Result = TypeVar("_Result")
#: What a worker needs of a paper: its id, title, abstract and the input's own ids.
PaperItem = tuple[str, str, str, tuple[str, ...]]


def extract_papers(
    papers: Iterable[Paper], *, workers: int = 1, spacy_model: str | None = None
) -> Iterator[dict[str, Any]]:
    """Yield the extraction record of every paper, in input order.

    With ``workers > 1`` the texts go to worker processes and compact
    JSON-ready records come back: shipping Docs between processes costs more
    than it saves.
    """
    return _extract(papers, workers, spacy_model, _record)


def extract_json_lines(
    papers: Iterable[Paper], *, workers: int = 1, spacy_model: str | None = None
) -> Iterator[str]:
    """Yield every paper's extraction record as one line of JSON (no newline), in input order.

    The same records as :func:`extract_papers`, serialized where they are
    made: with workers, the parent process only passes strings on, which
    leaves the CPUs to the workers (serializing a record costs about a tenth
    of extracting it).
    """
    return _extract(papers, workers, spacy_model, json_line)


def _extract(
    papers: Iterable[Paper],
    workers: int,
    spacy_model: str | None,
    work: Callable[[Language, PaperItem], _Result],
) -> Iterator[_Result]:
    # Loaded before the pool forks, so that the workers share it instead of each
    # loading its own (and start at once).
    nlp = load_pipeline(spacy_model)
    texts = (paper_item(paper) for paper in papers)
    if workers <= 1:
        for item in texts:
            yield work(nlp, item)
        return
    context = multiprocessing.get_context("fork")
    # Fork start: the pipeline reaches the workers as memory, not pickled.
    with context.Pool(workers, initializer=_use_pipeline, initargs=(nlp,)) as pool:
        yield from pool.imap(partial(_in_worker, work), texts, chunksize=_CHUNK)


def paper_item(paper: Paper) -> PaperItem:
    """What extraction needs of a paper, small enough to send to a worker process or host."""
    return (paper.id, paper.source_title, paper.source_abstract, tuple(paper.input_ids))


def _use_pipeline(nlp: Language) -> None:
    global _worker_nlp
    _worker_nlp = nlp


def _in_worker(work: Callable[[Language, PaperItem], _Result], item: PaperItem) -> _Result:
    assert _worker_nlp is not None
    return work(_worker_nlp, item)


def _record(nlp: Language, item: PaperItem) -> dict[str, Any]:
    paper_id, title, abstract, input_ids = item
    return extract_paper(nlp, paper_id, title, abstract, input_ids=input_ids)


def json_line(nlp: Language, item: PaperItem) -> str:
    """One paper's extraction record as the line ``kg extract`` writes (without newline)."""
    return json.dumps(_record(nlp, item), ensure_ascii=False)


def write_extractions(records: Iterable[dict[str, Any] | str], output: IO[str]) -> int:
    """Write extraction records (or their :func:`extract_json_lines`) as JSON Lines.

    Returns how many were written. Control characters are JSON escapes
    (:func:`kg.terminal.json_safe`), safe on a terminal, decoding to the same text.
    """
    count = 0
    for record in records:
        line = record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)
        output.write(json_safe(line) + "\n")
        count += 1
    return count

"""Read paper-page dumps: page boilerplate, then title and abstract line pairs.

::

    Get trending papers in your email inbox once a day!
    Get trending papers in your email inbox!
    SubscribeScaling Laws for Fine-Grained Mixture of Experts     <- "Subscribe" glued on
    Mixture of Experts (MoE) models have emerged as ...
    MTU-Bench: A Multi-granularity Tool-Use Benchmark for Large Language Models
    Large Language Models (LLMs) have displayed ...

A title is short and an abstract is long, so a line that is far too long to
be a title means a title went missing; the reader reports it and steps over
the line, which keeps the pairs aligned.
"""

from __future__ import annotations

import re

from kg.errors import RecordError
from kg.ingest.records import Items
from kg.ingest.textio import InputFile, Line
from kg.model import Paper, Source, collapse_space, has_visible, title_hash_id

BOILERPLATE = re.compile(r"^Get trending papers in your email inbox", re.IGNORECASE)
_SUBSCRIBE = "Subscribe"
#: Longer than any real title (the corpora's longest are ~350 characters).
MAX_TITLE_CHARS = 500


def looks_like_pages(first_lines: list[str]) -> bool:
    """True when the file starts with the page boilerplate."""
    return bool(first_lines) and BOILERPLATE.match(first_lines[0].strip()) is not None


def read_pages(source: InputFile) -> Items:
    """Yield one Paper (or RecordError) per title/abstract pair."""
    title: Line | None = None
    after_boilerplate = False
    for line in source.lines():
        if line.error:
            yield RecordError(source.name, line.number, line.error)
            title = None
            continue
        text = collapse_space(line.text)
        if not has_visible(text):  # blank, or zero-width characters only
            continue
        if BOILERPLATE.match(text):
            after_boilerplate = True
            continue
        if after_boilerplate and title is None and text.startswith(_SUBSCRIBE):
            text = text[len(_SUBSCRIBE) :].lstrip()
            line = Line(line.number, text)
        after_boilerplate = False
        if title is None:
            if len(text) > MAX_TITLE_CHARS:
                yield _not_a_title(source.name, line)
                continue
            title = Line(line.number, text)
            continue
        yield _paper(source.name, title, text)
        title = None
    if title is not None:
        yield RecordError(
            source.name,
            title.number,
            "truncated record: the file ends after this title, before its abstract; "
            "was the file cut short?",
        )


def _paper(name: str, title: Line, abstract: str) -> Paper:
    return Paper(
        id=title_hash_id(title.text),
        title=title.text,
        abstract=abstract,
        sources=[Source(name, title.number)],
    )


def _not_a_title(name: str, line: Line) -> RecordError:
    return RecordError(
        name,
        line.number,
        f"expected a title but found a {len(line.text):,}-character line, which looks like an "
        "abstract; its title line is probably missing; add it or remove the line",
    )

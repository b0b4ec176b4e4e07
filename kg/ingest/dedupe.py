"""Merge records of the same paper from several inputs, in constant memory.

Two records are one paper when they share an arXiv id, or when their
normalized titles match and their author lists do not contradict each other
(two different "Introduction" papers with disjoint authors stay apart). A
title-less record is never matched by its title.

Papers are spooled to a temporary SQLite file keyed by id and indexed by
normalized title, so a 140k-record corpus costs a few MB of RAM and the output
keeps first-seen order.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import unicodedata
from collections.abc import Iterator
from types import TracebackType

from kg.model import Paper, PartialDate, abstract_hash_id, normalize_title, title_hash_id


class PaperSpool:
    """Collect papers, merging duplicates; iterate to get them back in first-seen order."""

    def __init__(self, directory: str | None = None) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="kg-spool-", dir=directory)
        self._db = sqlite3.connect(os.path.join(self._dir.name, "papers.sqlite"))
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -16000;
            CREATE TABLE papers (
                seq INTEGER PRIMARY KEY, id TEXT UNIQUE, title_key TEXT, data TEXT
            );
            CREATE INDEX papers_title ON papers (title_key);
            """
        )
        self.records = 0
        self.merged = 0

    def add(self, paper: Paper) -> None:
        """Store ``paper``, merging it into an earlier record of the same paper if there is one."""
        self.records += 1
        title_key = normalize_title(paper.title)
        match = self._find(paper, title_key)
        if match is None:
            paper.id = self._free_id(paper)
            self._db.execute(
                "INSERT INTO papers (id, title_key, data) VALUES (?, ?, ?)",
                (paper.id, title_key, _dump(paper)),
            )
            return
        seq, existing = match
        merged = merge_papers(existing, paper)
        self._db.execute(
            "UPDATE papers SET id = ?, data = ? WHERE seq = ?", (merged.id, _dump(merged), seq)
        )
        self.merged += 1

    def _find(self, paper: Paper, title_key: str) -> tuple[int, Paper] | None:
        arxiv = paper.arxiv_id
        if arxiv:
            row = self._db.execute("SELECT seq, data FROM papers WHERE id = ?", (arxiv,)).fetchone()
            if row:
                return row[0], _load(row[1])
        if not title_key:  # a title-less paper is never the same as another by its title
            return None
        for seq, data in self._db.execute(
            "SELECT seq, data FROM papers WHERE title_key = ? ORDER BY seq", (title_key,)
        ):
            candidate = _load(data)
            other = candidate.arxiv_id
            if arxiv and other and other != arxiv:
                continue
            if authors_compatible(candidate.authors, paper.authors):
                return seq, candidate
        return None

    def _free_id(self, paper: Paper) -> str:
        """The paper's id, or a salted title hash when a different paper holds it."""
        candidate, salt = paper.id, 0
        while self._db.execute("SELECT 1 FROM papers WHERE id = ?", (candidate,)).fetchone():
            salt += 1
            first = paper.authors[0] if paper.authors else ""
            candidate = (
                title_hash_id(paper.title, f"{first}|{salt}")
                if normalize_title(paper.title)
                else abstract_hash_id(paper.abstract, f"{first}|{salt}")
            )
        return candidate

    def __iter__(self) -> Iterator[Paper]:
        for (data,) in self._db.execute("SELECT data FROM papers ORDER BY seq"):
            yield _load(data)

    def __len__(self) -> int:
        count: int = self._db.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
        return count

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()

    def __enter__(self) -> PaperSpool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def merge_papers(first: Paper, second: Paper) -> Paper:
    """One paper from two records of it: keep the richest value of each field, all sources."""
    abstract = max((first, second), key=lambda paper: len(paper.abstract))
    return Paper(
        id=first.arxiv_id or second.arxiv_id or first.id,
        title=first.title or second.title,
        abstract=abstract.abstract,
        authors=max((first.authors, second.authors), key=len),
        org_tags=_union(first.org_tags, second.org_tags),
        categories=_union(first.categories, second.categories),
        date=_better_date(first.date, second.date),
        has_code=_any_true(first.has_code, second.has_code),
        sources=[*first.sources, *(s for s in second.sources if s not in first.sources)],
        input_ids=_union(first.input_ids, second.input_ids),
        raw_categories=_union(first.raw_categories, second.raw_categories),
        raw_title=first.raw_title if first.title else second.raw_title,
        raw_abstract=abstract.raw_abstract,
    )


def authors_compatible(first: list[str], second: list[str]) -> bool:
    """False only when both lists are known and share no surname."""
    if not first or not second:
        return True
    return bool(_surnames(first) & _surnames(second))


def _surnames(authors: list[str]) -> set[str]:
    names = set()
    for author in authors:
        words = author.split()
        if words:
            folded = unicodedata.normalize("NFKD", words[-1].casefold())
            names.add("".join(ch for ch in folded if ch.isalnum()))
    return names


def _union(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _better_date(first: PartialDate | None, second: PartialDate | None) -> PartialDate | None:
    if first is None or (second is not None and second.precision > first.precision):
        return second
    return first


def _any_true(first: bool | None, second: bool | None) -> bool | None:
    if first is None and second is None:
        return None
    return bool(first) or bool(second)


def _dump(paper: Paper) -> str:
    return json.dumps(paper.to_json(), ensure_ascii=False)


def _load(data: str) -> Paper:
    return Paper.from_json(json.loads(data))

"""Plain dataclasses that flow between the stages.

``Paper`` is what ingest produces and every later stage reads. Its JSON form
(``Paper.to_json`` / ``Paper.from_json``) is the line format of
``kg ingest -o papers.jsonl``, so that later commands can start from it.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

_ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(v\d+)?$")
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?/?(?:[?#]|$)")
_NON_WORD = re.compile(r"[^\w]+")
_ISO_PARTIAL = re.compile(r"^(?:(\d{4})|-)(?:-(\d{2})(?:-(\d{2}))?)?$")


def arxiv_id(value: str | None) -> str | None:
    """Return the version-less arXiv id in ``value`` (an id or an arXiv URL), else None."""
    if not value:
        return None
    text = value.strip()
    url = _ARXIV_URL.search(text)
    if url:
        text = url.group(1)
    if text.lower().startswith("arxiv:"):
        text = text[6:]
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        match = pattern.match(text)
        if match:
            return match.group(1)
    return None


def normalize_title(title: str) -> str:
    """Fold case, accents, punctuation and spacing so that one title has one form.

    Used both for the hash id of papers without an arXiv id and to find the
    same paper in several inputs.
    """
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped).split())


def title_hash_id(title: str, salt: str = "") -> str:
    """The id of a paper with no arXiv id: a short hash of its normalized title."""
    text = normalize_title(title) + (f"|{salt}" if salt else "")
    return "title-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def abstract_hash_id(abstract: str, salt: str = "") -> str:
    """The id of a paper with neither title nor input id: a short hash of its abstract."""
    text = collapse_space(abstract) + (f"|{salt}" if salt else "")
    return "text-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def first_words(text: str, count: int = 12) -> str:
    """The first ``count`` words of ``text``, with `` ...`` when there are more."""
    words = text.split()
    return " ".join(words[:count]) + (" ..." if len(words) > count else "")


def collapse_space(text: str) -> str:
    """Collapse every run of white space (newlines included) to one space."""
    return " ".join(text.split())


#: Unicode categories that draw nothing: controls, format characters such as
#: zero-width spaces and joiners, and separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def has_visible(text: str) -> bool:
    """True when ``text`` holds at least one character that is not invisible."""
    head = text[:1]
    if head.isprintable() and not head.isspace():  # the usual case, decided by one character
        return bool(head)
    return any(unicodedata.category(ch) not in _INVISIBLE for ch in text)


def real_date(year: int | None, month: int | None, day: int | None) -> bool:
    """False for dates no calendar has (``2023-02-30``); a missing year allows Feb 29."""
    if month is not None and not 1 <= month <= 12:
        return False
    if day is None:
        return True
    if month is None:
        return False
    leap_or_unknown = year is None or calendar.isleap(year)
    return 1 <= day <= calendar.monthrange(2000 if leap_or_unknown else 2001, month)[1]


@dataclass(frozen=True)
class Source:
    """Where a record came from: the input file and the 1-based line it starts on."""

    file: str
    line: int

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line}


@dataclass(frozen=True)
class PartialDate:
    """A publication date that may lack its year, month or day.

    Listings print ``Mar 26`` (no year) for recent papers and corpora give
    ``2024`` (year only), so every part is optional and the raw text is kept.
    """

    raw: str
    year: int | None = None
    month: int | None = None
    day: int | None = None

    @property
    def iso(self) -> str | None:
        """ISO 8601 form: ``2022-10-27``, ``2022-10``, ``2022``, or ``--03-26`` with no year."""
        if self.year is None:
            if self.month is None:
                return None
            return f"--{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    @classmethod
    def from_json(cls, iso: str | None, raw: str | None) -> PartialDate | None:
        """Rebuild a date from its ``iso`` form and ``raw`` text, as written by ``to_json``."""
        if iso is None and raw is None:
            return None
        match = _ISO_PARTIAL.match(iso or "")
        if not match:
            return cls(raw=raw or iso or "")
        year, month, day = (int(part) if part else None for part in match.groups())
        if not real_date(year, month, day):
            return cls(raw=raw if raw is not None else iso or "")
        return cls(raw=raw if raw is not None else iso or "", year=year, month=month, day=day)

    @property
    def precision(self) -> int:
        """How many of year, month and day are known; used to keep the best of two dates."""
        return sum(part is not None for part in (self.year, self.month, self.day))


@dataclass
class Paper:
    """One paper, as normalized by ingest and read by every later stage."""

    id: str
    title: str
    abstract: str
    authors: list[str] = field(default_factory=list)
    org_tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    date: PartialDate | None = None
    has_code: bool | None = None
    sources: list[Source] = field(default_factory=list)
    input_ids: list[str] = field(default_factory=list)
    raw_categories: list[str] = field(default_factory=list)
    #: The title and abstract exactly as the input gave them, when white space made them
    #: differ from ``title`` and ``abstract`` (which are collapsed to single spaces).
    #: Extraction offsets index these, the user's own strings.
    raw_title: str | None = None
    raw_abstract: str | None = None

    @property
    def source_title(self) -> str:
        """The title as the input gave it."""
        return self.raw_title if self.raw_title is not None else self.title

    @property
    def source_abstract(self) -> str:
        """The abstract as the input gave it."""
        return self.raw_abstract if self.raw_abstract is not None else self.abstract

    @property
    def arxiv_id(self) -> str | None:
        return arxiv_id(self.id)

    @property
    def display_title(self) -> str:
        """The title on one line, or the first words of the abstract when there is none."""
        return collapse_space(self.title) or first_words(self.abstract)

    def to_json(self) -> dict[str, Any]:
        """The JSON object written by ``kg ingest``, one per line."""
        record: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "abstract": self.abstract,
            "authors": list(self.authors),
            "org_tags": list(self.org_tags),
            "categories": list(self.categories),
            "date": self.date.iso if self.date else None,
            "date_raw": self.date.raw if self.date else None,
            "has_code": self.has_code,
            "sources": [source.to_json() for source in self.sources],
            "input_ids": list(self.input_ids),
            "raw_categories": list(self.raw_categories),
        }
        for name, value in (("raw_title", self.raw_title), ("raw_abstract", self.raw_abstract)):
            if value is not None:
                record[name] = value
        return record

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Paper:
        """Inverse of :meth:`to_json`, for files that kg wrote itself."""
        return cls(
            id=obj["id"],
            title=obj["title"],
            abstract=obj["abstract"],
            authors=list(obj.get("authors") or []),
            org_tags=list(obj.get("org_tags") or []),
            categories=list(obj.get("categories") or []),
            date=PartialDate.from_json(obj.get("date"), obj.get("date_raw")),
            has_code=obj.get("has_code"),
            sources=[Source(s["file"], int(s["line"])) for s in obj.get("sources") or []],
            input_ids=list(obj.get("input_ids") or []),
            raw_categories=list(obj.get("raw_categories") or []),
            raw_title=obj.get("raw_title"),
            raw_abstract=obj.get("raw_abstract"),
        )

"""Turn one JSON object or CSV row into a Paper, whatever its field names.

Three dialects are understood:

* the corpora format (``id``, ``title``, ``abstract``, ``authors`` list,
  ``date``, ``categories`` list) and kg's own ``papers.jsonl``, which adds
  ``org_tags``, ``date_raw``, ``has_code``, ``sources``;
* the arXiv metadata snapshot (``authors`` as one string, ``authors_parsed``,
  ``categories`` as one space-separated string, ``versions``, ``update_date``);
* CSV/TSV rows, where every value is a string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kg.errors import RecordError
from kg.ingest.dates import parse_date
from kg.ingest.fieldtypes import field_type_problem
from kg.model import (
    Paper,
    PartialDate,
    Source,
    abstract_hash_id,
    arxiv_id,
    collapse_space,
    has_visible,
    title_hash_id,
)

TITLE_FIELDS = ("title",)
ABSTRACT_FIELDS = ("abstract", "summary")
_AUTHOR_SEPARATORS = re.compile(r"\s*;\s*|\s*,\s*(?:and\s+)?|\s+and\s+")


def paper_from_mapping(record: Mapping[str, Any], name: str, line: int) -> Paper | RecordError:
    """Map a record's fields to a Paper, or say what is missing or of the wrong type."""
    problem = field_type_problem(record)
    if problem is not None:
        return RecordError(name, line, problem)
    title = _text(_first(record, TITLE_FIELDS))
    abstract = _text(_first(record, ABSTRACT_FIELDS))
    if not abstract:
        return RecordError(name, line, _NO_ABSTRACT if title else _NO_TEXT)
    raw_id = _verbatim(record.get("id"))
    input_id = collapse_space(raw_id)
    known_arxiv = arxiv_id(input_id) or arxiv_id(_text(record.get("url")))
    return Paper(
        id=known_arxiv or _own_id(input_id, title, abstract),
        title=title,
        abstract=abstract,
        raw_title=_raw(record, "raw_title", TITLE_FIELDS, title),
        raw_abstract=_raw(record, "raw_abstract", ABSTRACT_FIELDS, abstract),
        authors=_authors(record),
        org_tags=_strings(record.get("org_tags")),
        categories=_strings(record.get("categories"), split_spaces=True),
        date=_date(record),
        has_code=_has_code(record),
        sources=_sources(record) or [Source(name, line)],
        input_ids=_input_ids(record, raw_id),
        raw_categories=_strings(record.get("raw_categories")),
    )


_NO_ABSTRACT = "record has no abstract; add a non-empty 'abstract' field or remove the record"
_NO_TEXT = (
    "record has no title and no abstract; add a non-empty 'abstract' field "
    "(a 'title' is optional) or remove the record"
)


def _own_id(input_id: str, title: str, abstract: str) -> str:
    """kg's key of a paper without an arXiv id.

    A titled paper is keyed by its title's hash (the same paper in two inputs meets
    there), unless the input is kg's own file and already holds that key. A
    title-less paper has nothing to meet on: it keeps its input id, else a hash of
    its abstract.
    """
    if title:
        return input_id if input_id.startswith("title-") else title_hash_id(title)
    return input_id or abstract_hash_id(abstract)


def _first(record: Mapping[str, Any], fields: tuple[str, ...]) -> Any:
    for key in fields:
        if record.get(key):
            return record[key]
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = collapse_space(str(value))
    return text if has_visible(text) else ""  # zero-width characters alone are no text


def _raw(record: Mapping[str, Any], kept: str, fields: tuple[str, ...], text: str) -> str | None:
    """The field as the user wrote it, when that differs from its collapsed ``text``.

    Extraction offsets index this string. kg's own papers.jsonl keeps it under ``kept``.
    """
    raw = _verbatim(record.get(kept)) or _verbatim(_first(record, fields))
    return raw if raw and raw != text else None


def _verbatim(value: Any) -> str:
    """A field's value exactly as the user wrote it (a number as JSON prints it), or ""."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return text if has_visible(collapse_space(text)) else ""


def _strings(value: Any, split_spaces: bool = False) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parts = value.split() if split_spaces else re.split(r"\s*[,;]\s*", value)
        return [part for part in parts if part]
    if isinstance(value, list):
        return [_text(item) for item in value if _text(item)]
    return [_text(value)]


def _authors(record: Mapping[str, Any]) -> list[str]:
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        return [_parsed_name(item) for item in parsed if isinstance(item, list) and item]
    value = record.get("authors")
    if isinstance(value, list):
        return [_author_name(item) for item in value if _author_name(item)]
    if isinstance(value, str):
        return [name for name in _AUTHOR_SEPARATORS.split(collapse_space(value)) if name]
    return []


def _author_name(item: Any) -> str:
    if isinstance(item, dict):
        return _text(item.get("name") or " ".join(str(v) for v in item.values() if v))
    return _text(item)


def _parsed_name(parts: list[Any]) -> str:
    """arXiv's ``[last, first, suffix]`` -> ``first last suffix``."""
    last, first, suffix = [*parts, "", "", ""][:3]
    return collapse_space(f"{first} {last} {suffix}")


def _date(record: Mapping[str, Any]) -> PartialDate | None:
    if "date_raw" in record or "sources" in record:
        return PartialDate.from_json(_text(record.get("date")) or None, record.get("date_raw"))
    for key in ("date", "published", "created"):
        if record.get(key):
            return parse_date(_text(record[key]))
    versions = record.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        created = versions[0].get("created")
        if created:
            return parse_date(_text(created))
    if record.get("update_date"):
        return parse_date(_text(record["update_date"]))
    if record.get("year"):
        return parse_date(_text(record["year"]))
    return None


def _has_code(record: Mapping[str, Any]) -> bool | None:
    value = record.get("has_code")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "yes", "1", "false", "no", "0"}:
        return value.strip().lower() in {"true", "yes", "1"}
    if "pwc_code" in record:
        return bool(record.get("pwc_code"))
    return None


def _sources(record: Mapping[str, Any]) -> list[Source]:
    value = record.get("sources")
    if not isinstance(value, list):
        return []
    sources = []
    for item in value:
        if isinstance(item, dict) and "file" in item and "line" in item:
            sources.append(Source(str(item["file"]), int(item["line"])))
    return sources


def _input_ids(record: Mapping[str, Any], raw_id: str) -> list[str]:
    """The record's own id, verbatim (``kg extract`` gives it back), or the list in papers.jsonl."""
    if "input_ids" in record:
        value = record.get("input_ids")
        ids = value if isinstance(value, list) else [value]
        return [text for text in map(_verbatim, ids) if text]
    return [raw_id] if raw_id else []

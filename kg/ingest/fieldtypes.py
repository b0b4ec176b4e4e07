"""Check the types of a record's fields before it is mapped to a Paper.

JSON lets any field hold any value, and ``str()`` would quietly turn a list
title into ``"['list', 'title']"`` or ``true`` into ``"True"``. A field of the
wrong type is therefore a record error that names the field, what it must
hold and what it holds, so the user can fix the record or skip it with
``--on-error skip``. ``null`` is always fine: it means the field is absent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

FIX = "fix the field or remove the record"
HAS_CODE_WORDS = frozenset({"", "true", "yes", "1", "false", "no", "0"})

_STRINGS = ("title", "abstract", "summary", "date_raw", "url", "raw_title", "raw_abstract")
_STRINGS_OR_NUMBERS = ("id", "date", "published", "created", "update_date", "year")
_STRING_LISTS = ("org_tags", "categories", "raw_categories", "input_ids")


def field_type_problem(record: Mapping[str, Any]) -> str | None:
    """Why one of ``record``'s known fields has the wrong type, or None when all fit."""
    for key, check in _CHECKS:
        if record.get(key) is None:
            continue
        problem = check(key, record[key])
        if problem is not None:
            return f"{problem}; {FIX}"
    return None


def describe(value: Any) -> str:
    """A short, user-facing name for a JSON value: ``a list``, ``true``, ``a number (42)``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _string(key: str, value: Any) -> str | None:
    return None if isinstance(value, str) else f"'{key}' must be a string, found {describe(value)}"


def _string_or_number(key: str, value: Any) -> str | None:
    if isinstance(value, str) or _is_number(value):
        return None
    return f"'{key}' must be a string or a number, found {describe(value)}"


def _string_list(key: str, value: Any) -> str | None:
    expected = f"'{key}' must be a list of strings or one string"
    if isinstance(value, str):
        return None
    if not isinstance(value, list):
        return f"{expected}, found {describe(value)}"
    bad = next((item for item in value if not isinstance(item, str)), None)
    return None if bad is None else f"{expected}, found an item that is {describe(bad)}"


def _authors(key: str, value: Any) -> str | None:
    expected = f"'{key}' must be a list of names or one string of names"
    if isinstance(value, str):
        return None
    if not isinstance(value, list):
        return f"{expected}, found {describe(value)}"
    for item in value:
        if isinstance(item, str):
            continue
        if isinstance(item, dict) and all(isinstance(v, str | None) for v in item.values()):
            continue
        return f"{expected}, found an item that is {describe(item)}"
    return None


def _authors_parsed(key: str, value: Any) -> str | None:
    expected = f"'{key}' must be a list of [last, first, suffix] lists of strings"
    if not isinstance(value, list):
        return f"{expected}, found {describe(value)}"
    for item in value:
        if not isinstance(item, list) or not all(isinstance(p, str | None) for p in item):
            return f"{expected}, found an item that is {describe(item)}"
    return None


def _has_code(key: str, value: Any) -> str | None:
    if isinstance(value, bool) or (
        isinstance(value, str) and value.strip().lower() in HAS_CODE_WORDS
    ):
        return None
    return f"'{key}' must be true or false, found {describe(value)}"


def _sources(key: str, value: Any) -> str | None:
    expected = f'\'{key}\' must be a list of {{"file": NAME, "line": NUMBER}} objects'
    if not isinstance(value, list):
        return f"{expected}, found {describe(value)}"
    for item in value:
        if not isinstance(item, dict):
            return f"{expected}, found an item that is {describe(item)}"
        if not isinstance(item.get("file"), str):
            return f"{expected}, found file {describe(item.get('file'))}"
        line = item.get("line")
        if not _is_line_number(line):
            return f"{expected}, found line {describe(line)}"
    return None


def _is_line_number(value: Any) -> bool:
    if isinstance(value, str) and value.isdecimal():
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


_CHECKS: tuple[tuple[str, Callable[[str, Any], str | None]], ...] = (
    *((key, _string) for key in _STRINGS),
    *((key, _string_or_number) for key in _STRINGS_OR_NUMBERS),
    *((key, _string_list) for key in _STRING_LISTS),
    ("authors", _authors),
    ("authors_parsed", _authors_parsed),
    ("has_code", _has_code),
    ("sources", _sources),
)

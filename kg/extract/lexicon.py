"""Lexicons: the known names of models, datasets, organizations and languages.

Models, datasets and organizations are curated data files in
``kg/data/lexicons/`` (see ``COVERAGE.md`` there for how they were chosen).
Natural languages come from langcodes / language_data, programming languages
from Pygments' lexer names; ``kg/data/patterns/languages.json`` only says
which of those names need care (English words, ambiguous short names).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

LEXICON_FILES = {
    "Model": "models.jsonl",
    "Dataset": "datasets.jsonl",
    "Organization": "organizations.jsonl",
}


@dataclass(frozen=True)
class LexiconEntry:
    """One known entity: its canonical name, the spellings that denote it, and facts."""

    name: str
    label: str
    aliases: tuple[str, ...] = ()
    case_sensitive: bool = True
    ambiguous: bool = False
    family: str | None = None
    developer: str | None = None
    kind: str | None = None
    tags: tuple[str, ...] = field(default=())

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def load_json(relative: str) -> Any:
    """Load a JSON file shipped in ``kg/data``."""
    text = resources.files("kg").joinpath(f"data/{relative}").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def language_rules() -> dict[str, Any]:
    rules: dict[str, Any] = load_json("patterns/languages.json")
    return rules


@cache
def curated_entries() -> tuple[LexiconEntry, ...]:
    """Entries of the curated model, dataset and organization files."""
    entries = []
    root = resources.files("kg").joinpath("data/lexicons")
    for label, filename in LEXICON_FILES.items():
        path = root.joinpath(filename)
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entries.append(_entry(label, json.loads(line)))
    return tuple(entries)


def _entry(label: str, record: dict[str, Any]) -> LexiconEntry:
    name = record["name"]
    return LexiconEntry(
        name=name,
        label=label,
        aliases=tuple(alias for alias in record.get("aliases", []) if alias != name),
        case_sensitive=bool(record.get("case_sensitive", _default_case_sensitive(name))),
        ambiguous=bool(record.get("ambiguous", False)),
        family=record.get("family"),
        developer=record.get("developer"),
        tags=tuple(record.get("tags", [])),
    )


def _default_case_sensitive(name: str) -> bool:
    """Short names and all-caps names carry meaning in their case (BLOOM vs bloom)."""
    return len(name) <= 4 or name.isupper()


@cache
def natural_language_entries() -> tuple[LexiconEntry, ...]:
    """English names of natural languages from language_data, minus the stoplist."""
    from langcodes import Language
    from language_data.population_data import LANGUAGE_SPEAKING_POPULATION

    rules = language_rules()
    stop = set(rules["natural_stoplist"])
    common = _common_words()
    alternates = _wiktionary_names()
    names: dict[str, None] = {}
    for code in sorted(LANGUAGE_SPEAKING_POPULATION):
        try:
            found = [Language.get(code).language_name("en")]
        except (LookupError, ValueError):
            continue
        found += alternates.get(code.split("-")[0], [])
        for name in found:
            if (
                _usable_language_name(name, code)
                and name not in stop
                and name.lower() not in common
            ):
                names[name] = None
    for name in rules["natural_extra"]:
        names[name] = None
    return tuple(
        LexiconEntry(name=name, label="Language", kind="natural", case_sensitive=True)
        for name in names
    )


def _wiktionary_names() -> dict[str, list[str]]:
    """English names and alternate names per code, from language_data's Wiktionary table."""
    import language_data

    path = resources.files(language_data).joinpath("data/wiktionary/codes-en.csv")
    names: dict[str, list[str]] = {}
    for row in path.read_text(encoding="utf-8").splitlines():
        cells = row.split("\t")
        if len(cells) >= 5:
            others = [name.strip() for name in cells[4].split(",") if name.strip()]
            names[cells[0]] = [cells[1].strip(), *others]
    return names


def _common_words() -> frozenset[str]:
    from kg.extract.candidates import common_words

    return common_words()


def _usable_language_name(name: str, code: str) -> bool:
    return len(name) > 2 and name != code and name[0].isupper() and "(" not in name


@cache
def programming_language_entries() -> tuple[LexiconEntry, ...]:
    """Programming language names: Pygments lexer names, minus markup/config/tool lexers."""
    from pygments.lexers._mapping import LEXERS

    rules = language_rules()
    excluded = set(rules["programming_exclude_modules"])
    unambiguous = set(rules["programming_unambiguous"])
    names: dict[str, None] = {}
    for module, name, _aliases, _files, _mimes in LEXERS.values():
        if module.rsplit(".", 1)[-1] in excluded or not _usable_lexer_name(name):
            continue
        names[name] = None
    for name in rules["programming_extra"]:
        names[name] = None
    return tuple(
        LexiconEntry(
            name=name,
            label="Language",
            kind="programming",
            case_sensitive=True,
            ambiguous=name not in unambiguous,
        )
        for name in names
    )


def _usable_lexer_name(name: str) -> bool:
    lowered = name.lower()
    noise = ("session", "console", "log", "file", "template", "+", "text", "lexer", "output")
    return name == "C++" or not any(word in lowered for word in noise)


def all_entries() -> tuple[LexiconEntry, ...]:
    """Every lexicon entry, curated first so that they win over generated names."""
    return curated_entries() + natural_language_entries() + programming_language_entries()


@cache
def org_tag_names() -> dict[str, str]:
    """Listing org tags (``allen-ai``) to canonical organization names."""
    return {
        tag.lower(): entry.name
        for entry in curated_entries()
        if entry.label == "Organization"
        for tag in entry.tags
    }

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
    #: A natural language with speaker counts in language_data (not only in ISO 639-3).
    major: bool = False

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
    """Natural languages: one entry per language code, its other names as aliases.

    Names come from language_data (the codes it has speaker counts for, with
    Wiktionary's alternate names) and from pycountry's ISO 639-3 table (every
    living language). Names of one code are one entity, named as langcodes
    names the code: ``Bangla`` is ``Bengali``, ``Farsi`` is ``Persian``. A
    name that is also an English word, a given name or in the stoplist
    (``Even``, ``Are``, ``Karen``), and a one-word name that only ISO 639-3
    lists (``Komodo``), becomes an entry of its own that counts only next to
    a language word or another language (``natural_next`` in languages.json).
    """
    rules = language_rules()
    by_code, major = _names_by_code()
    excluded = set(rules["natural_excluded"])
    stop = set(rules["natural_stoplist"])
    common = _common_words()
    given = _given_names() - major
    seen: set[str] = set()
    entries: list[LexiconEntry] = []
    for names in by_code.values():
        usable = [n for n in names if n not in seen and n not in excluded]
        seen.update(usable)
        safe = [
            n
            for n in usable
            if n not in stop
            and n.lower() not in common
            and n not in given
            and (n in major or " " in n)  # a rare one-word name needs context (Komodo)
        ]
        risky = [n for n in usable if n not in safe]
        # "Hawaiian Creole English" under "en": a longer name around the first is a variety.
        varieties = [n for n in safe[1:] if safe[0] in n.split()]
        aliases = tuple(n for n in safe[1:] if n not in varieties)
        if safe:
            entries.append(
                LexiconEntry(name=safe[0], label="Language", aliases=aliases, kind="natural",
                             major=safe[0] in major)
            )  # fmt: skip
        entries.extend(LexiconEntry(name=n, label="Language", kind="natural") for n in varieties)
        entries.extend(
            LexiconEntry(name=n, label="Language", kind="natural", ambiguous=True) for n in risky
        )
    for name in rules["natural_extra"]:
        if name not in seen:
            seen.add(name)
            entries.append(LexiconEntry(name=name, label="Language", kind="natural", major=True))
    return tuple(entries)


def _names_by_code() -> tuple[dict[str, list[str]], frozenset[str]]:
    """Usable English names per language code, the langcodes name first.

    Also the names of languages with speaker counts in language_data, which
    are well known enough to need no context even when they are given names
    (``Tamil``).
    """
    import pycountry
    from langcodes import Language, standardize_tag
    from language_data.population_data import LANGUAGE_SPEAKING_POPULATION

    alternates = _wiktionary_names()
    by_code: dict[str, list[str]] = {}

    def add(code: str, names: list[str]) -> None:
        try:
            code = standardize_tag(code)
            primary = Language.get(code).language_name("en")
        except (LookupError, ValueError):
            return
        found = by_code.setdefault(code, [])
        for name in [primary, *names, *alternates.get(code, [])]:
            if _usable_language_name(name, code) and name not in found:
                found.append(name)

    for code in sorted(LANGUAGE_SPEAKING_POPULATION):
        add(code.split("-")[0], [])
    major = frozenset(name for names in by_code.values() for name in names)
    for language in pycountry.languages:
        if getattr(language, "type", "") == "L" and getattr(language, "scope", "") != "S":
            add(language.alpha_3, [language.name])
    return by_code, major


def _given_names() -> frozenset[str]:
    from kg.ingest.authors import given_names

    return given_names()


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
    aliases: dict[str, list[str]] = rules["programming_aliases"]
    spelled = {alias for group in aliases.values() for alias in group}
    for name in aliases:
        names[name] = None
    return tuple(
        LexiconEntry(
            name=name,
            label="Language",
            aliases=tuple(a for a in aliases.get(name, []) if a != name),
            kind="programming",
            case_sensitive=True,
            ambiguous=name not in unambiguous,
        )
        for name in names
        if name not in spelled and (len(name) > 1 or name in _ONE_LETTER_LANGUAGES)
    )


#: One-letter programming language names worth finding (never J, S, E ...), in context only.
_ONE_LETTER_LANGUAGES = frozenset({"C", "R", "D"})


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

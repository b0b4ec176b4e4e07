"""Structural checks of the curated lexicons in ``kg/data/lexicons``.

Why: the lexicons are hand-curated data read by the rule-based extractor.  A typo in
a ``developer``, an alias claimed by two entries, or an architecture sneaking in as a
"model" silently degrades extraction without any code failing.  These tests pin the
invariants the extractor relies on.  They need neither the network nor the corpora;
corpus coverage is checked separately by ``scripts/mine_lexicon.py verify``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

LEXICON_DIR = Path(__file__).resolve().parent.parent / "kg" / "data" / "lexicons"
FILES = {
    "models.jsonl": ("Model", 300),
    "datasets.jsonl": ("Dataset", 300),
    "organizations.jsonl": ("Organization", 200),
}
REQUIRED = {"name", "type", "aliases"}
ALLOWED = {
    "Model": REQUIRED | {"family", "developer", "case_sensitive", "ambiguous", "note"},
    "Dataset": REQUIRED | {"family", "developer", "case_sensitive", "ambiguous", "note"},
    "Organization": REQUIRED | {"tags", "case_sensitive", "ambiguous", "note"},
}

# Architectures and training methods are not trained models; venues are not
# organizations.  None may appear as an entry name or alias.
FORBIDDEN = {
    "transformer",
    "transformers",
    "lstm",
    "moe",
    "mixture of experts",
    "lora",
    "qlora",
    "rlhf",
    "dpo",
    "ppo",
    "grpo",
    "cnn",
    "rnn",
    "gru",
    "gan",
    "vae",
    "diffusion",
    "diffusion model",
    "mamba",
    "nerf",
    "mlp",
    "acl",
    "neurips",
    "nips",
    "icml",
    "iclr",
    "emnlp",
    "naacl",
    "eacl",
    "coling",
    "cvpr",
    "iccv",
    "eccv",
    "aaai",
    "ijcai",
    "lrec",
    "semeval",
    "wmt",
    "interspeech",
    "icassp",
    "kdd",
    "sigir",
    "www",
}

# Surface forms that are ordinary English words (in some case).  An entry carrying
# one must be case-sensitive or flagged ambiguous, or the extractor will fire on prose.
COMMON_WORDS = {
    "bloom",
    "roots",
    "palm",
    "pile",
    "glue",
    "clip",
    "coco",
    "sam",
    "phi",
    "falcon",
    "alpaca",
    "vicuna",
    "orca",
    "bard",
    "claude",
    "drop",
    "race",
    "math",
    "spider",
    "bird",
    "atomic",
    "asset",
    "ethics",
    "whisper",
    "apple",
    "meta",
    "snap",
    "gemini",
    "mistral",
    "chameleon",
    "flamingo",
    "gopher",
    "chinchilla",
    "koala",
    "dolly",
    "zephyr",
    "gorilla",
    "guanaco",
    "otter",
    "emu",
    "octo",
    "bark",
    "canary",
    "yi",
    "opt",
    "replica",
    "synapse",
    "taskmaster",
    "aya",
    "swallow",
    "typhoon",
    "wan",
    "sora",
    "veo",
    "grok",
    "kimi",
    "clotho",
    "minerva",
    "amc",
    "arc",
    "amd",
    "sap",
    "line",
    "jigsaw",
    "cohere",
    "mila",
    "laser",
    "solar",
    "apps",
    "clue",
    "opus",
    "pope",
    "blink",
    "mme",
    "codex",
    "t0",
    "p3",
    "charades",
    "switchboard",
    "lumina",
    "bagel",
    "kling",
    "flux",
    "quality",
    "record",
    "gaia",
    "calvin",
    "libero",
}

SLUG = re.compile(r"^[a-z0-9][a-z0-9.-]*$")

# Surface forms that two entries may legitimately share, casefolded.  Each is a
# real double meaning that the extractor must resolve from context ("the DeepSeek
# team" vs "DeepSeek outperforms"; "LAION released" vs "trained on LAION").
ALLOWED_SHARED: set[str] = {"deepseek", "laion"}


def load(filename: str) -> list[dict[str, Any]]:
    """Parse one lexicon file; every non-empty line must be a JSON object."""
    rows: list[dict[str, Any]] = []
    text = (LEXICON_DIR / filename).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        assert line.strip(), f"{filename}:{number}: blank line"
        row = json.loads(line)
        assert isinstance(row, dict), f"{filename}:{number}: not an object"
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def lexicons() -> dict[str, list[dict[str, Any]]]:
    """All three files, keyed by file name."""
    return {filename: load(filename) for filename in FILES}


def all_entries(lexicons: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every entry of every file in one list."""
    return [row for rows in lexicons.values() for row in rows]


def forms(entry: dict[str, Any]) -> list[str]:
    """Name plus aliases: every surface form the extractor matches for the entry."""
    return [entry["name"], *entry["aliases"]]


@pytest.mark.parametrize("filename", sorted(FILES))
def test_required_keys_and_types(lexicons: dict[str, list[dict[str, Any]]], filename: str) -> None:
    expected_type, _ = FILES[filename]
    for row in lexicons[filename]:
        where = f"{filename}: {row.get('name')!r}"
        assert row.keys() >= REQUIRED, f"{where}: missing {REQUIRED - row.keys()}"
        assert row["type"] == expected_type, where
        assert not row.keys() - ALLOWED[expected_type], f"{where}: unknown keys"
        assert isinstance(row["name"], str), where
        assert row["name"] == row["name"].strip() and row["name"], where
        assert isinstance(row["aliases"], list), where
        for alias in row["aliases"]:
            assert isinstance(alias, str) and alias and alias == alias.strip(), where
            assert alias != row["name"], f"{where}: alias repeats the name"
        assert len(set(row["aliases"])) == len(row["aliases"]), f"{where}: duplicate alias"
        for flag in ("case_sensitive", "ambiguous"):
            assert isinstance(row.get(flag, False), bool), f"{where}: {flag} not bool"
        for key in ("family", "developer", "note"):
            if key in row:
                assert isinstance(row[key], str) and row[key], f"{where}: bad {key}"


@pytest.mark.parametrize("filename", sorted(FILES))
def test_minimum_sizes(lexicons: dict[str, list[dict[str, Any]]], filename: str) -> None:
    _, minimum = FILES[filename]
    assert len(lexicons[filename]) >= minimum


@pytest.mark.parametrize("filename", sorted(FILES))
def test_sorted_by_name(lexicons: dict[str, list[dict[str, Any]]], filename: str) -> None:
    names = [row["name"] for row in lexicons[filename]]
    assert names == sorted(names, key=lambda name: (name.casefold(), name))


@pytest.mark.parametrize("filename", sorted(FILES))
def test_no_duplicate_names(lexicons: dict[str, list[dict[str, Any]]], filename: str) -> None:
    seen: dict[str, str] = {}
    for row in lexicons[filename]:
        key = row["name"].casefold()
        assert key not in seen, f"{row['name']!r} duplicates {seen[key]!r}"
        seen[key] = row["name"]


def _collides(a: str, a_cs: bool, b: str, b_cs: bool) -> bool:
    """Two surface forms clash when a matcher for one would also match the other."""
    if a.casefold() != b.casefold():
        return False
    return a == b or not (a_cs and b_cs)


def test_no_alias_shared_between_entries(lexicons: dict[str, list[dict[str, Any]]]) -> None:
    owners: dict[str, list[tuple[str, bool, str]]] = {}
    for row in all_entries(lexicons):
        label = f"{row['type']}:{row['name']}"
        for form in forms(row):
            owners.setdefault(form.casefold(), []).append(
                (form, bool(row.get("case_sensitive", False)), label)
            )
    clashes: list[str] = []
    for key, claims in owners.items():
        if key in ALLOWED_SHARED:
            continue
        for i, (form_a, cs_a, owner_a) in enumerate(claims):
            for form_b, cs_b, owner_b in claims[i + 1 :]:
                if owner_a != owner_b and _collides(form_a, cs_a, form_b, cs_b):
                    clashes.append(f"{form_a!r} ({owner_a}) vs {form_b!r} ({owner_b})")
    assert not clashes, "\n".join(clashes)


def test_developers_are_organizations(lexicons: dict[str, list[dict[str, Any]]]) -> None:
    organizations = {row["name"] for row in lexicons["organizations.jsonl"]}
    missing = [
        f"{row['name']} -> {row['developer']}"
        for filename in ("models.jsonl", "datasets.jsonl")
        for row in lexicons[filename]
        if "developer" in row and row["developer"] not in organizations
    ]
    assert not missing, missing


@pytest.mark.parametrize("filename", ["models.jsonl", "datasets.jsonl"])
def test_families_exist_and_are_acyclic(
    lexicons: dict[str, list[dict[str, Any]]], filename: str
) -> None:
    parent = {row["name"]: row.get("family") for row in lexicons[filename]}
    for name, family in parent.items():
        if family is None:
            continue
        assert family in parent, f"{name}: family {family!r} is not an entry"
        assert family != name, f"{name}: is its own family"
        seen = {name}
        node: str | None = family
        while node is not None:
            assert node not in seen, f"{name}: family cycle through {node!r}"
            seen.add(node)
            node = parent[node]


def test_no_architectures_or_venues(lexicons: dict[str, list[dict[str, Any]]]) -> None:
    bad = [
        f"{row['type']}:{row['name']} ({form})"
        for row in all_entries(lexicons)
        for form in forms(row)
        if form.casefold() in FORBIDDEN
    ]
    assert not bad, bad


def test_common_words_are_guarded(lexicons: dict[str, list[dict[str, Any]]]) -> None:
    unguarded = [
        f"{row['type']}:{row['name']} ({form})"
        for row in all_entries(lexicons)
        for form in forms(row)
        if form.casefold() in COMMON_WORDS
        and not row.get("case_sensitive", False)
        and not row.get("ambiguous", False)
    ]
    assert not unguarded, unguarded


def test_ambiguous_entries_are_case_sensitive(
    lexicons: dict[str, list[dict[str, Any]]],
) -> None:
    """An ambiguous word should at least require its capitalised spelling."""
    loose = [
        row["name"]
        for row in all_entries(lexicons)
        if row.get("ambiguous", False) and not row.get("case_sensitive", False)
    ]
    assert not loose, loose


def test_organization_tags(lexicons: dict[str, list[dict[str, Any]]]) -> None:
    owner: dict[str, str] = {}
    for row in lexicons["organizations.jsonl"]:
        tags = row.get("tags", [])
        assert isinstance(tags, list), row["name"]
        for tag in tags:
            assert isinstance(tag, str) and SLUG.match(tag), f"{row['name']}: bad tag {tag!r}"
            assert tag not in owner, f"tag {tag!r} on {owner.get(tag)} and {row['name']}"
            owner[tag] = row["name"]
    assert len(owner) >= 200


def test_short_uppercase_names_are_case_sensitive(
    lexicons: dict[str, list[dict[str, Any]]],
) -> None:
    """All-caps names of up to four letters are acronyms that collide in lower case."""
    loose = [
        f"{row['type']}:{row['name']}"
        for row in all_entries(lexicons)
        if re.fullmatch(r"[A-Z]{2,4}", row["name"]) and not row.get("case_sensitive", False)
    ]
    assert not loose, loose

"""Mine candidate entity names from the corpora and check the lexicons against them.

Why this script exists: the extractor is rule based, so its recall is bounded by the
lexicons in ``kg/data/lexicons`` and its precision by how careful their aliases are.
Choosing entries by memory alone drifts towards famous-but-rare names and misses the
long tail that real abstracts use.  This script makes the choice reproducible:

``mine``
    streams every ``*.jsonl.gz`` corpus and ranks candidate names by the number of
    papers that use them in entity-like contexts (``X model``, ``the X benchmark``,
    ``such as X``, ``Long Form (ACR)``, Papers-with-Code dataset links, author
    affiliations, name-shaped tokens with capitals or digits).  With ``--uncovered``
    it hides candidates the lexicons already match, which is how gaps are found.

``verify``
    counts, for every entry, how many papers (title + abstract) mention its name or
    any alias on word boundaries, respecting ``case_sensitive``, and writes
    ``COVERAGE.md``.  It also reports the count ignoring case, so that an entry whose
    any-case count dwarfs its exact count is visibly at risk of colliding with an
    ordinary word.  It exits non-zero when an entry never occurs and is not listed in
    ``EXEMPT_UNSEEN``.

``normalize``
    rewrites the lexicon files sorted by name with a fixed key order, so diffs stay
    small and the files stay hand-editable.

Only the standard library is used so the script runs anywhere the corpora are.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LEXICON_DIR = REPO / "kg" / "data" / "lexicons"
DEFAULT_CORPORA = Path("/work/shared/corpora")
LEXICON_FILES = ("models.jsonl", "datasets.jsonl", "organizations.jsonl")
KEY_ORDER = (
    "name",
    "type",
    "aliases",
    "family",
    "developer",
    "tags",
    "case_sensitive",
    "ambiguous",
    "note",
)

# Entries allowed to have zero corpus mentions: released after, or right at the end
# of, the newest corpus snapshot, yet famous enough that unseen abstracts will use
# them.  Keep this list short and explain additions in the commit message.
EXEMPT_UNSEEN: frozenset[str] = frozenset()

# A "word" that looks like a name: a capital letter or a digit after at most a few
# lowercase letters (mT5, wav2vec, iGPT, nuScenes), and - . + / allowed inside.
# Requiring the capital/digit early keeps phrases from swallowing "we use the".
_NAME_WORD = r"(?:[a-z]{0,8}[A-Z0-9][\w+]*(?:[-./][\w+]+)*)"
_NAMEISH = re.compile(r"[A-Z]|\d")
# Up to four such words joined by single spaces; every word must look name-like
# (checked in Python) except small connecting tokens.
_NAME_PHRASE = rf"{_NAME_WORD}(?: {_NAME_WORD}){{0,3}}"

MODEL_HEADS = (
    r"models?|LLMs?|MLLMs?|VLMs?|LMs?|language models?|encoders?|decoders?|"
    r"checkpoints?|backbones?|variants?|family|series"
)
DATA_HEADS = (
    r"datasets?|data sets?|benchmarks?|corpus|corpora|treebanks?|test sets?|"
    r"leaderboards?|suites?|challenges?|shared tasks?"
)
ORG_HEADS = (
    r"University|Institute|Laboratory|Lab|Labs|Research|AI|Inc\.?|Corporation|"
    r"Academy|College|Foundation|Center|Centre"
)

_LOWER_CONNECTORS = frozenset({"of", "for", "and", "the", "de", "di", "la", "du"})
_STOP_CANDIDATES = frozenset(
    {
        "We",
        "In",
        "The",
        "This",
        "Our",
        "These",
        "It",
        "To",
        "For",
        "A",
        "An",
        "On",
        "However",
        "Finally",
        "Moreover",
        "Furthermore",
        "Additionally",
        "Experiments",
        "Results",
        "Using",
        "By",
        "As",
        "With",
        "Code",
        "Specifically",
        "First",
        "Second",
        "Then",
        "Thus",
        "Therefore",
        "Existing",
        "Recent",
        "Extensive",
    }
)

PATTERNS: dict[str, re.Pattern[str]] = {
    # "the GPT-4 model", "Llama 2 models", "BERT encoder"
    "model-head": re.compile(rf"\b({_NAME_PHRASE}) (?:{MODEL_HEADS})\b"),
    # "the MMLU benchmark", "SQuAD dataset", "Penn Treebank corpus"
    "data-head": re.compile(rf"\b({_NAME_PHRASE}) (?:{DATA_HEADS})\b"),
    # "such as GPT-4, Claude 3 and Gemini"
    "such-as": re.compile(
        rf"\b(?:such as|including|e\.g\.,?|like) ((?:{_NAME_PHRASE})(?:,? (?:and |or )?"
        rf"{_NAME_PHRASE}){{0,6}})"
    ),
    # "on the GLUE", "on MMLU", "trained on C4"
    "on": re.compile(rf"\b(?:on|across|from|with) (?:the )?({_NAME_PHRASE})\b"),
    # "Massive Multitask Language Understanding (MMLU)"
    "acronym": re.compile(
        r"\b((?:[A-Z][\w-]*|of|for|and|on|in|the)(?: (?:[A-Z][\w-]*|of|for|and|on|in|the))"
        r"{1,7}) \(([A-Z][A-Za-z0-9-]{1,15})\)"
    ),
    # "Allen Institute for AI", "Tsinghua University", "Google Research"
    "org": re.compile(
        rf"\b((?:[A-Z][\w&-]*\s){{1,3}}(?:{ORG_HEADS})(?: (?:of|for) (?:[A-Z][\w-]*\s?){{1,3}})?)"
    ),
}


@dataclass
class Entry:
    """One lexicon line, with the compiled surface-form matchers the checks need."""

    name: str
    type: str
    aliases: list[str]
    case_sensitive: bool
    raw: dict[str, Any]
    forms: list[str] = field(default_factory=list)


@dataclass
class EntryCount:
    """How often one entry occurs: by case policy, ignoring case, and per corpus."""

    papers: int = 0
    any_case: int = 0
    affiliations: int = 0
    per_corpus: Counter[str] = field(default_factory=Counter)
    per_form: Counter[str] = field(default_factory=Counter)  # spellings as written


def iter_corpus(root: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(corpus name, record)`` for every line of every ``*.jsonl.gz`` below root.

    Streaming keeps memory flat: the three corpora hold 143k papers.
    """
    for path in sorted(root.glob("*/*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield path.parent.name, json.loads(line)


def paper_text(record: dict[str, Any]) -> str:
    """Title and abstract joined: names often appear only in the title."""
    return f"{record.get('title') or ''}. {record.get('abstract') or ''}"


def load_entries(directory: Path = LEXICON_DIR) -> list[Entry]:
    """Read all lexicon files in the directory (missing files are skipped)."""
    entries: list[Entry] = []
    for filename in LEXICON_FILES:
        path = directory / filename
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            raw = json.loads(line)
            aliases = list(raw.get("aliases", []))
            entries.append(
                Entry(
                    name=raw["name"],
                    type=raw["type"],
                    aliases=aliases,
                    case_sensitive=bool(raw.get("case_sensitive", False)),
                    raw=raw,
                    forms=[raw["name"], *aliases],
                )
            )
    return entries


def form_regex(form: str, ignore_case: bool) -> re.Pattern[str]:
    """Word-boundary matcher for one surface form.

    A preceding hyphen blocks the match (``XLM-RoBERTa`` is not ``RoBERTa``,
    ``Flan-T5`` is not ``T5``) while a following hyphen does not (``BERT-base`` is
    BERT).  A following ``.digit`` blocks it so ``GPT-3`` does not match ``GPT-3.5``.
    Internal whitespace matches any run of whitespace.
    """
    body = r"\s+".join(re.escape(part) for part in form.split())
    pattern = rf"(?<![\w-]){body}(?![\w]|\.\d)"
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


_TOKEN = re.compile(r"\w+")


def first_token(form: str) -> str:
    """Lowercased first word token: the key of the candidate index used by ``verify``."""
    match = _TOKEN.search(form.lower())
    return match.group(0) if match else ""


def count_entries(entries: list[Entry], corpora: Path) -> tuple[list[EntryCount], int]:
    """Count papers mentioning each entry; returns counts parallel to entries and total.

    Rather than run every alias regex on every paper, surface forms are indexed by
    their first lowercased token and only forms whose first token occurs in the paper
    are tried, which makes a full pass take about a minute.
    """
    index: dict[str, list[tuple[int, str, re.Pattern[str], re.Pattern[str]]]] = defaultdict(list)
    for number, entry in enumerate(entries):
        for form in entry.forms:
            index[first_token(form)].append(
                (number, form, form_regex(form, False), form_regex(form, True))
            )
    counts = [EntryCount() for _ in entries]
    total = 0
    for corpus, record in iter_corpus(corpora):
        total += 1
        text = paper_text(record)
        affiliations = " ; ".join(str(a) for a in record.get("affiliations") or [])
        if affiliations:
            # Organizations are rarely named in abstracts but often in affiliations
            # (ACL Anthology only); that is separate evidence that the name is real.
            affiliation_tokens = set(_TOKEN.findall(affiliations.lower()))
            hits: set[int] = set()
            for token in affiliation_tokens:
                for number, _form, exact, loose in index.get(token, ()):
                    if entries[number].type != "Organization" or number in hits:
                        continue
                    matcher = exact if entries[number].case_sensitive else loose
                    if matcher.search(affiliations) is not None:
                        hits.add(number)
            for number in hits:
                counts[number].affiliations += 1
        tokens = set(_TOKEN.findall(text.lower()))
        exact_hit: dict[int, set[str]] = defaultdict(set)
        any_hit: set[int] = set()
        for token in tokens:
            for number, _form, exact, loose in index.get(token, ()):
                found = loose.findall(text)
                if not found:
                    continue
                any_hit.add(number)
                if entries[number].case_sensitive:
                    found = exact.findall(text)
                # Record the spellings actually written, not the alias that matched
                # them, so COVERAGE.md shows which variant is the most common.
                if found:
                    exact_hit[number].update(" ".join(hit.split()) for hit in found)
        for number in any_hit:
            counts[number].any_case += 1
        for number, forms in exact_hit.items():
            counts[number].papers += 1
            counts[number].per_corpus[corpus] += 1
            counts[number].per_form.update(forms)
    return counts, total


def _clean_candidate(text: str) -> str | None:
    """Trim a raw phrase to a plausible name, or None when it is not name-shaped."""
    words = text.strip(" .,;:-").split()
    while words and (words[0] in _STOP_CANDIDATES or words[0].lower() in {"the", "a", "an"}):
        words = words[1:]
    if not words:
        return None
    if not all(_NAMEISH.search(word) or word in _LOWER_CONNECTORS for word in words):
        return None
    if words[-1] in _LOWER_CONNECTORS:
        return None
    candidate = " ".join(words)
    if len(candidate) < 2 or candidate.isdigit():
        return None
    return candidate


def mine(corpora: Path, limit: int) -> dict[str, Counter[str]]:
    """Collect candidate names per pattern kind, counted once per paper."""
    found: dict[str, Counter[str]] = defaultdict(Counter)
    token_re = re.compile(rf"(?<![\w-])({_NAME_WORD})")
    for _, record in iter_corpus(corpora):
        text = paper_text(record)
        seen: dict[str, set[str]] = defaultdict(set)
        for match in token_re.finditer(text):
            word = match.group(1).rstrip(".-/")
            # name-shaped single tokens: inner capital or digit mixed with letters
            if re.search(r"[a-z0-9].*[A-Z]|[A-Z]{2}|[A-Za-z]\d|\d[A-Za-z]", word) and len(word) > 1:
                seen["token"].add(word)
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(text):
                if kind == "acronym":
                    seen[kind].add(f"{match.group(2)} = {match.group(1)}")
                    continue
                if kind == "such-as":
                    pieces = re.split(r",? (?:and |or )?|, ", match.group(1))
                else:
                    pieces = [match.group(1)]
                for piece in pieces:
                    candidate = _clean_candidate(piece)
                    if candidate:
                        seen[kind].add(candidate)
        for name in record.get("pwc_datasets") or []:
            seen["pwc"].add(str(name))
        for name in record.get("affiliations") or []:
            seen["affiliation"].add(str(name))
        for kind, names in seen.items():
            found[kind].update(names)
    return {kind: Counter(dict(counter.most_common(limit))) for kind, counter in found.items()}


def covered_forms(entries: list[Entry]) -> tuple[set[str], list[re.Pattern[str]]]:
    """Lowercased surface forms and their matchers, to hide already-covered candidates."""
    forms = {form.lower() for entry in entries for form in entry.forms}
    return forms, [form_regex(form, True) for entry in entries for form in entry.forms]


def cmd_mine(args: argparse.Namespace) -> int:
    """Write ``kind<TAB>count<TAB>candidate`` rows, best first within each kind."""
    found = mine(Path(args.corpora), args.limit)
    forms: set[str] = set()
    if args.uncovered:
        forms, _ = covered_forms(load_entries())
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    try:
        for kind in sorted(found):
            for candidate, count in found[kind].most_common():
                if count < args.min_count:
                    continue
                probe = candidate.split(" = ")[0].lower()
                if args.uncovered and probe in forms:
                    continue
                out.write(f"{kind}\t{count}\t{candidate}\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def occurs(count: EntryCount) -> bool:
    """An entry is attested when a title/abstract or an affiliation names it."""
    return count.papers > 0 or count.affiliations > 0


def _forms_cell(count: EntryCount, top: int = 4) -> str:
    """The most frequent matched surface forms, for auditing aliases."""
    parts = [f"{form} ({n})" for form, n in count.per_form.most_common(top)]
    return ", ".join(parts).replace("|", "\\|")


def write_coverage(
    entries: list[Entry], counts: list[EntryCount], total: int, corpora: list[str], out: Path
) -> None:
    """Render COVERAGE.md: summary, per-type tables sorted by count, unseen entries."""
    lines = [
        "# Lexicon coverage",
        "",
        "Generated by `python scripts/mine_lexicon.py verify`; do not edit by hand.",
        "",
        f"Papers scanned (title + abstract): {total:,} in {', '.join(corpora)}.",
        "A paper counts once per entry when it mentions the name or any alias on word",
        "boundaries, respecting `case_sensitive`. *any case* is the same count with case",
        "ignored: a large gap marks a name that collides with ordinary words.",
        "",
        "Organizations are also counted in the ACL Anthology `affiliations` field",
        "(*affil.*), because abstracts seldom name the authors' own institutions.",
        "",
        "| type | entries | in abstracts | median papers | only in affiliations | never seen |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    types = sorted({entry.type for entry in entries})
    for kind in types:
        pairs = [(e, c) for e, c in zip(entries, counts, strict=True) if e.type == kind]
        values = [c.papers for _, c in pairs]
        seen = sum(1 for v in values if v > 0)
        affil_only = sum(1 for _, c in pairs if c.papers == 0 and c.affiliations > 0)
        never = sum(1 for _, c in pairs if not occurs(c))
        lines.append(
            f"| {kind} | {len(values)} | {seen} | {median(values):g} | {affil_only} | {never} |"
        )
    unseen = [e for e, c in zip(entries, counts, strict=True) if not occurs(c)]
    lines += ["", "## Entries that never occur", ""]
    if unseen:
        for entry in unseen:
            flag = " (exempt)" if entry.name in EXEMPT_UNSEEN else ""
            lines.append(f"- {entry.type}: {entry.name}{flag}")
    else:
        lines.append("None.")
    for kind in types:
        rows = sorted(
            ((e, c) for e, c in zip(entries, counts, strict=True) if e.type == kind),
            key=lambda pair: (-pair[1].papers, pair[0].name.lower()),
        )
        affil = kind == "Organization"
        lines += [
            "",
            f"## {kind}",
            "",
            "| name | papers | any case | "
            + " | ".join(corpora)
            + (" | affil." if affil else "")
            + " | top surface forms |",
            "| --- | ---: | ---: | "
            + " | ".join("---:" for _ in corpora)
            + (" | ---:" if affil else "")
            + " | --- |",
        ]
        for entry, count in rows:
            flags = []
            if entry.case_sensitive:
                flags.append("cs")
            if entry.raw.get("ambiguous"):
                flags.append("amb")
            label = entry.name.replace("|", "\\|") + (f" *({', '.join(flags)})*" if flags else "")
            per = " | ".join(str(count.per_corpus.get(c, 0)) for c in corpora)
            if affil:
                per += f" | {count.affiliations}"
            lines.append(
                f"| {label} | {count.papers} | {count.any_case} | {per} | {_forms_cell(count)} |"
            )
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def cmd_verify(args: argparse.Namespace) -> int:
    """Count every entry in the corpora, write COVERAGE.md, fail on unexplained zeros."""
    corpora_root = Path(args.corpora)
    entries = load_entries(Path(args.lexicons))
    counts, total = count_entries(entries, corpora_root)
    corpora = sorted(p.parent.name for p in corpora_root.glob("*/*.jsonl.gz"))
    write_coverage(entries, counts, total, corpora, Path(args.lexicons) / "COVERAGE.md")
    failures = [
        e.name
        for e, c in zip(entries, counts, strict=True)
        if not occurs(c) and e.name not in EXEMPT_UNSEEN
    ]
    for name in failures:
        print(f"never occurs: {name}", file=sys.stderr)
    print(f"{len(entries)} entries, {len(failures)} unexplained zero counts, {total} papers")
    return 1 if failures else 0


def normalized_line(raw: dict[str, Any]) -> str:
    """One entry as a JSON line with keys in KEY_ORDER and aliases de-duplicated."""
    if "aliases" in raw:
        unique: list[str] = []
        for alias in raw["aliases"]:
            if alias != raw["name"] and alias not in unique:
                unique.append(alias)
        raw = {**raw, "aliases": unique}
    ordered = {key: raw[key] for key in KEY_ORDER if key in raw}
    ordered.update({key: value for key, value in raw.items() if key not in ordered})
    return json.dumps(ordered, ensure_ascii=False)


def sort_key(raw: dict[str, Any]) -> tuple[str, str]:
    """Sort by case-folded name, then the exact name, so order is stable."""
    return (raw["name"].casefold(), raw["name"])


def cmd_normalize(args: argparse.Namespace) -> int:
    """Rewrite every lexicon file in canonical form (sorted, fixed key order)."""
    for filename in LEXICON_FILES:
        path = Path(args.lexicons) / filename
        if not path.exists():
            continue
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        rows.sort(key=sort_key)
        path.write_text("".join(normalized_line(r) + "\n" for r in rows), encoding="utf-8")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Command line: ``mine``, ``verify`` and ``normalize`` subcommands."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpora", default=str(DEFAULT_CORPORA), help="corpora root")
    parser.add_argument("--lexicons", default=str(LEXICON_DIR), help="lexicon directory")
    sub = parser.add_subparsers(dest="command", required=True)
    mine_cmd = sub.add_parser("mine", help="rank candidate names found in the corpora")
    mine_cmd.add_argument("--out", help="TSV output file (default: stdout)")
    mine_cmd.add_argument("--limit", type=int, default=5000, help="top candidates per kind")
    mine_cmd.add_argument("--min-count", type=int, default=3, help="minimum papers")
    mine_cmd.add_argument(
        "--uncovered", action="store_true", help="hide candidates the lexicons already cover"
    )
    mine_cmd.set_defaults(func=cmd_mine)
    verify_cmd = sub.add_parser("verify", help="count entries and write COVERAGE.md")
    verify_cmd.set_defaults(func=cmd_verify)
    norm_cmd = sub.add_parser("normalize", help="sort and canonicalize the lexicon files")
    norm_cmd.set_defaults(func=cmd_normalize)
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(list(argv) if argv is not None else None)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())

"""A fixed generator of hostile inputs for the fuzz suite (tests/test_fuzz.py).

``corpus(seed)`` returns the same inputs for the same seed: every format kg
reads, gzip, encodings (UTF-8 BOM, UTF-16, latin-1, invalid bytes), sizes
(empty, a huge line), deep nesting, fields of the wrong type, control
characters, NUL bytes and CR / CRLF line endings. Where the framing of the
records survives the damage, an input also says how many records it holds,
so the suite can check that none goes unreported.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kg.ingest.textio import MAX_LINE_BYTES


@dataclass(frozen=True)
class FuzzInput:
    """One hostile file: its name (the extension is only a hint), bytes, and record count."""

    name: str
    data: bytes
    records: int | None = None  # None when the damage may merge or split records
    fmt: str | None = None  # passed as --format: the wrong reader on purpose

    @property
    def id(self) -> str:
        return self.name


_WORDS = (
    "Scaling Laws Sparse Mixture Experts Language Models Vision Transformer Benchmark Tool "
    "Retrieval Augmented Generation Diffusion Reasoning Agents Alignment Multilingual Speech"
).split()
_NAMES = ("Albert Jiang", "Teven Le Scao", "Angela Fan", "Yann LeCun", "Ilya Sutskever")
_ABSTRACTS = (
    "We introduce Mistral 7B, a model that outperforms Llama 2 13B on MMLU and GSM8K.",
    "We fine-tune BERT on SQuAD and GLUE; RoBERTa from Meta AI does better on English.",
    "Trained on The Pile, GPT-J beats GPT-3 on HumanEval in Python and in Chinese.",
)
_ODD_TEXT = (
    "Caf\u00e9 na\u00efve \u00fcber",
    "\u6a21\u578b \u5927\u8bed\u8a00",
    "emoji \U0001f600 and \u200b zero width",
    "tab\there and bell\x07 and esc\x1b[31m",
    "nul\x00inside",
    'quote " and <b>tag</b> & amp',
    "\ud800 lone surrogate",
    "\u202e right to left override",
)
#: Values of every JSON type, for fields that expect another one.
_WRONG_VALUES: tuple[Any, ...] = (
    ["list", "title"],
    {"a": 1},
    True,
    False,
    42,
    -1.5,
    "",
    [],
    {},
    [None],
    [1, 2],
    [{"name": 5}],
)
_FIELDS = (
    "id",
    "title",
    "abstract",
    "summary",
    "authors",
    "authors_parsed",
    "org_tags",
    "categories",
    "date",
    "date_raw",
    "has_code",
    "sources",
    "input_ids",
    "versions",
    "url",
)


def corpus(seed: int, with_fixed: bool = True) -> list[FuzzInput]:
    """Every hostile input of one round; the same seed gives the same bytes.

    ``with_fixed`` adds the inputs that do not depend on the seed (empty,
    huge, deeply nested, UTF-16, ...); one round of them is enough.
    """
    rng = random.Random(seed)
    fixed = _fixed_inputs() if with_fixed else []
    inputs = [*fixed, *_record_level(rng), *_byte_level(rng), *_wrong_reader(rng)]
    return [
        FuzzInput(f"s{seed}-{i:03d}-{item.name}", item.data, item.records, item.fmt)
        for i, item in enumerate(inputs)
    ]


# --- good records and their serializations --------------------------------------------
def _good_record(rng: random.Random, index: int) -> dict[str, Any]:
    title = " ".join(rng.sample(_WORDS, rng.randint(2, 6))) + f" {index}"
    if rng.random() < 0.2:
        title += " " + rng.choice(_ODD_TEXT[:3])
    return {
        "id": f"2401.{rng.randint(0, 99999):05d}" if rng.random() < 0.5 else f"x{index}",
        "title": title,
        "abstract": rng.choice(_ABSTRACTS),
        "authors": rng.sample(_NAMES, rng.randint(1, 3)),
        "date": rng.choice(("2023-10-10", "2024", "Oct 10, 2023", "2023-02-30", "")),
        "categories": rng.choice((["cs.CL"], "cs.CL cs.LG", [])),
    }


def _records(rng: random.Random, count: int) -> list[dict[str, Any]]:
    return [_good_record(rng, index) for index in range(count)]


def _jsonl(records: list[Any]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode(
        "utf-8", "surrogatepass"
    )


def _json_array(records: list[Any], indent: int | None = None) -> bytes:
    return json.dumps(records, ensure_ascii=False, indent=indent).encode("utf-8", "surrogatepass")


def _table(records: list[dict[str, Any]], delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["title", "abstract", "authors", "date"])
    for record in records:
        authors = record.get("authors")
        writer.writerow(
            [
                _cell(record.get("title")),
                _cell(record.get("abstract")),
                "; ".join(authors) if isinstance(authors, list) else _cell(authors),
                _cell(record.get("date")),
            ]
        )
    return out.getvalue().encode("utf-8", "surrogatepass")


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _listing(records: list[dict[str, Any]], tags: str = " · cambridge") -> bytes:
    lines = []
    for record in records:
        authors = ", ".join(record["authors"]) if isinstance(record.get("authors"), list) else ""
        lines += ["CLOct 10, 2023Code", f"{record['title']}{authors}{tags}", record["abstract"]]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


def _pages(records: list[dict[str, Any]]) -> bytes:
    lines = [
        "Get trending papers in your email inbox once a day!",
        "Get trending papers in your email inbox!",
    ]
    for index, record in enumerate(records):
        lines += [("Subscribe" if index == 0 else "") + record["title"], record["abstract"]]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


Serializer = Callable[[list[dict[str, Any]]], bytes]
SERIALIZERS: dict[str, tuple[str, Serializer]] = {
    "listing": (".txt", _listing),
    "pages": (".txt", _pages),
    "jsonl": (".jsonl", _jsonl),
    "json": (".json", _json_array),
    "csv": (".csv", lambda records: _table(records, ",")),
    "tsv": (".tsv", lambda records: _table(records, "\t")),
}


# --- inputs --------------------------------------------------------------------------
def _fixed_inputs() -> list[FuzzInput]:
    deep = 50_000
    huge = json.dumps({"title": "Huge", "abstract": "x" * (MAX_LINE_BYTES + 10)}).encode()
    good = json.dumps({"title": "Good", "abstract": "We introduce Mistral 7B."}).encode()
    return [
        FuzzInput("empty.jsonl", b""),
        FuzzInput("spaces.txt", b"  \n\t\n \r\n"),
        FuzzInput("nbsp.txt", "\u00a0\u3000\n\u2003".encode()),
        FuzzInput("bom-only.jsonl", b"\xef\xbb\xbf"),
        FuzzInput("nul.jsonl", b"\x00" * 100),
        FuzzInput("binary.bin", bytes(range(256)) * 4),
        FuzzInput("zip.json", b"PK\x03\x04" + bytes(64)),
        FuzzInput("open-bracket.json", b"["),
        FuzzInput("open-brace.jsonl", b"{"),
        FuzzInput("close.json", b"]"),
        FuzzInput("null.jsonl", b"null\n", 1),
        FuzzInput("scalars.json", b'[1, "a", null, true, [], {}]', 6),
        FuzzInput("empty-array.json", b"[]", 0),
        FuzzInput("object-not-array.json", b'{"papers": []}\n', 1),
        FuzzInput("deep.jsonl", b"[" * deep + b"]" * deep + b"\n" + good + b"\n", 2),
        FuzzInput(
            "deep-field.jsonl", b'{"title": ' + b'{"a":' * deep + b"1" + b"}" * deep + b"}\n", 1
        ),
        FuzzInput("deep.json", b"[" + b"[" * deep + b"]" * deep + b", " + good + b"]", 2),
        FuzzInput("deep-top.json", b"[" * deep + b"]" * deep),
        FuzzInput("unclosed-string.json", b'[{"title": "T", "abstract": "never closed', 1),
        FuzzInput("huge-line.jsonl", good + b"\n" + huge + b"\n" + good + b"\n", 3),
        FuzzInput("no-newline-huge.txt", b"CLOct 10, 2023Code " + b"y" * (MAX_LINE_BYTES + 10)),
        FuzzInput("csv-header-only.csv", b"title,abstract\n", 0),
        FuzzInput("csv-no-abstract.csv", b"title,body\nA,B\n"),
        FuzzInput("tsv-no-title.tsv", b"name\tabstract\nA\tB\n"),
        FuzzInput("csv-unterminated.csv", b'title,abstract\n"A,B\nC,D\n'),
        FuzzInput("csv-ragged.csv", b"title,abstract\nA\nB,C,D\nE,F\n", 3),
        FuzzInput("csv-nul-later.csv", b"title,abstract\nA,B\n" + b"x" * 70_000 + b"\x00,y\n"),
        FuzzInput("listing-headers-only.txt", b"CLOct 10, 2023Code\nCLOct 11, 2023\n", 2),
        FuzzInput("pages-boilerplate-only.txt", b"Get trending papers in your email inbox!\n", 0),
        FuzzInput("utf16.jsonl", (good.decode() + "\n").encode("utf-16")),
        FuzzInput("utf16-be-nobom.jsonl", (good.decode() + "\n").encode("utf-16-be")),
        FuzzInput("utf32.jsonl", (good.decode() + "\n").encode("utf-32")),
        FuzzInput("cr-only.jsonl", good + b"\r" + good.replace(b"Good", b"Other") + b"\r", 2),
        FuzzInput("gzip-empty.jsonl.gz", gzip.compress(b"")),
        FuzzInput("gzip-cut.jsonl.gz", gzip.compress(good * 500 + b"\n")[:60]),
        FuzzInput("gzip-garbage-tail.jsonl.gz", gzip.compress(good + b"\n") + b"garbage"),
        FuzzInput("gzip-in-gzip.jsonl.gz", gzip.compress(gzip.compress(good + b"\n"))),
    ]


def _record_level(rng: random.Random) -> list[FuzzInput]:
    """Valid framing, bad values: each input's record count is known."""
    inputs = []
    for field in _FIELDS:
        for value in rng.sample(_WRONG_VALUES, 3):
            records = _records(rng, 3)
            records[1][field] = value
            for fmt in ("jsonl", "json"):
                ext, write = SERIALIZERS[fmt]
                inputs.append(FuzzInput(f"{field}-{fmt}{ext}", write(records), 3))
    for text in _ODD_TEXT:
        records = _records(rng, 3)
        records[rng.randrange(3)][rng.choice(("title", "abstract"))] = text
        for fmt, (ext, write) in SERIALIZERS.items():
            if fmt in ("listing", "pages") and ("\x00" in text or "\ud800" in text):
                continue  # a NUL or surrogate in the head is a whole-file error there
            data = write(records)
            count = 3 if fmt in ("jsonl", "json", "csv", "tsv") and "\x00" not in text else None
            inputs.append(FuzzInput(f"odd-{fmt}{ext}", data, count))
    for fmt, (ext, write) in SERIALIZERS.items():
        records = _records(rng, 4)
        records[0]["title"] = "\u200b\u200d"
        records[2]["abstract"] = " "
        inputs.append(FuzzInput(f"blank-{fmt}{ext}", write(records), 4 if fmt != "pages" else None))
    tags = ['say"hi', "<script>", "a&b", "x'y"]
    inputs.append(
        FuzzInput("listing-tags.txt", _listing(_records(rng, 2), " · " + ",".join(tags)), 2)
    )
    records = _records(rng, 3)
    records[1] = {"title": "T", "abstract": "A", "sources": [{"file": "x", "line": "abc"}]}
    records[2] = {"title": "T2", "abstract": "A", "date": 2020, "date_raw": 5}
    inputs.append(FuzzInput("kg-fields.jsonl", _jsonl(records), 3))
    return inputs


def _byte_level(rng: random.Random) -> list[FuzzInput]:
    """Damaged bytes, line endings and encodings of every format."""
    inputs = []
    for fmt, (ext, write) in SERIALIZERS.items():
        data = write(_records(rng, 4))
        inputs += [
            FuzzInput(f"{fmt}-clean{ext}", data, 4),
            FuzzInput(f"{fmt}-bom{ext}", b"\xef\xbb\xbf" + data, 4),
            FuzzInput(f"{fmt}-crlf{ext}", data.replace(b"\n", b"\r\n"), 4),
            FuzzInput(f"{fmt}-cr{ext}", data.replace(b"\n", b"\r"), 4),
            FuzzInput(f"{fmt}-gzip{ext}.gz", gzip.compress(data), 4),
            FuzzInput(f"{fmt}-gzip-cut{ext}.gz", _cut(gzip.compress(data))),
            FuzzInput(f"{fmt}-utf16{ext}", data.decode("utf-8").encode("utf-16")),
            FuzzInput(f"{fmt}-latin1{ext}", data.decode("utf-8").encode("latin-1", "replace")),
            FuzzInput(f"{fmt}-truncated{ext}", data[: rng.randrange(1, len(data))]),
            FuzzInput(f"{fmt}-no-final-newline{ext}", data.rstrip(b"\n"), 4),
            FuzzInput(f"{fmt}-blank-lines{ext}", data.replace(b"\n", b"\n\n"), 4),
        ]
        for name, noise in (
            ("nul", b"\x00"),
            ("ff", b"\xff"),
            ("esc", b"\x1b[2J"),
            ("cr", b"\r"),
            ("ctrl", bytes([rng.randrange(1, 32)])),
            ("c1", "\u0085".encode()),
            ("ls", "\u2028".encode()),
        ):
            for _ in range(2):
                position = rng.randrange(len(data))
                damaged = data[:position] + noise + data[position:]
                inputs.append(FuzzInput(f"{fmt}-{name}-at-{position}{ext}", damaged))
        for _ in range(3):
            flipped = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                flipped[rng.randrange(len(flipped))] = rng.randrange(256)
            inputs.append(FuzzInput(f"{fmt}-flipped{ext}", bytes(flipped)))
        lines = data.split(b"\n")
        rng.shuffle(lines)
        count = 4 if fmt == "jsonl" else None
        inputs.append(FuzzInput(f"{fmt}-shuffled{ext}", b"\n".join(lines), count))
    return inputs


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _wrong_reader(rng: random.Random) -> list[FuzzInput]:
    """Each format read with ``--format`` of every other one."""
    inputs = []
    for fmt, (ext, write) in SERIALIZERS.items():
        data = write(_records(rng, 3))
        for other in SERIALIZERS:
            if other != fmt:
                inputs.append(FuzzInput(f"{fmt}-as-{other}{ext}", data, fmt=other))
    return inputs

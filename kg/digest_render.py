"""Render a :class:`~kg.digest.Digest` as Markdown or as one offline HTML page.

Every string from an abstract is escaped for the target: Markdown gets its
punctuation backslash-escaped and ``<``, ``>``, ``&`` as entities (Markdown
viewers render raw HTML), HTML goes through Jinja2's autoescaping. Control
characters are dropped in both, so a digest shown in a terminal cannot steer it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from importlib.resources import files
from pathlib import Path

import networkx as nx
from jinja2 import Environment, select_autoescape

from kg.digest import Digest, Evidence, compute_digest
from kg.outputs import open_output
from kg.safe_text import without_controls

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")
clean = without_controls


def md(text: str) -> str:
    """``text`` shown literally in Markdown."""
    escaped = _MD_SPECIAL.sub(r"\\\1", clean(text))
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def digest_markdown(digest: Digest) -> str:
    """The digest as Markdown."""
    lines = [
        f"# What is new: {digest.since} to {digest.until}",
        "",
        f"{digest.papers:,} paper{'' if digest.papers == 1 else 's'} in the period.",
        "",
        "## Introduced",
        "",
    ]
    if not digest.introduced:
        lines += ["No paper of the period introduces a model or dataset.", ""]
    for entry in digest.introduced:
        lines.append(f"### {md(entry.name)} ({entry.label})")
        lines.append("")
        for paper_id, title in entry.papers:
            lines.append(f"Introduced in *{md(title)}* ({md(paper_id)}).")
        lines.append("")
        for claim in entry.claims:
            lines.append(f"- **{claim.wording}** {md(claim.target_name)} (papers: {claim.support})")
            lines += [f"  - {_md_evidence(e)}" for e in claim.evidence]
        if not entry.claims:
            lines.append("- no relation stated in the text yet")
        lines.append("")
    lines += [
        "## Most mentioned",
        "",
        f"Papers mentioning each entity, against {digest.before_since} to {digest.before_until}.",
        "",
        "| entity | type | papers | before |",
        "| --- | --- | ---: | ---: |",
    ]
    lines += [
        f"| {md(m.name)} | {m.label} | {m.papers} | {m.papers_before} |" for m in digest.mentioned
    ]
    return "\n".join(lines) + "\n"


def _md_evidence(evidence: Evidence) -> str:
    quoted = f"\u201c{md(evidence.sentence)}\u201d"
    return f"{quoted} \u2014 *{md(evidence.paper_title)}* ({md(evidence.paper_id)})"


_TEMPLATE = files("kg") / "data" / "view" / "digest.html.j2"


def digest_html(digest: Digest) -> str:
    """The digest as one self-contained HTML page (no script, no external resource)."""
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return environment.from_string(_TEMPLATE.read_text(encoding="utf-8")).render(
        d=digest, clean=clean
    )


def write_digest(
    graph: nx.MultiDiGraph[str],
    path: str | os.PathLike[str],
    since: dt.date,
    until: dt.date | None = None,
) -> Digest:
    """``kg digest``: the digest of ``since`` .. ``until``, written as Markdown or HTML.

    The file's suffix picks the form: ``.html`` / ``.htm`` for HTML, anything else Markdown.
    """
    digest = compute_digest(graph, since, until)
    target = Path(path)
    text = (
        digest_html(digest)
        if target.suffix.lower() in (".html", ".htm")
        else digest_markdown(digest)
    )
    with open_output(target, what="the digest") as handle:
        handle.write(text)
    return digest

"""Text from abstracts made safe to show on a terminal.

A title or author name is data from the internet: one holding
``ESC ] 0 ; ... BEL`` sets the terminal's title when printed, others move the
cursor, rewrite lines or (on some terminals) answer back into the input. So
everything kg prints that may hold input-derived text goes through
:func:`printable`, which replaces each control character with a visible
escape (``\\x1b``, ``\\x07``, ``\\u202e``): the C0 controls, DEL and the C1
controls (category ``Cc``), line and paragraph separators, the bidirectional
embedding, override and isolate marks (which reorder what a reader sees) and
lone surrogates. Everything else, any script, emoji and zero-width joiners
included, is left as it is.

The escapes are plain text, so they are ambiguous with a title that really
contains a backslash followed by ``x1b``; output meant for programs that must
get the exact text back is the JSON output, where :func:`json_safe` writes
the same characters as standard ``\\uXXXX`` escapes, which decode back to the
original.
"""

from __future__ import annotations

import re

__all__ = ["json_safe", "printable"]

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: Characters never printed raw; ``\t`` and ``\n`` are handled by ``keep``.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029" + _BIDI + "\ud800-\udfff]",
)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, keep: str = "") -> str:
    """``text`` with every unsafe character written as a visible escape (``\\x1b``).

    Characters in ``keep`` (e.g. ``"\\n\\t"`` for multi-line output, where a
    line break is not a threat) are left as they are.
    """
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else _escape(m.group()), text)


def json_safe(text: str) -> str:
    """JSON text with the unsafe characters JSON leaves raw (C1, bidi marks) as ``\\uXXXX``.

    ``json.dumps(..., ensure_ascii=False)`` already escapes C0 controls inside
    strings, so a raw tab or line break in its output is layout and stays; the
    result still decodes to exactly the same value.
    """
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(
        lambda m: m.group() if m.group() in "\t\n\r" else f"\\u{ord(m.group()):04x}", text
    )

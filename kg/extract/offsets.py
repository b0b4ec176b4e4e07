"""Offsets in the white-space-collapsed copy of a string, mapped back to the string itself.

The pipeline runs on ``collapse_space(text)``: its rules see one space between
words whatever the user typed (a line break inside "University of\\nX" must
not split a name). Users index their own string, so every offset that leaves
extraction goes through :class:`OffsetMap`, and ``text[start:end]`` on the
user's string is the mention. A string that is already collapsed (the usual
case) needs no map at all.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from kg.model import collapse_space


@dataclass(frozen=True)
class OffsetMap:
    """Where each word of the collapsed copy starts, in the copy and in the original."""

    original: str
    collapsed_starts: list[int]
    original_starts: list[int]

    def start(self, offset: int) -> int:
        """The original offset of the character at ``offset`` in the copy."""
        word = max(0, bisect.bisect_right(self.collapsed_starts, offset) - 1)
        if not self.collapsed_starts:
            return 0
        return self.original_starts[word] + offset - self.collapsed_starts[word]

    def end(self, offset: int) -> int:
        """The original offset just after the character before ``offset`` in the copy."""
        if offset <= 0 or not self.collapsed_starts:
            return self.start(offset)
        return self.start(offset - 1) + 1

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.start(start), max(self.start(start), self.end(end))


def collapse_with_map(text: str) -> tuple[str, OffsetMap | None]:
    """``collapse_space(text)``, and the map back to ``text`` (None when they are equal)."""
    collapsed = collapse_space(text)
    if collapsed == text:
        return text, None
    collapsed_starts, original_starts = [], []
    position, copy_position = 0, 0
    for word in text.split():
        position = text.find(word, position)  # only white space lies before it
        collapsed_starts.append(copy_position)
        original_starts.append(position)
        position += len(word)
        copy_position += len(word) + 1
    return collapsed, OffsetMap(text, collapsed_starts, original_starts)

"""Text from abstracts, made safe to show: no control characters that could steer a terminal.

ESC, BEL and the C1 controls in a title (``\\x1b]0;PWNED\\x07`` sets a terminal's
title) survive HTML and Markdown escaping untouched, so every renderer of
abstract text drops them first. Newlines and tabs become spaces: a rendered
name or sentence is one line.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    """``text`` on one line, with C0/C1 control characters (ESC, BEL, ...) removed."""
    return _CONTROL.sub("", text.replace("\n", " ").replace("\t", " ").replace("\r", " "))

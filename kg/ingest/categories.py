"""Map the two-letter classes of arXiv listings to arXiv category ids.

Listings print ``CL`` for cs.CL; a few classes belong to eess or stat. The
raw class is always kept beside the mapped one, and an unknown class maps to
itself, so nothing is lost when arXiv adds a class.
"""

from __future__ import annotations

# The computer-science archive (arxiv.org/category_taxonomy), all two letters.
_CS = (
    "AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE "
    "NI OH OS PF PL RO SC SD SE SI SY"
).split()
_OTHER = {"AS": "eess.AS", "IV": "eess.IV", "SP": "eess.SP", "ML": "stat.ML"}

LISTING_CLASSES: dict[str, str] = {**{code: f"cs.{code}" for code in _CS}, **_OTHER}


def listing_category(raw: str) -> str:
    """``CL`` -> ``cs.CL``; an unknown class is returned as given."""
    return LISTING_CLASSES.get(raw, raw)

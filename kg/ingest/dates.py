"""Parse the date forms inputs use into :class:`~kg.model.PartialDate`.

Listings print ``Oct 27, 2022`` or, for the current year, ``Mar 26``; corpora
give ``2024`` or ``2018-10-10``; the arXiv metadata snapshot gives
``Mon, 2 Apr 2007 19:18:42 GMT``. A date kg cannot parse is kept raw, never
guessed and never an error: the paper is still worth having.
"""

from __future__ import annotations

import re
from email.utils import parsedate_tz

from kg.model import PartialDate, real_date

MONTHS = {
    name: index
    for index, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}

_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]*\.? (\d{1,2})(?:, (\d{4}))?$")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?$")
_ISO_NO_YEAR = re.compile(r"^--(\d{2})(?:-(\d{2}))?$")


def parse_date(raw: str | None) -> PartialDate | None:
    """Parse ``raw`` into a PartialDate; None when there is no date at all."""
    if raw is None:
        return None
    text = " ".join(str(raw).split())
    if not text:
        return None
    for parser in (_iso, _iso_no_year, _month_day_year, _rfc2822):
        parsed = parser(text)
        if parsed is not None and _valid(parsed):
            return parsed
    return PartialDate(raw=text)


def _valid(date: PartialDate) -> bool:
    return real_date(date.year, date.month, date.day)


def _iso(text: str) -> PartialDate | None:
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    return PartialDate(text, int(year), _int(month), _int(day))


def _iso_no_year(text: str) -> PartialDate | None:
    match = _ISO_NO_YEAR.match(text)
    if not match:
        return None
    return PartialDate(text, None, int(match.group(1)), _int(match.group(2)))


def _month_day_year(text: str) -> PartialDate | None:
    match = _MONTH_DAY_YEAR.match(text)
    if not match or match.group(1).lower() not in MONTHS:
        return None
    month = MONTHS[match.group(1).lower()]
    return PartialDate(text, _int(match.group(3)), month, int(match.group(2)))


def _rfc2822(text: str) -> PartialDate | None:
    parts = parsedate_tz(text)
    if parts is None:
        return None
    return PartialDate(text, parts[0], parts[1], parts[2])


def _int(value: str | None) -> int | None:
    return int(value) if value else None

"""What readers yield: a paper, or a problem with one record.

Readers never raise for a bad record; they yield a :class:`~kg.errors.RecordError`
and go on, so the caller decides between ``--on-error fail`` and ``skip``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeAlias

from kg.errors import RecordError
from kg.model import Paper

Item: TypeAlias = Paper | RecordError
Items: TypeAlias = Iterator[Item]

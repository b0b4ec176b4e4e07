"""kg: turn ML paper abstracts into a knowledge graph.

The pipeline has one module per stage (see ``docs/architecture.md``)::

    ingest -> extract -> resolve -> graph -> store / view

Each stage is a typed function from one plain dataclass to the next, so the
library can be used without the CLI.
"""

from kg.errors import KgError
from kg.model import Paper, PartialDate, Source

__all__ = ["KgError", "Paper", "PartialDate", "Source", "__version__"]
__version__ = "0.1.0"

"""The names other rooms imported from here before the repositories were split by aggregate:
import from the aggregate's own module instead (reviews.py, people.py, audit.py, ...)."""

from .allocations import AllocationRecord
from .audit import GENESIS, KEYED, PLAIN
from .downloads import StoredDownload
from .submissions import StoredDocument, Submissions

__all__ = ["GENESIS", "KEYED", "PLAIN", "AllocationRecord", "StoredDocument", "StoredDownload",
           "Submissions"]

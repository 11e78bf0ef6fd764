"""Ralph's LRS app with its file-system backend appending: run by tests/lrs_server.py in Ralph's own venv.

Ralph 5.1's file-system LRS backend writes with its data backend's default operation, "create", which refuses an
existing file: only the first statement of a run would ever be stored. Appending is what an LRS file needs.
"""

from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402  (after the fix: the app builds its backend at import)

__all__ = ["app"]

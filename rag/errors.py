"""The one user-facing error type."""


class RagError(Exception):
    """A problem the user can act on. The message says what happened and what to do."""

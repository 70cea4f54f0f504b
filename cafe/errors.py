"""Pure: the errors an operation raises, each with a stable code, an HTTP status and human messages."""
from __future__ import annotations


class CafeError(ValueError):
    """A change that cannot be made; nothing was stored."""

    status = 422
    code = "invalid"

    def __init__(self, messages: list[str] | str, *, code: str | None = None):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        if code:
            self.code = code
        super().__init__("; ".join(self.messages))


class Conflict(CafeError):
    """The request is well formed but the café's state does not allow it now."""

    status = 409
    code = "conflict"


class NotFound(CafeError):
    """Something named in the request does not exist."""

    status = 404
    code = "not_found"

"""Domain errors raised by services and mapped to HTTP once, in the exception handler."""


class DomainError(Exception):
    """A refused operation: HTTP ``status_code`` with ``{"detail", "code", **extra}``."""

    status_code = 409
    code = "conflict"

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

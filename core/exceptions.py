"""Domain errors. Services raise these; core.errors turns each into one HTTP status and the
one JSON error body, and core.middleware into an HTML page. Nothing else maps errors."""

from __future__ import annotations

import math


class DomainError(Exception):
    status = 400
    code = "invalid"
    default_message = "The request could not be processed."

    def __init__(self, message: str | None = None, *, code: str | None = None, fields: dict | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(self.message)


class ValidationFailed(DomainError):
    status = 400
    code = "invalid"
    default_message = "Some fields are not valid."

    @classmethod
    def on(cls, field: str, message: str, *, code: str = "invalid") -> ValidationFailed:
        """An error tied to one input field."""
        return cls(message, code=code, fields={field: [message]})


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    default_message = "Authentication is required."


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"
    default_message = "You may not do this."


class NotFound(DomainError):
    """Also used for objects the user may not see, so their existence is never revealed."""

    status = 404
    code = "not_found"
    default_message = "Not found."


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = "This conflicts with the current state."


class Unavailable(DomainError):
    """A part the server needs is missing or down (ffmpeg not installed, say): try later."""

    status = 503
    code = "unavailable"
    default_message = "This is not available right now."
    retry_after: int | None = None  # seconds, when it is known to pass soon


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    default_message = "The request is too large."


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: float, message: str | None = None, *, code: str | None = None):
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(message or f"Too many requests. Try again in {self.retry_after} seconds.", code=code)

import logging

from django.db import InterfaceError, OperationalError, connections

from .errors import as_domain_error, error_response
from .exceptions import DomainError, RateLimited, Unavailable

logger = logging.getLogger(__name__)

# Seconds a client waits before trying again after the database failed it.
DATABASE_RETRY_AFTER = 5


class DomainErrorMiddleware:
    """HTML views let domain errors (NotFound, RateLimited, ...) rise; this renders them, in
    JSON under /api/ and as the themed page elsewhere. DRF's handler answers the API's domain
    errors first; a database failure rises through it and is answered here as 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            exception = _database_unavailable(exception)
        exception = as_domain_error(exception)  # an oversize body a view read: 413 or 400
        if not isinstance(exception, DomainError):
            return None
        response = error_response(request, exception.status, exception.code, exception.message, exception.fields)
        if isinstance(exception, RateLimited | Unavailable) and exception.retry_after:
            response["Retry-After"] = str(exception.retry_after)
        return response


def _database_unavailable(error: Exception) -> Unavailable:
    """The database failed the request (connection lost, server gone, a lock wait or deadlock):
    its transaction was rolled back, so nothing was half-written and trying again is safe. The
    broken connection is closed so the next request opens a fresh one."""
    logger.warning("Database unavailable: %s", error)
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    unavailable = Unavailable("The service is briefly unavailable. Please try again in a moment.")
    unavailable.retry_after = DATABASE_RETRY_AFTER
    return unavailable

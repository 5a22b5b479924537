from .errors import error_response
from .exceptions import DomainError, RateLimited


class DomainErrorMiddleware:
    """HTML views let domain errors (NotFound, RateLimited, ...) rise; this renders them.
    The API never gets here: DRF's handler answers first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        response = error_response(request, exception.status, exception.code, exception.message, exception.fields)
        if isinstance(exception, RateLimited):
            response["Retry-After"] = str(exception.retry_after)
        return response

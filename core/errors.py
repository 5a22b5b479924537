"""The one error format. Every 4xx/5xx answer of the API has the body
`{"code": <machine code>, "message": <human sentence>, "fields": {<field>: [<messages>]}}`;
HTML pages render templates/error.html with the same code and message."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import DomainError, PayloadTooLarge, RateLimited, ValidationFailed

GENERIC_MESSAGES = {
    400: ("bad_request", "The request could not be understood."),
    403: ("permission_denied", "You may not do this."),
    404: ("not_found", "Not found."),
    500: ("server_error", "Something went wrong on our side. Please try again."),
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def _validation_body(exc: drf_exceptions.ValidationError) -> dict:
    detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    fields = {name: _flatten(value) for name, value in detail.items()}
    name, messages = next(iter(fields.items()))
    message = messages[0] if name == "non_field_errors" else f"{name}: {messages[0]}"
    return error_body("invalid", message, fields)


def _api_exception_body(exc: drf_exceptions.APIException) -> dict:
    detail = exc.detail
    if isinstance(detail, dict):  # simplejwt's token errors: {"detail", "code", "messages"}
        code = str(detail.get("code", exc.default_code))
        message = str(detail.get("detail", exc.default_detail))
    else:
        code = getattr(detail, "code", None) or exc.default_code
        message = str(detail)
    return error_body(code, message)


def as_domain_error(exc: BaseException) -> BaseException:
    """Django's refusals of an oversize request body (raised wherever the body is first read)
    as the domain errors they are; any other exception as it is."""
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, TooManyFieldsSent):
        return ValidationFailed("The request has too many fields.", code="too_many_fields")
    if isinstance(exc, TooManyFilesSent):
        return ValidationFailed("The request has too many files.", code="too_many_files")
    return exc


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: domain errors and DRF's own, in the one body."""
    exc = as_domain_error(exc)
    if isinstance(exc, DomainError):
        response = Response(error_body(exc.code, exc.message, exc.fields), status=exc.status)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response
    response = drf_exception_handler(exc, context)  # keeps its headers (Retry-After, WWW-Authenticate)
    if response is None:
        return None  # a real bug: handler500 answers in the same shape
    if isinstance(exc, drf_exceptions.ValidationError):
        response.data = _validation_body(exc)
    elif isinstance(exc, drf_exceptions.APIException):
        response.data = _api_exception_body(exc)
        if isinstance(exc, drf_exceptions.Throttled):
            response.data["message"] = f"Too many requests. Try again in {response['Retry-After']} seconds."
            response.data["code"] = "rate_limited"
    else:  # Http404 / Django PermissionDenied converted by DRF
        code, message = GENERIC_MESSAGES.get(response.status_code, ("error", "Request failed."))
        response.data = error_body(code, message)
    return response


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def error_response(request, status: int, code: str, message: str, fields: dict | None = None):
    """An error answer for either interface: JSON under /api/, the themed page elsewhere."""
    if is_api(request):
        return JsonResponse(error_body(code, message, fields), status=status)
    return render(request, "error.html", {"status": status, "code": code, "message": message}, status=status)


def _generic(request, status: int):
    code, message = GENERIC_MESSAGES[status]
    return error_response(request, status, code, message)


def bad_request(request, exception=None):
    """handler400: also what Django answers when a middleware read an oversize body."""
    error = as_domain_error(exception) if exception is not None else None
    if isinstance(error, DomainError):
        return error_response(request, error.status, error.code, error.message, error.fields)
    return _generic(request, 400)


def permission_denied(request, exception=None):
    return _generic(request, 403)


def page_not_found(request, exception=None):
    return _generic(request, 404)


def server_error(request):
    return _generic(request, 500)


def csrf_failure(request, reason=""):
    return error_response(
        request, 403, "csrf_failed", "Your form expired or came from another site. Reload the page and try again."
    )


def api_not_found(request, *args, **kwargs):
    """Catch-all under /api/: unknown API paths answer JSON even with DEBUG on."""
    return _generic(request, 404)

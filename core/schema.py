from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class RevocableJWTScheme(SimpleJWTScheme):
    """The API's token authentication is simplejwt's bearer scheme ("jwtAuth") in the schema."""

    target_class = "core.authentication.RevocableJWTAuthentication"


class AutoSchema(SpectacularAutoSchema):
    """Names nested InputSerializer/OutputSerializer classes after their view
    (SignUpApi.InputSerializer → SignUpApiInput), so components never collide."""

    def _get_serializer_name(self, serializer, direction, bypass_extensions=False):
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        qualname = type(serializer).__qualname__
        if "." in qualname and "<locals>" not in qualname:
            outer = qualname.rsplit(".", 1)[0].replace(".", "")
            return f"{outer}{name}"
        return name


# --- Error answers -------------------------------------------------------------------------------
# Every error of the API has the one body (core.errors.error_body). Which statuses an operation
# can answer follows from what it takes: these rules declare them, so no view has to.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Machine-readable, e.g. not_found, invalid, rate_limited."},
        "message": {"type": "string", "description": "A sentence to show a person."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages per input field, for 400 invalid.",
        },
    },
    "required": ["code", "message", "fields"],
}
ERROR_DESCRIPTIONS = {
    "400": "The input is not valid.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Signed in, but not allowed to do this to something you may see.",
    "404": "No such object, or one you may not see.",
    "409": "This conflicts with the object's current state.",
    "413": "The request body is too large.",
    "415": "The body's content type is not accepted.",
    "429": "Too many requests: wait the seconds in Retry-After.",
    "503": "Briefly unavailable (the database or a tool the server needs): try again after Retry-After.",
}
WRITES = {"post", "put", "patch", "delete"}


def _error_statuses(method: str, operation: dict) -> list[str]:
    """Auth, throttling and the database apply everywhere; input can be wrong where there is input; objects
    named in the path can be missing; writes can also name missing objects in their body (an
    upload, a parent comment), be refused or conflict, and carry a body too big or of a wrong type."""
    parameters = operation.get("parameters", [])
    statuses = ["401", "429", "503"]
    if "requestBody" in operation or any(parameter["in"] == "query" for parameter in parameters):
        statuses.append("400")
    if any(parameter["in"] == "path" for parameter in parameters):
        statuses.append("404")
    if method in WRITES:
        statuses += ["400", "403", "404", "409", "413", "415"]
    return sorted(set(statuses))


def declare_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: the error answers of every operation, with the one
    error body (a status a view declares itself is kept as it is)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    retry_after = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for status in _error_statuses(method, operation):
                answer = {"description": ERROR_DESCRIPTIONS[status], "content": error}
                if status in ("429", "503"):
                    answer["headers"] = retry_after
                responses.setdefault(status, answer)
    return result

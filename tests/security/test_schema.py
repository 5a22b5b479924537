"""The schema tells the truth about errors: what tests/security/test_fuzz.py holds every answer to."""

from __future__ import annotations

from drf_spectacular.generators import SchemaGenerator

ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema, [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_declares_its_errors_with_the_one_body():
    # when the schema is generated
    schema, operations = _operations()
    # then the error body is a component, and each operation declares the statuses it can answer
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message", "fields"]
    missing = []
    for method, path, operation in operations:
        expected = {"401", "429", "503"}
        if "{" in path:
            expected.add("404")
        if method in {"POST", "PUT", "PATCH", "DELETE"}:
            expected |= {"400", "403", "404", "409", "413", "415"}
        responses = operation["responses"]
        missing += [
            f"{method} {path} {status}"
            for status in sorted(expected)
            if responses.get(status, {}).get("content") != ERROR
        ]
    assert len(operations) > 60
    assert missing == []


def test_rate_limited_answers_declare_retry_after():
    _, operations = _operations()
    assert {"Retry-After"} == {
        name for _, _, operation in operations for name in operation["responses"]["429"]["headers"]
    }


def test_undoing_answers_the_state_it_leaves():
    # given the operations that undo something and answer the state left (found by the fuzzer:
    # they answered 200 with a body where the schema said 204)
    undo = [
        "/api/users/{username}/follow/",
        "/api/users/{username}/block/",
        "/api/posts/{post_id}/like/",
        "/api/posts/{post_id}/save/",
        "/api/posts/{post_id}/repost/",
        "/api/me/avatar/",
    ]
    schema, _ = _operations()
    # then each declares 200 with its body, and no 204
    declared = {
        path: sorted(code for code in schema["paths"][path]["delete"]["responses"] if code < "300") for path in undo
    }
    assert declared == {path: ["200"] for path in undo}
    assert all("content" in schema["paths"][path]["delete"]["responses"]["200"] for path in undo)

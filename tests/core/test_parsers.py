"""Bounded request bodies: JSON nested too deeply is a 400 and a body too large a 413, in the one
error format, for API requests; pages keep their themed error pages. Before, "[" * 50000 made
Python's json module raise RecursionError (a 500), and Django's refusal of an oversize form
answered its HTML page on the API. Every body here is real and really that large."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.parsers import JSON_MAX_DEPTH, loads, nests_deeper_than
from tests.videos.factories import UploadFactory
from users.models import User

pytestmark = pytest.mark.django_db

TOO_LARGE = {"code": "payload_too_large", "message": "The request is too large.", "fields": {}}


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deeply_nested_json_to_the_login_api_is_a_400_not_a_500(api_client):
    # when the probe's body is posted unauthenticated
    response = api_client.generic("POST", "/api/auth/token/", _nested(50_000), content_type="application/json")
    # then
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "message": f"JSON parse error - JSON nested deeper than {JSON_MAX_DEPTH} levels",
        "fields": {},
    }


@pytest.mark.parametrize(
    ("text", "deeper"),
    [
        (_nested(JSON_MAX_DEPTH), False),
        (_nested(JSON_MAX_DEPTH + 1), True),
        ('{"a": "' + "[" * 100 + '"}', False),  # brackets inside a string do not nest
        ('["\\"[[[[", ' * 40 + "0" + "]" * 40, True),  # nor does an escaped quote end the string
        ("[" + '{"a": [1, 2, "]]]]"]}, ' * 40 + "0]", False),  # many brackets, never deep
    ],
)
def test_nesting_is_measured_without_decoding(text, deeper):
    # when / then
    assert nests_deeper_than(text, JSON_MAX_DEPTH) is deeper


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}', b"\xff\xfe", _nested(33)])
def test_loads_refuses_what_is_not_json_or_too_deep(text):
    # when / then
    with pytest.raises(ValueError):
        loads(text)


def test_json_at_the_depth_limit_still_parses(api_client):
    # given a body exactly JSON_MAX_DEPTH deep: the field is then simply the wrong type
    body = json.dumps({"identifier": json.loads(_nested(JSON_MAX_DEPTH - 1)), "password": "x"})
    # when
    response = api_client.generic("POST", "/api/auth/token/", body, content_type="application/json")
    # then the serializer, not the parser, answers
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {"identifier": ["Not a valid string."]}


def test_a_json_body_over_the_limit_is_a_413(api_client, settings):
    # given a real body one byte over the limit
    settings.API_JSON_MAX_BYTES = 1000
    body = json.dumps({"identifier": "ana", "password": "x" * 1000})[:1001]
    # when
    response = api_client.generic("POST", "/api/auth/token/", body, content_type="application/json")
    # then
    assert response.status_code == 413
    assert response.json() == TOO_LARGE


def test_a_json_body_at_the_default_limit_plus_one_is_a_413(api_client, settings):
    # given a 1 MB + 1 byte body at the default limit
    body = json.dumps({"identifier": "ana", "password": "x" * settings.API_JSON_MAX_BYTES})
    # when
    response = api_client.generic("POST", "/api/auth/signup/", body, content_type="application/json")
    # then
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert User.objects.count() == 0


def test_a_form_body_over_the_limit_is_a_413_in_json(api_client, settings):
    # given a urlencoded body (DRF's own form parser reads any size)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    body = "identifier=ana&password=" + "x" * 2000
    # when
    response = api_client.generic("POST", "/api/auth/token/", body, content_type="application/x-www-form-urlencoded")
    # then
    assert response.status_code == 413
    assert response.json() == TOO_LARGE


@pytest.mark.parametrize("debug", [False, True])
def test_a_multipart_field_over_djangos_limit_is_a_413_in_json(client, settings, debug):
    # given Django's own limit on the fields of a multipart body (RequestDataTooBig), DEBUG either way
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    # when
    response = client.post("/api/auth/token/", {"identifier": "ana", "password": "x" * 3000})
    # then
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == TOO_LARGE


def test_a_raw_chunk_over_djangos_default_limit_is_a_413_in_json(auth_client, settings):
    # given a resumable upload, and a chunk of 10 MB + 1 byte (request.body refuses it)
    upload = UploadFactory(owner=auth_client.user, size=20 * 1024 * 1024)
    chunk = b"\0" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    # when
    response = auth_client.put(
        f"/api/videos/uploads/{upload.pk}/",
        chunk,
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE=f"bytes 0-{len(chunk) - 1}/{upload.size}",
    )
    # then
    assert response.status_code == 413
    assert response.json() == TOO_LARGE


def test_too_many_fields_is_a_400_in_json(client, settings):
    # given
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{n}": "x" for n in range(11)}
    # when
    response = client.post("/api/auth/token/", fields)
    # then
    assert response.status_code == 400
    assert response.json() == {"code": "too_many_fields", "message": "The request has too many fields.", "fields": {}}


def test_too_many_files_is_a_400_in_json(auth_client, settings):
    # given
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = {f"file{n}": SimpleUploadedFile(f"f{n}.txt", b"hello") for n in range(3)}
    # when
    response = auth_client.put("/api/me/avatar/", files, format="multipart")
    # then
    assert response.status_code == 400
    assert response.json() == {"code": "too_many_files", "message": "The request has too many files.", "fields": {}}


def test_an_oversize_body_read_by_a_middleware_answers_json_under_the_api(settings):
    # given the CSRF check reads the body of a POST to the plain-Django catch-all under /api/
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32  # so the check goes on to read the posted token
    # when
    response = client.post("/api/no-such-thing/", {"text": "x" * 3000})
    # then
    assert response.status_code == 413
    assert response.json() == TOO_LARGE


def test_an_oversize_page_form_gets_the_themed_page(client, settings):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    # when a page's form is posted with a body over the limit
    response = client.post("/login/", {"identifier": "ana", "password": "x" * 3000})
    # then the themed error page answers, not JSON
    assert response.status_code == 413
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "The request is too large." in response.content.decode()

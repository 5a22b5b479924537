"""Bounded request parsing. DRF's JSON and form parsers read a body whole, however large
(Django's DATA_UPLOAD_MAX_MEMORY_SIZE only guards `request.body`, `request.POST` and
multipart fields), and Python's json module recurses once per level of nesting, so
"[" * 50000 raises RecursionError. These parsers read at most API_JSON_MAX_BYTES of JSON and
DATA_UPLOAD_MAX_MEMORY_SIZE of a form (413 past it) and measure nesting before decoding,
without recursing (400 past JSON_MAX_DEPTH). `loads()` is the same check for JSON that
arrives some other way."""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .exceptions import PayloadTooLarge

JSON_MAX_DEPTH = 32  # the API's deepest input (a push subscription) is 2 levels deep

# A JSON string, written so the regex engine never backtracks into it (possessive quantifiers).
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nests_deeper_than(text: str, max_depth: int) -> bool:
    """Whether arrays and objects in `text` nest more than `max_depth` levels (brackets inside
    strings do not count). Linear in the length and without recursion: safe on any input."""
    if text.count("[") + text.count("{") <= max_depth:
        return False  # it cannot nest deeper than it has brackets: the common case, at C speed
    brackets = _BRACKET.findall(_STRING.sub("", text))
    return max(accumulate(1 if bracket in "[{" else -1 for bracket in brackets), default=0) > max_depth


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def loads(text: str | bytes, *, max_depth: int = JSON_MAX_DEPTH) -> Any:
    """json.loads for untrusted text: ValueError when it is not JSON (NaN and Infinity are
    not), nests deeper than `max_depth`, or is not UTF-8."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if nests_deeper_than(text, max_depth):
        raise ValueError(f"JSON nested deeper than {max_depth} levels")
    return json.loads(text, parse_constant=_reject_constant)


def read_body(stream, parser_context: dict | None, *, limit: int) -> bytes:
    """The body, or PayloadTooLarge (413) once it passes `limit` bytes, whether or not the
    client declared its length."""
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge()
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise PayloadTooLarge()
    return body


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = read_body(stream, parser_context, limit=settings.API_JSON_MAX_BYTES)
        try:
            return loads(body)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}", code="parse_error") from None


class BoundedFormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        body = read_body(stream, parser_context, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return QueryDict(body, encoding=encoding)

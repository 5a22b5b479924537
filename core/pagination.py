"""Keyset ("cursor") pagination: stable while new rows arrive, and no OFFSET, so page 1,000
costs what page 1 costs. Rows are ordered by `fields` (the last one unique), newest (largest)
first unless `ascending`."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from . import parsers
from .exceptions import ValidationFailed

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# A cursor is what _encode() makes: unpadded URL-safe base64 of a flat JSON list of a few
# strings (a date, a hashtag of up to 64 letters of any script) and numbers. Anything longer
# or of other characters is refused before it is decoded.
MAX_CURSOR_LENGTH = 512
CURSOR_RE = re.compile(r"[A-Za-z0-9_-]+")
MAX_CURSOR_STRING = 64
MAX_CURSOR_INT = 2**63 - 1  # a signed 64-bit column


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain, ensure_ascii=False).encode()).decode().rstrip("=")


def _is_cursor_value(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_CURSOR_STRING
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) <= MAX_CURSOR_INT
    return isinstance(value, float) and math.isfinite(value)


def _decode(cursor: str, length: int) -> list[Any]:
    """The values in `cursor`, or ValidationFailed (400, code invalid_cursor) for anything that
    is not a cursor _encode() could have made: too long, not base64, not a flat JSON list of
    `length` short strings and finite numbers."""
    values = None
    if len(cursor) <= MAX_CURSOR_LENGTH and CURSOR_RE.fullmatch(cursor):
        try:
            values = parsers.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)), max_depth=1)
        except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
            values = None
    if not (isinstance(values, list) and len(values) == length and all(map(_is_cursor_value, values))):
        raise invalid_cursor()
    return values


def invalid_cursor() -> ValidationFailed:
    return ValidationFailed.on("cursor", "This cursor is not valid.", code="invalid_cursor")


def cursor_values(cursor: str, fields: tuple[str, ...] = ("created_at", "id")) -> list[Any]:
    """What a cursor from paginate() holds: the values of `fields` of the last row it passed
    (dates as ISO strings). ValidationFailed if it is not such a cursor."""
    return _decode(cursor, len(fields))


def _after(fields: tuple[str, ...], values: list[Any], lookup: str) -> Q:
    """Rows strictly after `values` in the order of `fields` (a lexicographic keyset)."""
    condition = Q()
    for index in reversed(range(len(fields))):
        equal = Q(**{field: value for field, value in zip(fields[:index], values[:index], strict=True)})
        step = equal & Q(**{f"{fields[index]}__{lookup}": values[index]})
        condition = step if index == len(fields) - 1 else step | (equal & condition)
    return condition


def paginate(
    queryset: QuerySet,
    *,
    cursor: str | None,
    size: int = DEFAULT_PAGE_SIZE,
    fields: tuple[str, ...] = ("created_at", "id"),
    ascending: bool = False,
) -> Page:
    queryset = queryset.order_by(*(field if ascending else f"-{field}" for field in fields))
    if cursor:
        try:
            queryset = queryset.filter(_after(fields, _decode(cursor, len(fields)), "gt" if ascending else "lt"))
        except (ValidationError, ValueError, TypeError, OverflowError) as exc:
            raise invalid_cursor() from exc
    rows = list(queryset[: size + 1])
    items = rows[:size]
    next_cursor = _encode([getattr(items[-1], field) for field in fields]) if len(rows) > size else None
    return Page(items=items, next_cursor=next_cursor)


def page_params(query_params) -> tuple[str | None, int]:
    """`?cursor=` and `?size=` from a request, size clamped to 1..MAX_PAGE_SIZE."""
    try:
        size = int(query_params.get("size", DEFAULT_PAGE_SIZE))
    except ValueError:
        raise ValidationFailed.on("size", "Page size must be a whole number.") from None
    return query_params.get("cursor") or None, min(max(size, 1), MAX_PAGE_SIZE)

"""Keyset ("cursor") pagination: stable while new rows arrive, and no OFFSET, so page 1,000
costs what page 1 costs. Rows are ordered by `fields` (the last one unique), newest (largest)
first unless `ascending`."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from .exceptions import ValidationFailed

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, length: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != length:
        raise ValidationFailed.on("cursor", "This cursor is not valid.")
    return values


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
        except (ValidationError, ValueError, TypeError) as exc:
            raise ValidationFailed.on("cursor", "This cursor is not valid.") from exc
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

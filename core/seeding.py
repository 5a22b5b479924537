"""Demo data for every app, filled by `manage.py seed_demo`.

Each app registers its seeder in SEEDERS from its AppConfig.ready() (so core imports no app);
a seeder's `order` puts people before their posts. A seeder makes the small demo community through the app's services
(`demo`) and, for benchmarks, large volumes (`bulk`) written with insert_rows, which skips the
ORM: building a model instance per row would cost more than the database does."""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from time import monotonic
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction

from .registry import Registry

Out = Callable[[str], None]  # writes one line of progress for the person running the command


@dataclass(frozen=True)
class Volume:
    """How much bulk data to make: accounts, posts, and how many accounts each one follows."""

    users: int
    posts: int
    follows: int

    @classmethod
    def scaled(cls, users: int) -> Volume:
        """The benchmark's shape: ten posts per account, each following 500 others (or all)."""
        return cls(users=users, posts=10 * users, follows=min(500, users - 1))


class Seeder(Protocol):
    name: str  # the app's
    order: int  # seed_demo runs seeders of lower order first

    def demo(self, out: Out) -> None: ...

    def bulk(self, volume: Volume, out: Out) -> None: ...


SEEDERS: Registry[Seeder] = Registry("seeder")


def random_source(seed: int) -> random.Random:
    """A random source that gives the same data on every run of the seeder."""
    return random.Random(seed)  # noqa: S311 - demo data, not secrets


def _batches(rows: Iterable[Sequence], size: int) -> Iterable[list[Sequence]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _adapt(value):
    # Stored the way the ORM stores them (in UTC, naive on MySQL), so queries compare alike.
    return connection.ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value


def _mysql_literals() -> dict[type, Callable[[object], str]]:
    """How to write each type of value as a MySQL literal; looked up by exact type, and bound
    once, since the connection proxy costs more than the conversion (50 million rows)."""
    escape, adapt = connection.connection.string_literal, connection.ops.adapt_datetimefield_value

    def text(value) -> str:
        return escape(value.encode()).decode()

    return {
        type(None): lambda value: "NULL",
        bool: lambda value: "1" if value else "0",
        int: str,
        float: repr,
        str: text,
        # Rows often share a timestamp (one per follower), so the last few are remembered.
        datetime: functools.lru_cache(maxsize=256)(lambda value: text(str(adapt(value)))),
    }


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ImproperlyConfigured(f"{model.__name__}.{name} is not a column.")
    return field.column


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence], *, batch: int = 5000
) -> int:
    """Insert `rows` (values in the order of `columns`, field names) into `model`'s table in
    multi-row INSERTs of `batch` rows, each batch its own transaction; returns how many.

    On MySQL/MariaDB the values are written into the statement (strings escaped by the driver):
    measured half again as fast as the driver's executemany, which converts every value through
    a lookup table. Elsewhere (SQLite) executemany is fast already."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(_column(model, name)) for name in columns)
    insert = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 - names quoted, values escaped below
    count = 0
    with connection.cursor() as wrapper:
        # The driver's cursor: with DEBUG on, Django's would keep every statement (half a
        # megabyte each) in connection.queries.
        cursor = wrapper.cursor
        literals = _mysql_literals() if connection.vendor == "mysql" else {}
        for chunk in _batches(rows, batch):
            with transaction.atomic():
                if literals:
                    values = ",".join(f"({','.join([literals[type(value)](value) for value in row])})" for row in chunk)
                    cursor.execute(insert + values)
                else:
                    marks = f"({', '.join(['%s'] * len(columns))})"
                    cursor.executemany(insert + marks, [[_adapt(value) for value in row] for row in chunk])
            count += len(chunk)
    return count


def timed(out: Out, what: str, insert: Callable[[], int]) -> int:
    """Run `insert` and report how many rows it wrote, how fast."""
    started = monotonic()
    count = insert()
    seconds = monotonic() - started
    out(f"{what}: {count:,} rows in {seconds:.1f} s ({count / max(seconds, 0.001):,.0f}/s)")
    return count

"""Post search backends. Post text is searched through the database's own full-text index
(migration 0002 builds it): one backend per database engine, picked by the connection's vendor.
Both take the words of a query already reduced to letters, digits and underscores
(builders.SearchQuery), so nothing a user types is ever full-text query syntax, and both treat
each word as a word prefix, so results grow as someone types."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F, Lookup, QuerySet
from django.db.models.expressions import RawSQL

from core.registry import Registry


class SearchBackend(Protocol):
    vendor: str  # the connection.vendor whose full-text index it queries

    def matching(self, posts: QuerySet, words: Sequence[str]) -> QuerySet:
        """`posts` narrowed to those whose text has a word starting with each of `words`
        (lower-case runs of letters, digits and underscores)."""
        ...


class SQLiteFTS5:
    """An FTS5 table over posts_post.body, kept current by triggers."""

    vendor = "sqlite"

    def query(self, words: Sequence[str]) -> str:
        # Each word as a quoted phrase, so AND, OR, NEAR and the like are plain words; "x"* is
        # a prefix; words side by side must all match.
        return " ".join(f'"{word}"*' for word in words)

    def matching(self, posts, words):
        ids = RawSQL("SELECT rowid FROM posts_post_fts WHERE posts_post_fts MATCH %s", (self.query(words),))
        return posts.filter(pk__in=ids)


class Match(Lookup):
    """MySQL/MariaDB's MATCH (column) AGAINST (query IN BOOLEAN MODE). A lookup, not a plain
    expression, so Django puts it in WHERE as it is: compared "= True" the relevance it
    returns (0.4, say) would not equal 1."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        column, column_params = self.process_lhs(compiler, connection)
        query, query_params = self.process_rhs(compiler, connection)
        return f"MATCH ({column}) AGAINST ({query} IN BOOLEAN MODE)", (*column_params, *query_params)


class MySQLFulltext:
    """An InnoDB FULLTEXT index on posts_post.body, searched in boolean mode. InnoDB leaves
    stopwords and words shorter than innodb_ft_min_token_size (or longer than the maximum) out
    of the index, so those words are matched with a regular expression instead: a scan, but
    only of the rows the indexed words and the other filters leave, unless nothing else is
    asked for."""

    vendor = "mysql"
    # InnoDB's default stopword list (INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD), the same on
    # MySQL and MariaDB. Reading it from the server needs the PROCESS privilege, which an
    # application's account need not have.
    # fmt: off
    STOPWORDS = frozenset({
        "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how", "i", "in", "is",
        "it", "la", "of", "on", "or", "that", "the", "this", "to", "und", "was", "what", "when", "where", "who",
        "will", "with", "www",
    })
    # fmt: on

    def __init__(self, token_sizes: tuple[int, int] | None = None):
        self.token_sizes = token_sizes  # (min, max) characters; read from the server on first use unless given

    def _token_sizes(self) -> tuple[int, int]:
        if self.token_sizes is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT @@innodb_ft_min_token_size, @@innodb_ft_max_token_size")
                shortest, longest = cursor.fetchone()
            self.token_sizes = (int(shortest), int(longest))
        return self.token_sizes

    def split(self, words: Sequence[str]) -> tuple[str, list[str]]:
        """The boolean-mode query for the words the index holds, and the words it does not."""
        shortest, longest = self._token_sizes()
        indexed = [word for word in words if shortest <= len(word) <= longest and word not in self.STOPWORDS]
        return " ".join(f"+{word}*" for word in indexed), [word for word in words if word not in indexed]

    def matching(self, posts, words):
        query, unindexed = self.split(words)
        if query:
            posts = posts.filter(Match(F("body"), query))
        for word in unindexed:
            # The start of a word, as the index matches; the collation makes REGEXP ignore case.
            posts = posts.filter(body__iregex=rf"\b{word}")
        return posts


# Filled by posts' AppConfig.ready(); another database engine's backend is added with
# SEARCH_BACKENDS.register(backend).
SEARCH_BACKENDS: Registry[SearchBackend] = Registry("search backend", key=lambda backend: backend.vendor)


def search_backend() -> SearchBackend:
    backend = SEARCH_BACKENDS.get(connection.vendor)
    if backend is None:
        raise ImproperlyConfigured(
            f"Post search has no full-text backend for the {connection.vendor!r} database: "
            f"use one of {SEARCH_BACKENDS.names()} or register one (posts.strategies.search.SEARCH_BACKENDS)."
        )
    return backend

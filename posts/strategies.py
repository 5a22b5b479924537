"""Feed ranking: interchangeable orders behind one interface, picked per feed by
settings.FEED_RANKING. Each returns the posts annotated as it needs and the keyset fields the
cursor pages by, so every strategy pages stably without OFFSET. The recommendations app will
register a learned "personalized" ranking in place of the one here (RANKINGS)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Case, Exists, F, FloatField, Lookup, OuterRef, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest, Log
from django.utils import timezone

from core.registry import Registry
from users.models import Follow

from .models import Post

# Engagement weights: the seed's likes×2 + views, with comments, reposts and saves, which cost
# the reader more than a like, counted higher.
WEIGHTS = {"likes_count": 2, "views_count": 1, "comments_count": 3, "reposts_count": 4, "saves_count": 2}
# Time decay in the "hot" form: a post needs 10× the engagement to rank level with one posted
# this many seconds later. Time-free once stored, so it is an index, not a sort at read time.
DECAY_SECONDS = 12.5 * 3600


def engagement():
    total: Any = Value(0)
    for field, weight in WEIGHTS.items():
        total = total + F(field) * weight
    return total


def hot_score(created_at: datetime):
    """SQL expression of a post's hot score from its current counters (for an UPDATE)."""
    return Log(10, Greatest(engagement(), Value(1))) + Value(created_at.timestamp() / DECAY_SECONDS)


def initial_hot_score(created_at: datetime) -> float:
    return created_at.timestamp() / DECAY_SECONDS


class Ranking(Protocol):
    name: str
    label: str  # shown above the feed, so readers know how it is ordered

    def rank(self, posts: QuerySet, viewer) -> tuple[QuerySet, tuple[str, ...]]: ...


class Recency:
    name = "recency"
    label = "Newest first."

    def rank(self, posts, viewer):
        return posts, ("created_at", "id")


class Engagement:
    name = "engagement"
    label = "Most engaging first: likes, comments, reposts, saves and views, with newer posts weighted up."

    def rank(self, posts, viewer):
        window = timezone.now() - timedelta(days=settings.TRENDING_WINDOW_DAYS)
        return posts.filter(created_at__gte=window), ("hot_score", "id")


class Personalized:
    """Until the recommendations app learns from watch events: the engagement order, lifted
    for people the viewer follows and for hashtags matching the viewer's interests."""

    name = "personalized"
    label = "Picked for you from the people you follow and your interests (the recommender is not trained yet)."
    FOLLOW_BOOST = 1.0  # as much as 10× the engagement
    INTEREST_BOOST = 0.7

    def rank(self, posts, viewer):
        posts, _ = Engagement().rank(posts, viewer)
        if viewer is None or not viewer.is_authenticated:
            return posts, ("hot_score", "id")
        follows = Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("author_id")))
        interests = viewer.profile.interests.values("name")
        tagged = Exists(Post.hashtags.through.objects.filter(post=OuterRef("pk"), hashtag__name__in=interests))
        score = (
            F("hot_score")
            + Case(When(follows, then=Value(self.FOLLOW_BOOST)), default=Value(0.0), output_field=FloatField())
            + Case(When(tagged, then=Value(self.INTEREST_BOOST)), default=Value(0.0), output_field=FloatField())
        )
        return posts.annotate(personal_score=score), ("personal_score", "id")


# Apps above posts (recommendations) add a ranking, or replace one: RANKINGS.register(it, replace=True).
RANKINGS: Registry[Ranking] = Registry("feed ranking")
RANKINGS.register_all([Recency(), Engagement(), Personalized()])


def ranking_for(feed: str) -> Ranking:
    return RANKINGS[settings.FEED_RANKING[feed]]


# --- Search backends -----------------------------------------------------------------------------
# Post text is searched through the database's own full-text index (migration 0002 builds it):
# one backend per database engine, picked by the connection's vendor. Both take the words of a
# query already reduced to letters, digits and underscores (builders.SearchQuery), so nothing a
# user types is ever full-text query syntax, and both treat each word as a word prefix, so
# results grow as someone types.


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


# Another database engine's backend is added with SEARCH_BACKENDS.register(backend).
SEARCH_BACKENDS: Registry[SearchBackend] = Registry("search backend", key=lambda backend: backend.vendor)
SEARCH_BACKENDS.register_all([SQLiteFTS5(), MySQLFulltext()])


def search_backend() -> SearchBackend:
    backend = SEARCH_BACKENDS.get(connection.vendor)
    if backend is None:
        raise ImproperlyConfigured(
            f"Post search has no full-text backend for the {connection.vendor!r} database: "
            f"use one of {SEARCH_BACKENDS.names()} or register one (posts.strategies.SEARCH_BACKENDS)."
        )
    return backend

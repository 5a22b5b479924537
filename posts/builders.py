"""Search, assembled from optional parts: words, hashtags, an author, a kind of post, and who
is looking. One SearchQuery answers the three searches of the search page and the navbar:
posts (through the database's full-text index, strategies.search.search_backend), people and
hashtags. Every part narrows the results; the viewer's filters (visibility, blocks both ways,
moderation) always apply, and a query with nothing to look for finds nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from core.exceptions import ValidationFailed
from core.pagination import Page, paginate
from users.models import User
from users.repositories import with_card_data

from .models import Hashtag, Post
from .repositories import decorate, with_post_data
from .strategies.search import search_backend
from .text import HASHTAG_RE, hashtags_in

MAX_LENGTH = 100  # characters of a query
# What reaches the full-text engine: runs of letters, digits and underscores, so quotes, *, -,
# parentheses, AND/OR/NEAR operators and the like typed by someone are never query syntax.
WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class SearchQuery:
    viewer: object = None
    terms: tuple[str, ...] = ()  # as typed, lower-case, split on spaces
    tags: tuple[str, ...] = ()  # without '#'
    author: str | None = None  # a username
    kind: str | None = None  # a Post.Kind

    @classmethod
    def parse(cls, text: str, viewer=None) -> SearchQuery:
        """What someone typed in a search box: each #tag becomes a hashtag part, the rest terms."""
        if len(text) > MAX_LENGTH:
            raise ValidationFailed.on("q", f"Search for at most {MAX_LENGTH} characters.", code="too_long")
        return cls(viewer=viewer).with_terms(HASHTAG_RE.sub(" ", text)).with_tags(*hashtags_in(text))

    def with_terms(self, text: str) -> SearchQuery:
        return replace(self, terms=self.terms + tuple(text.lower().split()))

    def with_tags(self, *tags: str) -> SearchQuery:
        return replace(self, tags=self.tags + tuple(tag.lower().lstrip("#") for tag in tags))

    def by(self, username: str | None) -> SearchQuery:
        return replace(self, author=username.lower().lstrip("@") if username else None)

    def of_kind(self, kind: str | None) -> SearchQuery:
        return replace(self, kind=kind or None)

    @property
    def words(self) -> list[str]:
        """The terms as the full-text index sees them."""
        words = (word.strip("_") for term in self.terms for word in WORD_RE.findall(term))
        return [word for word in words if word]

    @property
    def names(self) -> list[str]:
        """Terms and tags as parts of a name: '@ana' and '#ana' look for ana."""
        names = (name.lstrip("@#") for name in (*self.terms, *self.tags))
        return [name for name in names if name]

    def posts(self) -> QuerySet:
        """Posts with a word starting with each word of the query and every tag, by the author,
        of the kind, that the viewer may see, with what a list shows of them (then decorate)."""
        words = self.words
        if not words and not self.tags:
            return Post.objects.none()
        posts: QuerySet = Post.objects.visible_to(self.viewer)
        if words:
            posts = search_backend().matching(posts, words)
        for tag in self.tags:
            posts = posts.filter(hashtags__name=tag)
        if self.author:
            posts = posts.filter(author__username=self.author)
        if self.kind:
            posts = posts.filter(kind=self.kind)
        return with_post_data(posts)

    def people(self) -> QuerySet:
        """Accounts the viewer may see whose username, or a word of whose display name, starts
        with each name of the query; with their card data (followers_count for ordering).
        Names are short and typed in part, so they are matched by prefix, not by the
        full-text index (which leaves out words under three letters on MySQL)."""
        names = self.names
        # Usernames and tags are stored lower-case, yet matched with i-lookups: MySQL compares
        # a plain startswith as BINARY, which its case-insensitive index cannot serve.
        users = User.objects.visible_to(self.viewer)
        for name in names:
            users = users.filter(
                Q(username__istartswith=name)
                | Q(profile__display_name__istartswith=name)
                | Q(profile__display_name__icontains=f" {name}")
            )
        users = with_card_data(users, self.viewer)
        return users if names else users.none()  # none() keeps the annotations a page orders by

    def hashtags(self) -> QuerySet:
        """Tags starting with any name of the query, each with `uses`: how many public posts
        carry it. Tags on no public post are left out, so a private post does not reveal its
        tags. `popularity` (minus uses) orders them most used first, then by name, in a keyset."""
        names = self.names
        starts = Q()
        for name in names:
            starts |= Q(name__istartswith=name)
        public = Post.hashtags.through.objects.filter(
            hashtag=OuterRef("pk"), post__visibility=Post.Visibility.PUBLIC, post__is_hidden=False
        )
        uses = Subquery(public.order_by().values("hashtag").annotate(n=Count("*")).values("n"))  # type: ignore[misc]  # stubs miss values() after annotate()
        tags = Hashtag.objects.filter(starts).annotate(uses=Coalesce(uses, Value(0), output_field=IntegerField()))
        tags = tags.filter(uses__gt=0).annotate(popularity=-F("uses"))
        return tags if names else tags.none()

    # Pages of each, keyset-paginated like the feeds: newest posts, best-known people, most
    # used tags first.

    def post_page(self, *, cursor: str | None = None, size: int = 20) -> Page:
        page = paginate(self.posts(), cursor=cursor, size=size)
        return Page(decorate(page.items, self.viewer), page.next_cursor)

    def people_page(self, *, cursor: str | None = None, size: int = 20) -> Page:
        return paginate(self.people(), cursor=cursor, size=size, fields=("followers_count", "id"))

    def hashtag_page(self, *, cursor: str | None = None, size: int = 20) -> Page:
        return paginate(self.hashtags(), cursor=cursor, size=size, fields=("popularity", "name"), ascending=True)

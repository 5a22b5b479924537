"""Feed ranking: interchangeable orders behind one interface, picked per feed by
settings.FEED_RANKING, and the hot score the engagement orders sort by. Each ranking returns the
posts annotated as it needs and the keyset fields the cursor pages by, so every strategy pages stably
without OFFSET. The recommendations app will register a learned "personalized" ranking in place
of the one here (RANKINGS)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Case, Exists, F, FloatField, OuterRef, QuerySet, Value, When
from django.db.models.functions import Greatest, Log
from django.utils import timezone

from core.registry import Registry
from users.models import Follow

from ..models import Post

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


# Filled by posts' AppConfig.ready(); apps above posts (recommendations) add a ranking, or
# replace one, from theirs: RANKINGS.register(it, replace=True).
RANKINGS: Registry[Ranking] = Registry("feed ranking")


def ranking_for(feed: str) -> Ranking:
    return RANKINGS[settings.FEED_RANKING[feed]]

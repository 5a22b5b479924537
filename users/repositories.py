"""Reads of accounts, profiles and the follow/block graph. Every list is constant in queries."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.exceptions import NotFound
from core.pagination import Page, paginate

from . import states
from .models import Block, DataExport, Follow, TwoFactor, User, UserQuerySet


def get_user_by_identifier(identifier: str) -> User | None:
    """The account an email address or username names (either, any case), or None."""
    identifier = identifier.strip().lower()
    if not identifier:
        return None
    field = "email" if "@" in identifier else "username"
    return User.objects.filter(**{field: identifier}).first()


def _count_of(field: str) -> Coalesce:
    links = Follow.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(links.annotate(n=Count("*")).values("n")), Value(0), output_field=IntegerField())


def with_card_data(users: QuerySet, viewer) -> QuerySet:
    """Profile, follower/following counts and whether `viewer` follows each user, in one query."""
    users = users.select_related("profile").annotate(
        followers_count=_count_of("followee"), following_count=_count_of("follower")
    )
    if viewer is not None and viewer.is_authenticated:
        return users.annotate(is_followed=Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("pk"))))
    return users.annotate(is_followed=Value(False))


def is_blocked_either_way(a: User | int, b: User | int) -> bool:
    """Whether one of the two (users or their ids) blocked the other."""
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def get_profile_for(viewer, username: str) -> User:
    """A profile `viewer` may open. Someone who blocked the viewer does not exist for them;
    someone the viewer blocked stays visible so they can be unblocked."""
    users = User.objects.active().filter(username=username.lower())
    if viewer is not None and viewer.is_authenticated:
        users = users.exclude(block_links__blocked=viewer)
    user = with_card_data(users, viewer).prefetch_related("profile__interests").first()
    if user is None:
        raise NotFound("No such user.")
    return user


def get_relationship(viewer, user: User) -> dict[str, bool]:
    if viewer is None or not viewer.is_authenticated or viewer.pk == user.pk:
        return {"following": False, "followed_by": False, "blocking": False}
    follows = set(
        Follow.objects.filter(Q(follower=viewer, followee=user) | Q(follower=user, followee=viewer)).values_list(
            "follower_id", flat=True
        )
    )
    return {
        "following": viewer.pk in follows,
        "followed_by": user.pk in follows,
        "blocking": Block.objects.filter(blocker=viewer, blocked=user).exists(),
    }


def _linked_users(viewer, users: UserQuerySet, since: Subquery, *, cursor: str | None, size: int) -> Page:
    cards = with_card_data(users.visible_to(viewer).annotate(linked_at=since), viewer)
    return paginate(cards, cursor=cursor, size=size, fields=("linked_at", "id"))


def list_followers(viewer, user: User, *, cursor: str | None = None, size: int = 20) -> Page:
    """Who follows `user`, most recent first."""
    since = Subquery(Follow.objects.filter(follower=OuterRef("pk"), followee=user).values("created_at")[:1])
    return _linked_users(viewer, User.objects.filter(following_links__followee=user), since, cursor=cursor, size=size)


def list_following(viewer, user: User, *, cursor: str | None = None, size: int = 20) -> Page:
    """Whom `user` follows, most recent first."""
    since = Subquery(Follow.objects.filter(follower=user, followee=OuterRef("pk")).values("created_at")[:1])
    return _linked_users(viewer, User.objects.filter(follower_links__follower=user), since, cursor=cursor, size=size)


def list_blocked(user: User, *, cursor: str | None = None, size: int = 20) -> Page:
    since = Subquery(Block.objects.filter(blocker=user, blocked=OuterRef("pk")).values("created_at")[:1])
    users = User.objects.filter(blocked_by_links__blocker=user).annotate(linked_at=since).select_related("profile")
    return paginate(users, cursor=cursor, size=size, fields=("linked_at", "id"))


def search_users(viewer, query: str, *, cursor: str | None = None, size: int = 20) -> Page:
    """Accounts whose username or display name contains `query`, newest accounts first."""
    query = query.strip()[:60]
    users = User.objects.visible_to(viewer)
    if query:
        users = users.filter(Q(username__icontains=query.lower()) | Q(profile__display_name__icontains=query))
    return paginate(with_card_data(users, viewer), cursor=cursor, size=size, fields=("date_joined", "id"))


def suggested_users(viewer, *, limit: int = 6) -> list[User]:
    """People to follow: the most followed accounts the viewer does not follow yet."""
    users = User.objects.visible_to(viewer).exclude(pk=viewer.pk).exclude(follower_links__follower=viewer)
    return list(with_card_data(users, viewer).order_by("-followers_count", "-id")[:limit])


def follower_id_batches(user_id: int, *, size: int = 1000) -> Iterator[list[int]]:
    """The ids of everyone following `user_id`, in batches of at most `size`, by keyset (an
    author with a million followers is read a batch at a time, each an index range)."""
    followers = Follow.objects.filter(followee_id=user_id).order_by("follower_id")
    batch = list(followers.values_list("follower_id", flat=True)[:size])
    while batch:
        yield batch
        # A short batch was the last: asking again would read all the followers once more.
        more = followers.filter(follower_id__gt=batch[-1]) if len(batch) == size else followers.none()
        batch = list(more.values_list("follower_id", flat=True)[:size])


def get_two_factor(user: User) -> TwoFactor | None:
    """The user's two-factor record, on or still being set up, or None."""
    return TwoFactor.objects.filter(user=user).first()


def get_data_export_for(user, export_id: int) -> DataExport:
    """One of `user`'s own data downloads; anyone else's does not exist for them."""
    exports = DataExport.objects.select_related("user")
    export = exports.filter(pk=export_id, user_id=user.pk).first() if user.is_authenticated else None
    if export is None:
        raise NotFound("No such download.")
    return export


def get_downloadable_export_for(user, export_id: int) -> DataExport:
    """One of `user`'s own downloads whose zip is ready and not expired; else NotFound."""
    export = get_data_export_for(user, export_id)
    if export.state != states.READY or not export.file or (export.expires_at and export.expires_at <= timezone.now()):
        raise NotFound("This download is not ready or has expired.")
    return export


def latest_data_export(user) -> DataExport | None:
    """The person's newest download that has not expired (what the 'Your data' page shows)."""
    return DataExport.objects.filter(user=user).exclude(state=states.EXPIRED).order_by("-created_at", "-id").first()


def get_account_scheduled_for_deletion(user_id) -> User | None:
    """The account with this id if it is waiting out its deletion grace period (the login
    page's way to cancel the deletion), else None."""
    return User.objects.filter(pk=user_id, is_active=False, deletion_due_at__isnull=False).first() if user_id else None

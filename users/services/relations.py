"""The follow and block graph. A block removes follows both ways, and a blocked user can
neither see nor reach the blocker: for them the blocker does not exist (404)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from core.exceptions import Conflict, NotFound, ValidationFailed
from core.transactions import after_commit

from .. import notices, streams
from ..models import Block, Follow, User


def follow_user(*, follower: User, followee: User) -> bool:
    """Follow someone. Idempotent: False if already following."""
    if follower.pk == followee.pk:
        raise ValidationFailed("You cannot follow yourself.", code="self_follow")
    if Block.objects.filter(blocker=followee, blocked=follower).exists():
        raise NotFound("No such user.")
    if Block.objects.filter(blocker=follower, blocked=followee).exists():
        raise Conflict("You blocked this user. Unblock them first.", code="blocking")
    with transaction.atomic():
        _, created = Follow.objects.get_or_create(follower=follower, followee=followee)
        if created:
            notices.followed(followee, by=follower)
    return created


def unfollow_user(*, follower: User, followee: User) -> bool:
    """Stop following. Idempotent: False if not following."""
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
        if deleted:
            notices.unfollowed(followee, by=follower)
            after_commit(streams.access_changed, follower.pk)
    return bool(deleted)


def block_user(*, blocker: User, blocked: User) -> bool:
    """Block someone; follows in both directions end. Idempotent: False if already blocked."""
    if blocker.pk == blocked.pk:
        raise ValidationFailed("You cannot block yourself.", code="self_block")
    with transaction.atomic():
        _, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        Follow.objects.filter(Q(follower=blocker, followee=blocked) | Q(follower=blocked, followee=blocker)).delete()
        if created:
            notices.blocked(blocker, blocked)
            after_commit(streams.access_changed, blocker.pk, blocked.pk)
    return created


def unblock_user(*, blocker: User, blocked: User) -> bool:
    """Lift a block (follows it ended stay ended). Idempotent: False if not blocked."""
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)

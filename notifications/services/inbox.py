"""The one door through which every app tells people what happened: notify(). Also withdrawing
and forgetting notifications, and marking them read.

notify() writes inside the caller's transaction and delivers only after it commits, so a
rolled-back like tells nobody. Nobody hears about their own actions, nor about someone on
either side of a block (the users app registers that check: this app sits below it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from core.transactions import after_commit

from .. import repositories, strategies, streams
from ..kinds import get_kind, vetoed
from ..models import DeliverySettings, Notification, NotificationActor, Preference, PushSubscription


def _target_ref(target: models.Model | None) -> tuple[int | None, int | None]:
    return (ContentType.objects.get_for_model(target).pk, target.pk) if target is not None else (None, None)


def _lock_inboxes(user_ids: Iterable[int]) -> list:
    """Hold these people's rows for the rest of the transaction. Every write to someone's
    notifications takes this lock first, so writers of one inbox queue instead of racing (a
    grouped notification is read-modify-write), always in id order, so none wait in a circle.
    It also hands out one person's notification ids in commit order, which the clients' catch-up
    ("everything after the last id I saw") relies on. Returns the active ones."""
    users = get_user_model().objects.select_for_update().filter(pk__in=sorted(set(user_ids))).order_by("pk")
    return [user for user in users if user.is_active]


def notify(
    *,
    recipient,
    kind: str,
    actor=None,
    target: models.Model | None = None,
    data: dict | None = None,
) -> None:
    """Tell `recipient` that `actor` did `kind` to `target` (any model instance, or None).
    `data` holds what to show beside the sentence: "url" (where a click goes) and "excerpt".

    Nothing is stored or sent until the caller's transaction commits (at once outside one);
    a rollback tells nobody, and the caller's locks are not held while inboxes are written.
    Nobody is told when they are the actor, are inactive, are on either side of a block with
    the actor, or turned every channel off for this kind. A grouped kind folds into the
    recipient's open notification about the same target, re-issued under a new id at the top."""
    get_kind(kind)  # an unknown kind fails in the caller, not after its commit
    if actor is not None and actor.pk == recipient.pk:
        return
    target_type_id, target_id = _target_ref(target)
    after_commit(
        _notify_now, recipient.pk, kind, actor.pk if actor is not None else None, target_type_id, target_id, data or {}
    )


def _notify_now(
    recipient_id: int, kind: str, actor_id: int | None, target_type_id: int | None, target_id: int | None, data: dict
) -> None:
    spec = get_kind(kind)
    with transaction.atomic():
        recipients = _lock_inboxes([recipient_id])
        if not recipients or (actor_id is not None and vetoed(recipient_id, actor_id)):
            return
        channels = [name for name, on in repositories.channels_for(recipients[0], spec).items() if on]
        if not channels:
            return
        fields: dict[str, Any] = {
            "actor_id": actor_id,
            "target_type_id": target_type_id,
            "target_id": target_id,
            "data": data,
        }
        if "in_app" not in channels:
            fields["read_at"] = timezone.now()  # kept for the record and the emails, never rings the bell
        key = f"{kind}:{target_type_id or ''}:{target_id or ''}" if spec.grouped else None
        notification, replaced = _issue(recipient_id, kind, key, fields)
        after_commit(strategies.deliver, notification.pk, channels=channels, replaced=replaced)


def _issue(recipient_id: int, kind: str, key: str | None, fields: dict) -> tuple[Notification, int | None]:
    """Store a notification; for a grouped kind, fold it into the open group if there is one.
    Returns it and the id of the group row it replaced."""
    previous = None
    if key is not None:
        previous = Notification.objects.filter(recipient_id=recipient_id, open_key=key).first()
        window = timedelta(hours=settings.NOTIFICATION_GROUP_HOURS)
        if previous is not None and previous.created_at < timezone.now() - window:
            Notification.objects.filter(pk=previous.pk).update(open_key=None)
            previous = None
    actor_id = fields["actor_id"]
    if previous is not None:
        Notification.objects.filter(pk=previous.pk).update(open_key=None)
        links = NotificationActor.objects.filter(notification=previous)
        joined = actor_id is not None and not links.filter(actor_id=actor_id).exists()
        fields = {**fields, "actors_count": previous.actors_count + joined}
    notification = Notification.objects.create(recipient_id=recipient_id, kind=kind, open_key=key, **fields)
    replaced = None
    if previous is not None:
        links.update(notification=notification)
        replaced = previous.pk
        previous.delete()
    if actor_id is not None:
        NotificationActor.objects.update_or_create(
            notification=notification, actor_id=actor_id, defaults={"created_at": notification.created_at}
        )
    return notification, replaced


def _unlink(recipient_id: int, **link_filters) -> None:
    """Take actors off one person's notifications: counts go down, a notification left with
    nobody goes away, and one whose named actor left names the latest remaining one."""
    with transaction.atomic():
        if not _lock_inboxes([recipient_id]):
            return
        links = NotificationActor.objects.filter(notification__recipient_id=recipient_id, **link_filters)
        affected = {link.notification_id: link.notification for link in links.select_related("notification")}
        links.delete()
        removed = []
        for notification in affected.values():
            remaining = NotificationActor.objects.filter(notification=notification).order_by("-created_at", "-id")
            latest = remaining.first()
            if latest is None:
                removed.append(notification.pk)
                notification.delete()
            else:
                Notification.objects.filter(pk=notification.pk).update(
                    actors_count=remaining.count(), actor_id=latest.actor_id
                )
        if removed:
            after_commit(streams.announce_removed, recipient_id, removed)


def withdraw(*, recipient, kind: str, actor, target: models.Model | None = None) -> None:
    """Undo what notify() told, once the caller commits: the actor unliked, unfollowed or took
    back a repost."""
    target_type_id, target_id = _target_ref(target)
    after_commit(
        _unlink,
        recipient.pk,
        actor_id=actor.pk,
        notification__kind=kind,
        notification__target_type_id=target_type_id,
        notification__target_id=target_id,
    )


def forget_actor(*, recipient, actor) -> None:
    """Remove what `actor` did from `recipient`'s notifications (after a block), once the
    caller commits."""
    after_commit(_unlink, recipient.pk, actor_id=actor.pk)


def forget(*, model: type[models.Model], ids: Iterable[int]) -> None:
    """Delete every notification about these objects (they are being deleted), once the
    caller commits."""
    ids = list(ids)
    if ids:
        after_commit(_forget_now, ContentType.objects.get_for_model(model).pk, ids)


def _forget_now(target_type_id: int, ids: list[int]) -> None:
    with transaction.atomic():
        about = Notification.objects.filter(target_type_id=target_type_id, target_id__in=ids)
        _lock_inboxes(about.values_list("recipient_id", flat=True).distinct())
        removed: dict[int, list[int]] = {}
        for pk, recipient_id in about.values_list("pk", "recipient_id"):
            removed.setdefault(recipient_id, []).append(pk)
        about.delete()
        for recipient_id, gone in removed.items():
            after_commit(streams.announce_removed, recipient_id, gone)


def mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (NotFound for anyone else's)."""
    notification = repositories.get_notification_for(user, notification_id)
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(read_at=now, open_key=None)
        notification.read_at, notification.open_key = now, None
        after_commit(streams.announce_read, user.pk, ids=[notification.pk])
    return notification


def mark_all_read(*, user, up_to: int | None = None) -> int:
    """Mark all the user's notifications read, or those up to id `up_to` (what the page showed,
    so one arriving meanwhile stays unread). Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if up_to is not None:
        unread = unread.filter(pk__lte=up_to)
    changed = unread.update(read_at=timezone.now(), open_key=None)
    if changed:
        after_commit(streams.announce_read, user.pk, ids=None, up_to=up_to)
    return changed


def erase_notifications_of(*, user) -> None:
    """The notifications app's part of erasing an account: the person leaves the notifications
    of others they acted in (counts go down, a notification left with nobody goes away), and
    their own inbox, choices and devices are deleted."""
    recipients = NotificationActor.objects.filter(actor=user).values_list("notification__recipient_id", flat=True)
    for recipient_id in set(recipients):
        _unlink(recipient_id, actor_id=user.pk)
    with transaction.atomic():
        Notification.objects.filter(models.Q(recipient=user) | models.Q(actor=user)).delete()
        for model in (Preference, DeliverySettings, PushSubscription):
            model.objects.filter(user=user).delete()

"""Reads of notifications, preferences and push devices."""

from __future__ import annotations

import operator
from functools import reduce

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from core.exceptions import NotFound
from core.pagination import Page, paginate

from .kinds import Kind, all_kinds
from .models import CHANNELS, DeliverySettings, Notification, Preference, PushSubscription

# How many missed notifications a reconnecting client is sent at most; past that it reloads.
CATCH_UP_LIMIT = 100


def _with_person(path: str) -> list[str]:
    """select_related paths for the person at `path` and what their display name and avatar
    come from (the user model names those relations: a profile)."""
    return [path, *(f"{path}__{name}" for name in getattr(get_user_model(), "DISPLAY_RELATED", ()))]


def _with_actor(notifications: QuerySet) -> QuerySet:
    return notifications.select_related(*_with_person("actor"))


def inbox_of(user) -> QuerySet:
    return _with_actor(Notification.objects.filter(recipient=user))


def list_notifications(user, *, cursor: str | None, size: int, unread_only: bool = False) -> Page:
    """The user's notifications, newest first."""
    notifications = inbox_of(user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return paginate(notifications, cursor=cursor, size=size, fields=("id",))


def list_notifications_after(user, after_id: int) -> tuple[list[Notification], bool]:
    """What a client that last saw `after_id` has missed (oldest first), and whether there
    was more than CATCH_UP_LIMIT of it."""
    rows = list(inbox_of(user).filter(pk__gt=after_id).order_by("id")[: CATCH_UP_LIMIT + 1])
    return rows[:CATCH_UP_LIMIT], len(rows) > CATCH_UP_LIMIT


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def get_notification_for(user, notification_id: int) -> Notification:
    """One of the user's notifications; NotFound for anyone else's."""
    notification = inbox_of(user).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound("No such notification.")
    return notification


def get_notification(notification_id: int) -> Notification | None:
    """A notification about to be delivered, with its recipient; None if it is gone."""
    return _with_actor(Notification.objects.select_related("recipient")).filter(pk=notification_id).first()


def _switches(kind: Kind, chosen: dict[str, bool]) -> dict[str, bool]:
    return {channel: chosen.get(channel, channel in kind.channels) for channel in CHANNELS}


def channels_for(user, kind: Kind) -> dict[str, bool]:
    """Which channels carry `kind` to `user`: the kind's defaults, overridden by their choices."""
    return _switches(kind, dict(Preference.objects.filter(user=user, kind=kind.name).values_list("channel", "enabled")))


def switches_of(user_ids: list[int]) -> dict[int, dict[str, dict[str, bool]]]:
    """{user id: {kind: {channel: on}}} for every kind, for many people in one query."""
    chosen: dict[int, dict[str, dict[str, bool]]] = {}
    rows = Preference.objects.filter(user_id__in=user_ids).values_list("user_id", "kind", "channel", "enabled")
    for user_id, kind, channel, enabled in rows:
        chosen.setdefault(user_id, {}).setdefault(kind, {})[channel] = enabled
    return {
        user_id: {kind.name: _switches(kind, chosen.get(user_id, {}).get(kind.name, {})) for kind in all_kinds()}
        for user_id in user_ids
    }


def preferences_of(user) -> list[tuple[Kind, dict[str, bool]]]:
    """Every kind with the user's channel switches, in settings-page order."""
    switches = switches_of([user.pk])[user.pk]
    return [(kind, switches[kind.name]) for kind in all_kinds()]


def list_digests_due(*, sent_before, after_pk: int, size: int) -> list[DeliverySettings]:
    """The next `size` delivery settings (by id, after `after_pk`) of active, verified people
    who read notification emails as a digest and got none since `sent_before`."""
    due = DeliverySettings.objects.filter(email_digest=True, user__is_active=True, user__email_verified=True).filter(
        Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=sent_before)
    )
    return list(due.filter(pk__gt=after_pk).select_related(*_with_person("user")).order_by("pk")[:size])


def list_digest_rows(
    batch: list[DeliverySettings], *, since_default, until, limit: int
) -> dict[int, list[Notification]]:
    """The newest `limit` unseen notifications of each person in `batch` since their last
    digest (or `since_default`), of the kinds they want by email, each annotated with `total`
    (how many there are). One query for the switches, one for the rows."""
    switches = switches_of([delivery.user_id for delivery in batch])
    wanted = []
    for delivery in batch:
        kinds = switches[delivery.user_id]
        by_email = [name for name, on in kinds.items() if on["email"]]
        # Stored read because the kind is off in the app: never seen, so it belongs in the digest.
        never_shown = [name for name in by_email if not kinds[name]["in_app"]]
        if by_email:
            since = delivery.digest_sent_at or since_default
            wanted.append(
                Q(recipient_id=delivery.user_id, created_at__gt=since, kind__in=by_email)
                & (Q(read_at__isnull=True) | Q(kind__in=never_shown))
            )
    if not wanted:
        return {}
    newest_first = Window(RowNumber(), partition_by=[F("recipient_id")], order_by=F("pk").desc())
    rows = (
        _with_actor(Notification.objects.filter(reduce(operator.or_, wanted), created_at__lte=until))
        .annotate(position=newest_first, total=Window(Count("pk"), partition_by=[F("recipient_id")]))
        .filter(position__lte=limit)
        .order_by("recipient_id", "-pk")
    )
    listed: dict[int, list[Notification]] = {}
    for row in rows:
        listed.setdefault(row.recipient_id, []).append(row)
    return listed


def delivery_settings_of(user_id: int) -> DeliverySettings:
    """The user's delivery settings (defaults, unsaved, if they never changed them)."""
    return DeliverySettings.objects.filter(user_id=user_id).first() or DeliverySettings(user_id=user_id)


def push_subscriptions_of(user_id: int) -> QuerySet:
    return PushSubscription.objects.filter(user_id=user_id).order_by("-created_at")

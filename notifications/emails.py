"""Notification emails: one per notification as it happens, or one digest a day for people who
chose it. Every email is text + HTML, links back to the site, and carries a link (and the RFC
8058 one-click headers) that stops that kind of email without logging in."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import ratelimit
from core.exceptions import RateLimited

from . import repositories, services
from .kinds import get_kind
from .models import Notification
from .unsubscribe import DIGEST, emails_about, make_token

logger = logging.getLogger(__name__)

# A digest lists this many notifications and links to the rest.
DIGEST_LIMIT = 20
# One digest a day. The hourly beat runs a little late now and then; without the slack each
# late run would push that person's digest an hour later every day.
DIGEST_EVERY = timedelta(hours=24)
DIGEST_SLACK = timedelta(minutes=10)
# People handled per round of queries.
DIGEST_BATCH = 200


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _link(notification: Notification) -> str:
    return _absolute(notification.url or reverse("notifications:list"))


def _reachable(user) -> bool:
    # Only an address the person proved is theirs gets mail: an unconfirmed one may be a typo
    # or somebody else's.
    return bool(user.is_active and user.email_verified and user.email)


def _unseen(notification: Notification, switches: dict[str, bool]) -> bool:
    """Not seen in the app yet. A notification is stored read when its kind is off in the app
    (it never rang the bell), so the email is the only way the person hears of it; one read
    while in-app is on was seen, and mailing it too would only be noise."""
    return notification.read_at is None or not switches["in_app"]


def _send(user, subject: str, template: str, context: dict, *, unsubscribe_kind: str) -> None:
    unsubscribe_url = _absolute(reverse("notifications:unsubscribe", args=[make_token(user.pk, unsubscribe_kind)]))
    context = {
        **context,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "settings_url": _absolute(reverse("notifications:settings")),
        "unsubscribe_url": unsubscribe_url,
    }
    message = EmailMultiAlternatives(
        # A display name or excerpt must never bend the header: one line, whatever it holds.
        subject=" ".join(subject.split()),
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[user.email],
        headers={
            # RFC 8058: mail clients show an "Unsubscribe" button that POSTs to this URL.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: out-of-office responders do not answer it.
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string(f"notifications/email/{template}.html", context), "text/html")
    message.send()


def send_notification_email(notification_id: int) -> bool:
    """Email one notification to its recipient, if it is still wanted when the task runs: it
    still exists and is unseen, the recipient is active with a verified address and still
    wants this kind by email, one at a time (not the digest). At most
    RATE_LIMITS["notification_email"] per recipient; past that they stay in the app only.
    Returns whether an email left."""
    notification = repositories.get_notification(notification_id)
    if notification is None:
        return False
    recipient = notification.recipient
    if not _reachable(recipient):
        return False
    kind = get_kind(notification.kind)
    switches = repositories.channels_for(recipient, kind)
    if not switches["email"] or not _unseen(notification, switches):
        return False
    if repositories.delivery_settings_of(recipient.pk).email_digest:
        return False  # they switched to the digest after it was queued
    try:
        ratelimit.hit("notification_email", str(recipient.pk))
    except RateLimited:
        return False
    context = {
        "recipient": recipient,
        "notification": notification,
        "link": _link(notification),
        "about": emails_about(kind),
    }
    _send(recipient, notification.text, "notification", context, unsubscribe_kind=kind.name)
    return True


# --- The daily digest ----------------------------------------------------------------------------


def send_digests() -> int:
    """Send each person who reads notification emails as a digest, and whose last one is a day
    old, one email listing what they have not seen since (only kinds they want by email).
    Celery beat calls it hourly. People are read in batches, each batch in three queries
    whatever its size. Returns how many digests left."""
    now = timezone.now()
    sent, after = 0, 0
    while batch := repositories.list_digests_due(
        sent_before=now - DIGEST_EVERY + DIGEST_SLACK, after_pk=after, size=DIGEST_BATCH
    ):
        after = batch[-1].pk
        listed = repositories.list_digest_rows(batch, since_default=now - DIGEST_EVERY, until=now, limit=DIGEST_LIMIT)
        for delivery in batch:
            rows = listed.get(delivery.user_id)
            if rows and _send_digest(delivery.user, rows):
                services.record_digest_sent(user=delivery.user, at=now)
                sent += 1
    return sent


def _send_digest(user, rows: list[Notification]) -> bool:
    # list_digest_rows annotates each row with how many the person has in all.
    total: int = rows[0].total  # type: ignore[attr-defined]
    context = {
        "recipient": user,
        "items": [{"notification": row, "link": _link(row)} for row in rows],
        "total": total,
        "more": total - len(rows),
        "inbox_url": _absolute(reverse("notifications:list")),
    }
    subject = f"{total} new notification{'s' if total != 1 else ''} on {settings.SITE_NAME}"
    try:
        _send(user, subject, "digest", context, unsubscribe_kind=DIGEST)
    except OSError:
        # The mail server refused or is away: not recorded as sent, so the next run retries,
        # and the people after this one still get theirs.
        logger.warning("Could not send the notification digest to user %s", user.pk, exc_info=True)
        return False
    return True

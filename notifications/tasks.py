"""The slow, outside part of delivery, off the request: load by id, send, nothing else.
Transient failures (network, SMTP) retry with backoff."""

from celery import shared_task

from . import emails, sms, webpush

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def send_email(notification_id: int) -> None:
    emails.send_notification_email(notification_id)


@shared_task(**RETRY)
def send_push(notification_id: int) -> None:
    webpush.push_notification(notification_id)


@shared_task(**RETRY)
def send_sms(notification_id: int) -> None:
    sms.send_notification_sms(notification_id)


@shared_task
def send_digests() -> int:
    return emails.send_digests()

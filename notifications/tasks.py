"""The slow, outside part of delivery, off the request: load by id, call a delivery service,
nothing else. Transient failures (network, SMTP, a busy push service: all OSErrors) retry with
backoff."""

from celery import shared_task

from .services import delivery

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def send_email(notification_id: int) -> None:
    delivery.send_notification_email(notification_id=notification_id)


@shared_task(**RETRY)
def send_push(notification_id: int) -> None:
    delivery.push_notification(notification_id=notification_id)


@shared_task(**RETRY)
def send_sms(notification_id: int) -> None:
    delivery.send_notification_sms(notification_id=notification_id)


@shared_task
def send_digests() -> int:
    return delivery.send_digests()

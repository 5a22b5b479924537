"""Celery tasks of videos: load by id, call a service, nothing else. Services queue them by
name (core.jobs.enqueue), so this module imports the services and not the other way round."""

from celery import shared_task
from django.conf import settings

from .services import processing

RETRIES = 4


@shared_task(bind=True, max_retries=RETRIES, acks_late=True)
def process_video(self, video_id: int) -> None:
    try:
        processing.process_video(video_id=video_id)
    except processing.Busy as error:
        # Held by a live worker (a duplicate message): ask again once its claim could lapse, so
        # a claim left by a killed worker is taken over, and a finished video is left alone.
        raise self.retry(exc=error, countdown=settings.VIDEO_LEASE_SECONDS, max_retries=None) from error
    except processing.TransientError as error:
        if self.request.retries >= RETRIES:
            processing.give_up(video_id=video_id, reason="Processing kept failing; try again later.")
            return
        raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error


@shared_task
def upkeep() -> dict:
    return processing.upkeep()

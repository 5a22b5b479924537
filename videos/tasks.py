"""Celery tasks of videos: load by id, call a service, nothing else."""

from celery import shared_task

RETRIES = 4


@shared_task(bind=True, max_retries=RETRIES, acks_late=True)
def process_video(self, video_id: int) -> None:
    from . import services

    try:
        services.process_video(video_id=video_id)
    except services.TransientError as error:
        if self.request.retries >= RETRIES:
            services.give_up(video_id=video_id, reason="Processing kept failing; try again later.")
            return
        raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error


@shared_task
def upkeep() -> dict:
    from . import services

    return services.upkeep()

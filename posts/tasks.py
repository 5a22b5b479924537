from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def fan_out_new_post(post_id: int) -> None:
    services.fan_out_new_post(post_id=post_id)

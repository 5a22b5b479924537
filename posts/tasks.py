from celery import shared_task

from users.repositories import follower_id_batches

from . import streams
from .integrations import timelines
from .models import Post

FAN_OUT_BATCH = 1000  # followers per Redis script call and per round of live announcements


@shared_task(ignore_result=True)
def fan_out_new_post(post_id: int) -> None:
    """Put a new post into the Following-feed timelines, and tell the author's followers' open
    Following feeds about it if they may see it. The followers are read once for both."""
    post = Post.objects.select_related("author").filter(pk=post_id).first()
    if post is None:
        return
    push = timelines.start_push(post)  # whatever its audience: readers filter, and an audience can change
    announce = post.visibility != Post.Visibility.PRIVATE and not post.is_hidden
    if push is None and not announce:
        return
    for follower_ids in follower_id_batches(post.author_id, size=FAN_OUT_BATCH):
        if push is not None:
            push(follower_ids)
        if announce:
            streams.push_new_post(post, follower_ids)

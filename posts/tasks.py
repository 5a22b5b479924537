from celery import shared_task

from users.models import Follow

from . import realtime, timelines
from .models import Post

FAN_OUT_CHUNK = 1000


@shared_task(ignore_result=True)
def fan_out_new_post(post_id: int) -> None:
    """Put a new post into the Following-feed timelines, and tell the author's followers' open
    Following feeds about it if they may see it."""
    post = Post.objects.select_related("author").filter(pk=post_id).first()
    if post is None:
        return
    timelines.push_post(post)  # whatever its audience: readers filter, and an audience can change
    if post.visibility == Post.Visibility.PRIVATE or post.is_hidden:
        return
    followers = Follow.objects.filter(followee_id=post.author_id).order_by("follower_id")
    last = 0
    while chunk := list(followers.filter(follower_id__gt=last).values_list("follower_id", flat=True)[:FAN_OUT_CHUNK]):
        realtime.push_new_post(post, chunk)
        last = chunk[-1]

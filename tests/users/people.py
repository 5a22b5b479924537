"""A person with something in every app, for the tests of 'Your data' (download and erasure):
made through the real services, with real stored files."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase

from posts.models import Comment, Post
from posts.services import add_comment, like_post, repost, save_post
from tests.notifications.factories import (
    DeliverySettingsFactory,
    NotificationActorFactory,
    NotificationFactory,
    PreferenceFactory,
    PushSubscriptionFactory,
)
from tests.posts.factories import PostFactory, picture
from tests.users.factories import UserFactory
from tests.videos.clips import make_clip
from tests.videos.factories import UploadFactory, WatchEventFactory
from tests.videos.helpers import upload_video
from users.models import User
from users.services.profiles import set_avatar
from users.services.relations import block_user, follow_user
from videos.models import Video


@dataclass
class Everything:
    person: User
    bob: User
    carol: User
    text_post: Post
    picture_post: Post
    bobs_post: Post
    carols_post: Post
    comment: Comment
    reply: Comment
    video: Video


def person_with_everything(tmp_path) -> Everything:
    """Ana with an avatar; a text post, a post of 2 pictures and a published 1-second video;
    a like, a save, a plain repost and a comment on Bob's post (which mentions her), a quote of Carol's and a reply
    to Bob's comment there; Bob likes and Carol comments on her picture post; she and Bob
    follow each other, she follows Carol and blocks Dave; notifications both ways, choices, a
    push device, an unfinished upload with a chunk, and a video she watched."""
    ana = UserFactory(username="ana", profile__display_name="Ana")
    bob, carol, dave = (UserFactory(username=name) for name in ("bob", "carol", "dave"))
    set_avatar(user=ana, upload=picture("face.jpg"))
    text_post = PostFactory(author=ana, body="Hello @bob #hello")
    picture_post = PostFactory(
        author=ana, kind=Post.Kind.IMAGE, body="Two pictures", images=[picture("a.jpg"), picture("b.png", fmt="PNG")]
    )
    bobs_post, carols_post = PostFactory(author=bob, body="Bob's, hi @ana"), PostFactory(author=carol, body="Carol's")
    like_post(post=bobs_post, user=ana)
    save_post(post=bobs_post, user=ana)
    repost(post=bobs_post, by=ana)
    repost(post=carols_post, by=ana, body="A quote")
    comment = add_comment(post=bobs_post, by=ana, body="Nice one")
    bobs_comment = add_comment(post=carols_post, by=bob, body="Hi Carol")
    reply = add_comment(post=carols_post, by=ana, body="Hi both", parent=bobs_comment)
    like_post(post=picture_post, user=bob)
    add_comment(post=picture_post, by=carol, body="Lovely")
    follow_user(follower=ana, followee=bob)
    follow_user(follower=bob, followee=ana)
    follow_user(follower=ana, followee=carol)
    block_user(blocker=ana, blocked=dave)
    NotificationFactory(recipient=ana, data={"url": "/p/1/"})
    NotificationActorFactory(notification=NotificationFactory(recipient=bob, actor=ana, kind="like"), actor=ana)
    PreferenceFactory(user=ana, kind="like", channel="email", enabled=False)
    DeliverySettingsFactory(user=ana, email_digest=True, phone="+4915112345678")
    PushSubscriptionFactory(user=ana, user_agent="Firefox on Linux")
    upload = UploadFactory(owner=ana)
    default_storage.save(f"{upload.folder}/000000", ContentFile(b"chunk"))
    with TestCase.captureOnCommitCallbacks(execute=True):  # processing is queued once the upload commits
        video = upload_video(ana, make_clip(tmp_path / "clip.mp4", seconds=1, size=(180, 320)), caption="My clip")
    video.refresh_from_db()
    assert video.state == Video.State.READY, video.failure_reason
    WatchEventFactory(post=bobs_post, user=ana)
    return Everything(ana, bob, carol, text_post, picture_post, bobs_post, carols_post, comment, reply, video)


def media_files(root) -> set[str]:
    """Every file under MEDIA_ROOT, by its name relative to it."""
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}

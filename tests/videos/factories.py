"""Rows of the videos app for tests that need a video without running its pipeline. A video
that must play comes from the real services instead (tests.videos.helpers.published_video)."""

import factory

from posts.models import Post
from tests.posts.factories import PostFactory
from tests.users.factories import UserFactory
from videos.integrations import probe, storage
from videos.models import Upload, Video, WatchEvent


class VideoFactory(factory.django.DjangoModelFactory):
    """A video as create_video leaves it before its task runs: state uploaded. Given `clip` (a
    path), that file is probed and stored as its source, so processing can run on it; without
    one, the row only names a source (enough for lists and the admin)."""

    class Meta:
        model = Video
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    caption = ""
    visibility = Post.Visibility.PUBLIC
    source = factory.Sequence(lambda n: f"videos/missing-{n}/source.mp4")

    @factory.post_generation
    def clip(video, create, path, **kwargs):
        if path is None:
            return
        info = probe.describe(str(path), size=path.stat().st_size)
        video.source = storage.store(path, f"{video.folder}/source.{info.container}")
        video.source_bytes, video.source_info = info.bytes, info.as_dict()
        if create:
            video.save()


class UploadFactory(factory.django.DjangoModelFactory):
    """A resumable upload that has received nothing yet."""

    class Meta:
        model = Upload

    owner = factory.SubFactory(UserFactory)
    filename = "clip.mp4"
    size = 10


class WatchEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WatchEvent

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(UserFactory)
    viewer_key = factory.LazyAttribute(lambda event: f"user:{event.user.pk}")
    watched_ms = 1200
    duration_ms = 5000

from django.apps import AppConfig


class VideosConfig(AppConfig):
    name = "videos"
    verbose_name = "Videos"

    def ready(self):
        from core import seeding
        from notifications.kinds import register_kind
        from posts.factories import register_kind as register_post_kind

        from . import streams  # noqa: F401  (registers the "video:<id>" progress stream)
        from .factories import VideoKind
        from .notices import KINDS
        from .seeding import VideosSeeder

        seeding.register("videos", VideosSeeder(), order=30)
        register_post_kind(VideoKind())
        for kind in KINDS:
            register_kind(kind)

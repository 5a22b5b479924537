from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Posts"

    def ready(self):
        from core import seeding
        from notifications.kinds import register_kind

        from . import streams  # noqa: F401  (registers the live streams of posts)
        from .notices import KINDS
        from .seeding import PostsSeeder

        seeding.register("posts", PostsSeeder(), order=20)
        for kind in KINDS:
            register_kind(kind)

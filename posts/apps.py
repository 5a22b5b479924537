from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Posts"

    def ready(self):
        from core import seeding

        from . import streams  # noqa: F401  (registers the live streams of posts)
        from .seeding import PostsSeeder

        seeding.register("posts", PostsSeeder(), order=20)

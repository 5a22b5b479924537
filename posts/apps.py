from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Posts"

    def ready(self):
        # The app's hooks into the apps below it (core.registry): nothing registers elsewhere.
        from django.urls import reverse

        from core.menus import MENU, MenuEntry
        from core.seeding import SEEDERS
        from core.streams import STREAMS
        from notifications.kinds import KINDS

        from . import notices, seeding, streams

        KINDS.register_all(notices.KINDS)
        STREAMS.register_all(streams.STREAMS)
        SEEDERS.register(seeding.PostsSeeder())
        MENU.register_all(
            [
                MenuEntry("navbar", "home", "Home", "house-door", url="home", order=10),
                MenuEntry("navbar", "saved", "Saved", "bookmark", url="posts:saved", order=40),
                MenuEntry("search", "search", template="posts/includes/nav_search.html", script="js/autocomplete.js"),
                MenuEntry(
                    "footer",
                    "people",
                    "Find people",
                    url=lambda user: f"{reverse('posts:search')}?type=people",
                ),
            ]
        )

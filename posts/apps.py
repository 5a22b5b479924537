from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Posts"

    def ready(self):
        # What the app plugs in (core.registry), into its own registries and those of the apps below
        # it: nothing registers elsewhere.
        from django.urls import reverse

        from core.menus import MENU, MenuEntry
        from core.personal_data import DATA_SECTIONS
        from core.seeding import SEEDERS
        from core.streams import STREAMS
        from notifications.kinds import KINDS
        from users.profile_sections import PROFILE_SECTIONS, ProfileSection

        from . import notices, personal_data, seeding, streams, views
        from .factories import KINDS as POST_KINDS
        from .factories import ImageKind, TextKind
        from .strategies.ranking import RANKINGS, Engagement, Personalized, Recency
        from .strategies.search import SEARCH_BACKENDS, MySQLFulltext, SQLiteFTS5

        POST_KINDS.register_all([TextKind(), ImageKind()])
        RANKINGS.register_all([Recency(), Engagement(), Personalized()])
        SEARCH_BACKENDS.register_all([SQLiteFTS5(), MySQLFulltext()])
        KINDS.register_all(notices.KINDS)
        STREAMS.register_all(streams.STREAMS)
        SEEDERS.register(seeding.PostsSeeder())
        DATA_SECTIONS.register(personal_data.SECTION)
        PROFILE_SECTIONS.register(
            ProfileSection(
                "posts",
                "posts/includes/profile_posts.html",
                views.profile_posts_section,
                scripts="posts/includes/scripts.html",
                order=10,
            )
        )
        MENU.register_all(
            [
                MenuEntry("navbar", "home", "Home", "house-door", url="home", order=10),
                MenuEntry("navbar", "saved", "Saved", "bookmark", url="posts:saved", order=40),
                MenuEntry(
                    "search", "search", template="posts/includes/nav_search.html", script="js/posts/autocomplete.js"
                ),
                MenuEntry(
                    "footer",
                    "people",
                    "Find people",
                    url=lambda user: f"{reverse('posts:search')}?type=people",
                ),
            ]
        )

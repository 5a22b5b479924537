from django.apps import AppConfig


class VideosConfig(AppConfig):
    name = "videos"
    verbose_name = "Videos"

    def ready(self):
        # The app's hooks into the apps below it (core.registry): nothing registers elsewhere.
        from core.menus import MENU, MenuEntry
        from core.personal_data import DATA_SECTIONS
        from core.seeding import SEEDERS
        from core.streams import STREAMS
        from notifications.kinds import KINDS
        from posts.factories import KINDS as POST_KINDS

        from . import notices, personal_data, seeding, streams
        from .factories import VideoKind

        KINDS.register_all(notices.KINDS)
        STREAMS.register_all(streams.STREAMS)
        SEEDERS.register(seeding.VideosSeeder())
        DATA_SECTIONS.register(personal_data.SECTION)
        POST_KINDS.register(VideoKind())
        MENU.register_all(
            [
                MenuEntry("navbar", "videos", "Videos", "play-btn", url="videos:feed", args=("for-you",), order=20),
                MenuEntry("navbar", "upload", "Upload", "camera-reels", url="videos:upload", order=30),
                MenuEntry("account", "videos", "Your videos", "collection-play", url="videos:studio", order=20),
            ]
        )

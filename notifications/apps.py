from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # The app's hooks into core (core.registry): nothing registers elsewhere.
        from core.menus import MENU, MenuEntry
        from core.personal_data import DATA_SECTIONS
        from core.streams import STREAMS

        from . import personal_data, streams

        STREAMS.register_all(streams.STREAMS)
        DATA_SECTIONS.register(personal_data.SECTION)
        bell = "js/notifications/notifications.js"
        MENU.register_all(
            [
                MenuEntry("navbar", "bell", template="notifications/includes/bell.html", script=bell, order=50),
                MenuEntry("quick", "bell", template="notifications/includes/bell_link.html", order=50),
                MenuEntry("account", "notifications", "Notifications", "bell", url="notifications:settings", order=50),
                MenuEntry("settings", "notifications", "Notifications", "bell", url="notifications:settings", order=30),
            ]
        )

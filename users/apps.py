from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"
    verbose_name = "Users"

    def ready(self):
        # The app's hooks into the apps below it (core.registry): nothing registers elsewhere.
        from django.urls import reverse

        from core.menus import MENU, MenuEntry
        from core.personal_data import DATA_SECTIONS
        from core.seeding import SEEDERS
        from notifications.kinds import KINDS, VETOES

        from . import notices, personal_data, repositories, seeding

        KINDS.register_all(notices.KINDS)
        VETOES.register(repositories.is_blocked_either_way, name="users.blocks")
        SEEDERS.register(seeding.UsersSeeder())
        DATA_SECTIONS.register(personal_data.SECTION)
        MENU.register_all(
            [
                MenuEntry(
                    "account",
                    "profile",
                    "My profile",
                    "person",
                    order=10,
                    url=lambda user: reverse("users:profile", args=[user.username]),
                ),
                MenuEntry(
                    "account", "edit_profile", "Edit profile", "pencil-square", url="users:edit_profile", order=30
                ),
                MenuEntry(
                    "account", "security", "Security: password and 2FA", "shield-lock", url="users:security", order=40
                ),
                MenuEntry("account", "blocked", "Blocked accounts", "slash-circle", url="users:blocked", order=60),
                MenuEntry("account", "logout", template="users/includes/logout_item.html", order=1000),
                MenuEntry("guest", "login", "Log in", url="users:login", order=10),
                MenuEntry(
                    "guest",
                    "signup",
                    "Sign up",
                    url="users:signup",
                    order=20,
                    css="btn-light text-success-emphasis fw-semibold",
                ),
                MenuEntry("settings", "profile", "Profile", "person", url="users:edit_profile", order=10),
                MenuEntry("settings", "security", "Security", "shield-lock", url="users:security", order=20),
                MenuEntry("settings", "blocked", "Blocked accounts", "slash-circle", url="users:blocked", order=40),
                MenuEntry("settings", "your_data", "Your data", "download", url="users:your_data", order=90),
            ]
        )

from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"
    verbose_name = "Users"

    def ready(self):
        from core import seeding
        from notifications.kinds import register_kind
        from notifications.services import register_veto

        from . import repositories
        from .seeding import UsersSeeder
        from .services import relations

        seeding.register("users", UsersSeeder(), order=10)
        register_kind(relations.FOLLOW)
        register_veto(repositories.is_blocked_either_way)

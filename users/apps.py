from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"
    verbose_name = "Users"

    def ready(self):
        from core import seeding

        from .seeding import UsersSeeder

        seeding.register("users", UsersSeeder(), order=10)

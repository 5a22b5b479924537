"""Fill the demo community: every app's seeder in turn (core.seeding), people before posts.
Safe to run again: what exists is left as it is. With --scale (or --users/--posts/--follows)
it makes large volumes for benchmarks instead, once per database."""

from time import monotonic

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from core.seeding import SEEDERS, Volume


class Command(BaseCommand):
    help = "Create (or refresh) the demo community, or with --scale bulk data. Refuses in production unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument(
            "--scale", type=int, metavar="USERS", help="Bulk data: USERS accounts, 10 posts each, 500 follows each."
        )
        parser.add_argument("--users", type=int, help="Bulk accounts (overrides --scale).")
        parser.add_argument("--posts", type=int, help="Bulk posts (overrides --scale).")
        parser.add_argument("--follows", type=int, help="Accounts each bulk account follows (overrides --scale).")

    def handle(self, *args, force=False, scale=None, users=None, posts=None, follows=None, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to seed anyway.")
        if scale is None and users is None:
            if posts is not None or follows is not None:
                raise CommandError("Say how many accounts with --scale or --users.")
            # The demo people's addresses are made up: what seeding them would mail (notifications
            # of their follows and comments) is kept in memory instead of printed or sent.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                for seeder in SEEDERS:
                    seeder.demo(self.stdout.write)
            return
        base = Volume.scaled(scale if scale is not None else users)
        volume = Volume(
            users=users if users is not None else base.users,
            posts=posts if posts is not None else base.posts,
            follows=follows if follows is not None else base.follows,
        )
        if volume.users < 2 or volume.posts < 0 or not 0 <= volume.follows < volume.users:
            raise CommandError(
                "Bulk data needs 2 accounts or more, no negative volume, and fewer follows than accounts."
            )
        started = monotonic()
        for seeder in SEEDERS:
            seeder.bulk(volume, self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Bulk data ready in {monotonic() - started:.0f} s."))

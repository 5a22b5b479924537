from django.core.management.base import BaseCommand

from users.services.accounts import purge_stale_signups


class Command(BaseCommand):
    help = "Delete sign-ups never confirmed in time and long-expired email codes (Celery beat runs this too)."

    def handle(self, *args, **options):
        accounts, codes = purge_stale_signups()
        self.stdout.write(f"Deleted {accounts} unconfirmed account(s) and {codes} expired code(s).")

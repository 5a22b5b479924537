"""Fill a demo community: people with profiles, avatars and follows. Safe to run again: what
exists is left as it is (passwords are reset to the demo password)."""

import io
from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from users.models import User
from users.services.profiles import set_avatar, update_profile
from users.services.relations import follow_user

DEMO_PASSWORD = "shortmedia-demo"

PEOPLE = [
    ("demo", "Demo Person", "Trying out Short Media.", "Lisbon", date(1994, 5, 17), ["music", "travel"]),
    ("ana", "Ana Ribeiro", "Street photographer. Coffee first.", "Porto", date(1996, 2, 3), ["photography", "coffee"]),
    ("kofi", "Kofi Mensah", "Building things with wood and code.", "Accra", date(1990, 9, 21), ["woodwork", "coding"]),
    ("mei", "Mei Tanaka", "5-second recipes, every day.", "Osaka", date(1998, 12, 1), ["cooking", "food"]),
    ("lucas", "Lucas Almeida", "Skate, surf, repeat.", "Florianópolis", date(2000, 7, 14), ["skate", "surf"]),
    ("sofia", "Sofia Rossi", "Violinist. Tiny concerts.", "Bologna", date(1992, 3, 30), ["music", "classical"]),
    ("omar", "Omar Haddad", "Climbing walls and mountains.", "Amman", date(1989, 11, 8), ["climbing", "outdoors"]),
    ("ines", "Inês Costa", "Plants and patience.", "Coimbra", date(1995, 4, 12), ["plants", "gardening"]),
    ("jonas", "Jonas Berg", "Night trains, northern lights.", "Tromsø", date(1987, 1, 25), ["travel", "photography"]),
    ("priya", "Priya Nair", "Dancing through the week.", "Kochi", date(1999, 8, 5), ["dance", "music"]),
]
PALETTE = ["#007E33", "#00A844", "#2E7D32", "#00695C", "#1B5E20", "#33691E", "#00796B", "#388E3C", "#004D40", "#558B2F"]


def avatar_png(initial: str, colour: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (512, 512), colour)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=260)
    draw.text((256, 256), initial.upper(), fill="white", font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"{initial}.png", buffer.getvalue(), content_type="image/png")


class Command(BaseCommand):
    help = "Create (or refresh) the demo community. Refuses to run in production unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to seed anyway.")
        users = [self._person(index, *person) for index, person in enumerate(PEOPLE)]
        # Everyone follows the next three people round the circle; demo follows half the town.
        for index, user in enumerate(users):
            for step in (1, 2, 3):
                follow_user(follower=user, followee=users[(index + step) % len(users)])
        for other in users[4:7]:
            follow_user(follower=users[0], followee=other)
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {len(users)} people."))
        self.stdout.write(f"Log in as “demo” (or ana, kofi, mei, …) with the password “{DEMO_PASSWORD}”.")

    @transaction.atomic
    def _person(self, index, username, name, bio, city, born, interests) -> User:
        # Demo accounts are made directly as confirmed users: there is nobody to read a code.
        user, _ = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@demo.shortmedia.local", "email_verified": True}
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        update_profile(user=user, display_name=name, bio=bio, location=city, birth_date=born, interests=interests)
        if not user.profile.avatar:
            set_avatar(user=user, upload=avatar_png(name[0], PALETTE[index % len(PALETTE)]))
        return user

"""Users' part of seed_demo (core.seeding): the ten demo people with profiles, avatars and
follows, made through the services; and bulk accounts with profiles and follows for benchmarks."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from core.seeding import Out, Volume, insert_rows, random_source, timed

from .models import Follow, Profile, User
from .services.profiles import set_avatar, update_profile
from .services.relations import follow_user

DEMO_PASSWORD = "shortmedia-demo"  # noqa: S105 - the demo people's published password (README)

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

# Bulk accounts are bulk1, bulk2, …: a name sign-ups are unlikely to take, found by its prefix.
BULK_PREFIX = "bulk"
FIRST_NAMES = ["Ada", "Bruno", "Chloé", "Dmitri", "Elif", "Farah", "Gustavo", "Hana", "Ivan", "Jia", "Kwame", "Lena"]
LAST_NAMES = ["Andersen", "Baptiste", "Chen", "Diallo", "Eriksen", "Fonseca", "García", "Haddad", "Ito", "Jensen"]
USER_COLUMNS = (
    "id",
    "username",
    "email",
    "password",
    "first_name",
    "last_name",
    "is_active",
    "email_verified",
    "is_staff",
    "is_superuser",
    "date_joined",
)
PROFILE_COLUMNS = ("user", "display_name", "bio", "location", "avatar", "avatar_small", "created_at", "updated_at")
FOLLOW_COLUMNS = ("follower", "followee", "created_at")
CITIES = ["Lisbon", "Porto", "Accra", "Osaka", "Bologna", "Amman", "Tromsø", "Kochi", "Recife", "Tallinn", ""]


def avatar_png(initial: str, colour: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (512, 512), colour)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=260)
    draw.text((256, 256), initial.upper(), fill="white", font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"{initial}.png", buffer.getvalue(), content_type="image/png")


def demo_people() -> list[User]:
    """The demo accounts, in the order of PEOPLE (those that exist)."""
    users = {user.username: user for user in User.objects.filter(username__in=[person[0] for person in PEOPLE])}
    return [users[person[0]] for person in PEOPLE if person[0] in users]


def bulk_user_ids() -> list[int]:
    """Ids of the bulk accounts, in the order they were made."""
    return list(User.objects.filter(username__startswith=BULK_PREFIX).order_by("pk").values_list("pk", flat=True))


class UsersSeeder:
    name = "users"
    order = 10

    def demo(self, out: Out) -> None:
        users = [self._person(index, *person) for index, person in enumerate(PEOPLE)]
        # Everyone follows the next three people round the circle; demo follows half the town.
        for index, user in enumerate(users):
            for step in (1, 2, 3):
                follow_user(follower=user, followee=users[(index + step) % len(users)])
        for other in users[4:7]:
            follow_user(follower=users[0], followee=other)
        out(f"Demo ready: {len(users)} people.")
        out(f"Log in as “demo” (or ana, kofi, mei, …) with the password “{DEMO_PASSWORD}”.")

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

    def bulk(self, volume: Volume, out: Out) -> None:
        """`volume.users` confirmed accounts (demo password) with profiles, joined over the
        last year, each following `volume.follows` others picked at random."""
        if User.objects.filter(username__startswith=BULK_PREFIX).exists():
            raise CommandError("Bulk accounts exist already: seed bulk data into a fresh database.")
        first = (User.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        ids = range(first, first + volume.users)
        now = timezone.now()
        joined = [now - timedelta(days=365) * (1 - index / volume.users) for index in range(volume.users)]
        password = make_password(DEMO_PASSWORD)  # hashing once: PBKDF2 takes a tenth of a second
        timed(out, "accounts", lambda: insert_rows(User, USER_COLUMNS, self._users(ids, joined, password)))
        timed(out, "profiles", lambda: insert_rows(Profile, PROFILE_COLUMNS, self._profiles(ids, joined)))
        follows = self._follows(ids, joined, volume.follows)
        timed(out, "follows", lambda: insert_rows(Follow, FOLLOW_COLUMNS, follows, batch=10_000))

    def _users(self, ids, joined, password):
        for user_id, when in zip(ids, joined, strict=True):
            username = f"{BULK_PREFIX}{user_id}"
            email = f"{username}@bulk.shortmedia.local"
            yield (user_id, username, email, password, "", "", True, True, False, False, when)

    def _profiles(self, ids, joined):
        rng = random_source(1)
        for user_id, when in zip(ids, joined, strict=True):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            yield (user_id, name, "", rng.choice(CITIES), "", "", when, when)

    def _follows(self, ids, joined, count):
        """Each account follows `count` others at random, from the day it joined; rows come in
        (follower, followee) order, the unique index's, so it grows at its end."""
        rng = random_source(2)
        for offset, (follower, when) in enumerate(zip(ids, joined, strict=True)):
            picked = [pick for pick in rng.sample(range(len(ids)), count + 1) if pick != offset][:count]
            for pick in sorted(picked):
                yield (follower, ids[pick], when)

"""seed_demo and its registry (core.seeding): apps' seeders in order, the production guard,
bulk volumes checked before anything is written, and insert_rows storing values exactly."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

from core import seeding
from tests.users.factories import UserFactory
from users.models import Follow, Interest, User


def test_apps_seed_in_their_order():
    # when
    names = [type(seeder).__name__ for seeder in seeding.SEEDERS]
    # then people before their posts, and posts before the videos (which are posts too)
    assert names == ["UsersSeeder", "PostsSeeder", "VideosSeeder"]


def test_a_name_takes_one_seeder():
    # given the users' seeder, registered at start-up
    users = next(iter(seeding.SEEDERS))
    # when it is registered again, nothing changes; another seeder under its name is refused
    seeding.SEEDERS.register(users)
    with pytest.raises(ImproperlyConfigured):
        seeding.SEEDERS.register(object(), name="users")
    # then
    assert next(iter(seeding.SEEDERS)) is users


def test_seed_demo_refuses_with_debug_off(db, settings):
    # given production settings
    settings.DEBUG = False
    # when / then
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    "options",
    [{"posts": 10}, {"users": 1}, {"users": 5, "follows": 5}, {"scale": 10, "posts": -1}],
    ids=["posts without accounts", "one account", "follows as many as there are", "negative posts"],
)
def test_bulk_volumes_are_checked_before_anything_is_written(db, options):
    # when / then
    with pytest.raises(CommandError):
        call_command("seed_demo", force=True, **options)
    assert User.objects.count() == 0


def test_insert_rows_stores_text_and_times_exactly_in_batches(db):
    # given names a driver could mangle, and follows at distinct microseconds
    names = ["it's", 'say "hi"', "back\\slash", "100%s", "naïve 🌱", "line\nbreak", "tab\there", ""]
    people = [UserFactory() for _ in range(4)]
    moments = [timezone.now() - timedelta(days=day, microseconds=day * 7) for day in range(3)]
    # when written 3 rows to a statement
    interests = seeding.insert_rows(Interest, ["name"], [(name,) for name in names], batch=3)
    follows = seeding.insert_rows(
        Follow,
        ["follower", "followee", "created_at"],
        [(people[0].pk, person.pk, moment) for person, moment in zip(people[1:], moments, strict=True)],
        batch=3,
    )
    # then
    assert (interests, follows) == (8, 3)
    assert sorted(Interest.objects.values_list("name", flat=True)) == sorted(names)
    assert list(Follow.objects.order_by("followee").values_list("created_at", flat=True)) == moments

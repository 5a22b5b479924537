"""Post pictures stored under the old guessable names (posts/YYYY/MM/<post id>-<n>.webp) move to
a random folder per post (posts migration 0003), keeping every byte; running it again changes
nothing."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from posts.models import Post
from tests.posts.factories import PostFactory, picture
from tests.posts.helpers import stored_files
from tests.users.factories import UserFactory

migration = import_module("posts.migrations.0003_private_picture_names")

pytestmark = pytest.mark.django_db


def stored_the_old_way(post: Post) -> dict[str, bytes]:
    """Put the post's pictures back under the names they had before; old name -> bytes."""
    old = {}
    for row in post.images.all():
        for field, suffix in ((row.image, ""), (row.thumbnail, "-t")):
            with default_storage.open(field.name) as stored:
                content = stored.read()
            default_storage.delete(field.name)
            field.name = default_storage.save(
                f"posts/2026/11/{post.pk}-{row.position}{suffix}.webp", ContentFile(content)
            )
            old[field.name] = content
        row.save()
    return old


def test_old_pictures_move_to_one_random_folder_per_post_and_a_second_run_changes_nothing():
    # given two posts whose pictures have the old names
    author = UserFactory()
    posts = [
        PostFactory(author=author, kind=Post.Kind.IMAGE, images=[picture(color="red"), picture(color="blue")]),
        PostFactory(author=author, kind=Post.Kind.IMAGE, images=[picture(color="green")]),
    ]
    old = {name: content for post in posts for name, content in stored_the_old_way(post).items()}
    assert stored_files() == sorted(old)
    # when the migration's step runs
    migration.move_pictures(apps, None)
    # then each post's pictures share a folder of their own, with the same bytes as before
    moved = {}
    for post in posts:
        rows = list(post.images.order_by("position"))
        folder = rows[0].image.name.rsplit("/", 1)[0]
        assert migration.MOVED.match(rows[0].image.name)
        assert [(row.image.name, row.thumbnail.name) for row in rows] == [
            (f"{folder}/{row.position}-full.webp", f"{folder}/{row.position}-tile.webp") for row in rows
        ]
        for row in rows:
            for field, suffix in ((row.image, ""), (row.thumbnail, "-t")):
                with default_storage.open(field.name) as stored:
                    moved[field.name] = stored.read()
                assert moved[field.name] == old[f"posts/2026/11/{post.pk}-{row.position}{suffix}.webp"]
    assert len({name.rsplit("/", 1)[0] for name in moved}) == 2
    # and the old files and their folders are gone
    assert stored_files() == sorted(moved)
    # when it runs again, then nothing changes
    migration.move_pictures(apps, None)
    assert stored_files() == sorted(moved)

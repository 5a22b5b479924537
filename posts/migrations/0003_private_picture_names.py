"""Post pictures move from guessable names (posts/YYYY/MM/<post id>-<n>.webp) to a random
folder per post (posts/<token>/<n>-full.webp, <n>-tile.webp), which core.media signs. Each
file is copied before its row points at the copy, and the old file goes only after that row is
saved, so a failure at any point loses nothing; pictures already moved are skipped, so running
it again finishes the job."""

import re
import secrets

from django.core.files.storage import default_storage
from django.db import migrations, models

from core import media

MOVED = re.compile(r"^posts/[A-Za-z0-9_-]{32}/[0-9]+-(full|tile)\.webp$")


def _copy(old: str, new: str) -> None:
    if not default_storage.exists(old):
        return  # nothing to keep: the row just takes the new name
    with default_storage.open(old, "rb") as content:
        saved = default_storage.save(new, content)
    if saved != new:
        raise RuntimeError(f"Storage stored {new} as {saved}")


def move_pictures(apps, schema_editor):
    PostImage = apps.get_model("posts", "PostImage")
    folders: dict[int, str] = {}
    for picture in PostImage.objects.order_by("post_id", "position").iterator():
        old = {"image": picture.image.name, "thumbnail": picture.thumbnail.name}
        if all(MOVED.match(name) for name in old.values()):
            continue
        folder = folders.setdefault(picture.post_id, secrets.token_urlsafe(24))
        new = {
            "image": f"posts/{folder}/{picture.position}-full.webp",
            "thumbnail": f"posts/{folder}/{picture.position}-tile.webp",
        }
        for field, name in old.items():
            _copy(name, new[field])
        PostImage.objects.filter(pk=picture.pk).update(**new)
        media.delete_files(old.values())


class Migration(migrations.Migration):
    atomic = False  # each picture's row is saved on its own, before its old files go

    dependencies = [
        ("posts", "0002_post_search_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="postimage",
            name="image",
            field=models.ImageField(max_length=200, upload_to="posts/"),
        ),
        migrations.AlterField(
            model_name="postimage",
            name="thumbnail",
            field=models.ImageField(max_length=200, upload_to="posts/"),
        ),
        migrations.RunPython(move_pictures, migrations.RunPython.noop),
    ]

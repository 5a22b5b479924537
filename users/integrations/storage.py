"""Avatar files in Django's storage (disk, or S3-compatible when configured). Stores and
deletes; which files a profile points at is services.profiles' decision."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from django.core.files.base import File
from django.core.files.storage import default_storage


def store_avatar(*, user_id: int, renditions: Mapping[str, File]) -> dict[str, str]:
    """Save each rendition under a fresh unguessable name; returns rendition name -> stored name."""
    stem = f"avatars/{user_id}/{uuid.uuid4().hex}"
    return {name: default_storage.save(f"{stem}-{name}.webp", content) for name, content in renditions.items()}


def delete_files(names: Iterable[str | None]) -> None:
    """Delete the named files; empty names (no file) are skipped."""
    for name in names:
        if name:
            default_storage.delete(name)

"""Avatar files in Django's storage (disk, or S3-compatible when configured). Stores and
deletes; which files a profile points at is services.profiles' decision."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping

from django.core.files.base import File
from django.core.files.storage import default_storage

from core import media


def store_avatar(*, renditions: Mapping[str, File]) -> dict[str, str]:
    """Save each rendition under a fresh unguessable name (no id: avatars are public files,
    served by plain URL); returns rendition name -> stored name."""
    stem = f"avatars/{secrets.token_urlsafe(24)}"
    return {name: default_storage.save(f"{stem}-{name}.webp", content) for name, content in renditions.items()}


def delete_files(names: Iterable[str | None]) -> None:
    """Delete the named files; empty names (no file) are skipped."""
    media.delete_files(names)


def store_export(path: str) -> str:
    """Save a finished data download (a local zip) under a fresh unguessable name."""
    with open(path, "rb") as content:
        return default_storage.save(f"exports/{uuid.uuid4().hex}{uuid.uuid4().hex}.zip", File(content))


def open_file(name: str):
    """The stored file `name`, open for reading (a download streams it)."""
    return default_storage.open(name, "rb")

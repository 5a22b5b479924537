"""Video files through Django's storage API (local disk by default, S3-compatible when
configured): one folder per video, names that stay the same when processing runs again, and
a local path for ffmpeg whichever storage holds the file."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core import media


def list_files(folder: str) -> list[str]:
    """Every file under `folder`, at any depth."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" for name in files]
    for child in folders:
        names += list_files(f"{folder}/{child}")
    return names


def delete(names: Iterable[str]) -> None:
    """Delete the files `names` and the folders that leaves empty on local disk."""
    media.delete_files(names)


def delete_folder(folder: str) -> None:
    delete(list_files(folder))


def _save(name: str, content: File) -> str:
    saved = default_storage.save(name, content)
    if saved != name:  # a storage that renames instead of overwriting would break playlists
        default_storage.delete(saved)
        raise OSError(f"Storage stored {name} as {saved}; enable overwriting.")
    return saved


def store(path: Path, name: str) -> str:
    """Put the local file `path` at `name`, replacing what was there."""
    with path.open("rb") as content:
        return _save(name, File(content, name=path.name))


def store_bytes(data: bytes, name: str) -> str:
    return _save(name, ContentFile(data))


def total_size(names: Iterable[str]) -> int:
    """The bytes the stored files `names` take together."""
    return sum(default_storage.size(name) for name in names)


def url(name: str, request=None) -> str | None:
    """The signed, expiring address of a video's file (core.media), for a viewer already
    allowed to see the video; None for no file."""
    return media.signed_url(name, request) if name else None


@contextmanager
def local_path(name: str) -> Iterator[str]:
    """A path on this machine holding the stored file `name` (the file itself on local
    disk, else a temporary copy)."""
    if not default_storage.exists(name):
        raise FileNotFoundError(f"{name} is not in storage")
    try:
        yield default_storage.path(name)
        return
    except NotImplementedError:
        pass
    with default_storage.open(name, "rb") as stored, tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy:
        shutil.copyfileobj(stored, copy, length=1024 * 1024)
        copy.flush()
        yield copy.name


@contextmanager
def joined(folder: str) -> Iterator[Path]:
    """A local file holding the files under `folder` joined in the order of their names (a
    resumable upload's chunks)."""
    with tempfile.NamedTemporaryFile(suffix=".upload") as whole:
        for name in sorted(list_files(folder)):
            with default_storage.open(name, "rb") as part:
                shutil.copyfileobj(part, whole, length=1024 * 1024)
        whole.flush()
        yield Path(whole.name)

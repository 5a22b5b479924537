"""Everything a person has here, section by section: what "Download your data" puts into the
zip and what erasing an account removes.

core owns the registry; every app whose tables point at people registers one section from its
AppConfig.ready() (tests/architecture checks that none is missing), so the download and the
erasure know every app without core importing any:

    # posts/apps.py
    from core.personal_data import DATA_SECTIONS
    from . import personal_data
    DATA_SECTIONS.register(personal_data.SECTION)

A section's `export(user, folder)` writes the person's rows as JSON documents and their files
into its folder of the zip (folder.json(...), folder.file(...)); its `erase(user=...)`, a
service of the app, deletes the person's rows and files of that app, putting right the counters
they moved on other people's things. Downloads run the sections by `order`; erasure runs them
the other way round, so the apps on top go first (a video before the post that shows it), and
then the account's row goes, taking with it what Django's own apps keep (CASCADE)."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder

from .registry import Registry


class Folder:
    """One section's folder in the zip being written."""

    def __init__(self, archive: zipfile.ZipFile, name: str):
        self._archive = archive
        self.name = name

    def json(self, name: str, data: Any) -> str:
        """Write `data` as the JSON document `name`; returns its path in the zip."""
        path = f"{self.name}/{name}"
        self._archive.writestr(path, json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
        return path

    def file(self, stored_name: str) -> str | None:
        """Copy the stored file `stored_name` (a name as a model field holds it) into the
        folder's media/, read through the storage whichever holds it; returns its path in the
        zip, or None when there is no such file (an empty field, a file gone missing)."""
        if not stored_name or not default_storage.exists(stored_name):
            return None
        path = f"{self.name}/media/{stored_name}"
        with default_storage.open(stored_name, "rb") as stored, self._archive.open(path, "w") as packed:
            shutil.copyfileobj(stored, packed, length=1024 * 1024)
        return path


@dataclass(frozen=True)
class DataSection:
    name: str  # the folder in the zip
    app: str  # the label of the app whose tables the section covers
    export: Callable[[Any, Folder], None]
    erase: Callable[..., None]  # erase(*, user): a service of the app
    order: int = 100


DATA_SECTIONS: Registry[DataSection] = Registry("data section")

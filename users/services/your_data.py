"""'Download your data': a person asks for a zip of everything of theirs (core.personal_data),
a Celery task builds it section by section, and its owner downloads it until it expires."""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import ratelimit
from core.exceptions import Conflict
from core.jobs import enqueue
from core.personal_data import DATA_SECTIONS, Folder
from core.transactions import after_commit

from .. import states
from ..integrations import storage
from ..models import DataExport, User
from ..states import DATA_EXPORT

logger = logging.getLogger(__name__)

STALLED_AFTER = timedelta(hours=1)  # a build still running by then lost its worker


def request_data_export(*, user: User) -> DataExport:
    """Ask for a zip of one's data; the build is queued once this commits. One at a time per
    person (409 while one is being made) and RATE_LIMITS["data_export"] per person."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).exists()  # two clicks queue here
        if DataExport.objects.filter(user=user, state__in=states.UNFINISHED).exists():
            raise Conflict("Your download is still being made. Wait until it is ready.", code="export_in_progress")
        ratelimit.hit("data_export", f"user:{user.pk}")
        export = DataExport.objects.create(user=user)
        enqueue("users.tasks.build_data_export", export.pk)
    return export


def build_data_export(*, export_id: int) -> DataExport | None:
    """Write the zip of a requested export, moving its progress as each section is done; the
    person's earlier downloads expire once the new one is ready. Run by the Celery task; an
    export that is gone or no longer requested (a duplicate message) is left alone. A failure
    marks it failed with the reason and keeps no file."""
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.state != states.REQUESTED:
        return None
    DATA_EXPORT.transition(export, states.BUILDING, progress=0)
    stored = ""
    try:
        with tempfile.NamedTemporaryFile(suffix=".zip") as local:
            _write_zip(export, local.name)
            stored = storage.store_export(local.name)
            size = os.path.getsize(local.name)
        now = timezone.now()
        with transaction.atomic():
            DATA_EXPORT.transition(
                export,
                states.READY,
                progress=100,
                file=stored,
                bytes=size,
                ready_at=now,
                expires_at=now + timedelta(days=settings.DATA_EXPORT_KEEP_DAYS),
            )
            for earlier in DataExport.objects.filter(user_id=export.user_id, state=states.READY).exclude(pk=export.pk):
                _expire(earlier)
    except Exception as error:
        logger.exception("Data export %s failed", export.pk)
        storage.delete_files([stored])
        DATA_EXPORT.transition(
            export,
            states.FAILED,
            expected=states.BUILDING,
            failure_reason=f"Something went wrong: {error}"[:300],
            expires_at=timezone.now() + STALLED_AFTER,
        )
    return export


def _write_zip(export: DataExport, path: str) -> None:
    sections = list(DATA_SECTIONS)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, section in enumerate(sections, start=1):
            section.export(export.user, Folder(archive, section.name))
            progress = min(99, round(100 * done / len(sections)))  # 100 once the file is stored
            DataExport.objects.filter(pk=export.pk).update(progress=progress)


def _expire(export: DataExport) -> None:
    stored = export.file
    DATA_EXPORT.transition(export, states.EXPIRED, file="")
    after_commit(storage.delete_files, [stored])


def expire_data_exports() -> int:
    """Maintenance (Celery beat): downloads past their time lose their file and expire, and
    builds whose worker died fail. Returns how many expired."""
    now = timezone.now()
    DataExport.objects.filter(state__in=states.UNFINISHED, updated_at__lt=now - STALLED_AFTER).update(
        state=states.FAILED,
        failure_reason="The download took too long to make. Ask for a new one.",
        updated_at=now,
        expires_at=now + STALLED_AFTER,
    )
    expired = 0
    for export in DataExport.objects.filter(state__in=[states.READY, states.FAILED], expires_at__lte=now):
        with transaction.atomic():
            _expire(export)
        expired += 1
    return expired

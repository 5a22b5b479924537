"""The lifecycle of a video: uploaded → processing → ready, or failed with a reason.

A transition is one conditional UPDATE (`… WHERE state = <from>`), so of two workers racing for
the same video exactly one wins; the other gets Conflict (409 at the API) and leaves the files
alone. A transient error sends a video back from processing to uploaded, to be tried again;
re-running a failed video (the admin's action) starts it over."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from core.exceptions import Conflict

if TYPE_CHECKING:
    from .models import Video

UPLOADED = "uploaded"
PROCESSING = "processing"
READY = "ready"
FAILED = "failed"

ALLOWED: dict[str, frozenset[str]] = {
    UPLOADED: frozenset({PROCESSING, FAILED}),
    PROCESSING: frozenset({READY, FAILED, UPLOADED}),
    READY: frozenset(),
    FAILED: frozenset({UPLOADED}),
}


def can_move(old: str, new: str) -> bool:
    return new in ALLOWED.get(old, frozenset())


def transition(video: Video, new: str, *, expected: str | None = None, **fields) -> None:
    """Move `video` from its state (or `expected`) to `new`, writing `fields` with it; the
    instance is updated too. Conflict if the move is not allowed or another writer moved the
    video first."""
    old = expected or video.state
    if not can_move(old, new):
        raise Conflict(f"A video cannot go from {old} to {new}.", code="bad_transition")
    updated = type(video).objects.filter(pk=video.pk, state=old).update(state=new, updated_at=timezone.now(), **fields)
    if not updated:
        raise Conflict(f"The video is no longer {old}.", code="state_changed")
    video.state = new
    for name, value in fields.items():
        setattr(video, name, value)

"""The lifecycle of a video: uploaded → processing → ready, or failed with a reason.

Declared on core.states: a transition is one conditional UPDATE, so of two workers racing for
the same video exactly one wins; the other gets Conflict (409 at the API) and leaves the files
alone. A transient error sends a video back from processing to uploaded, to be tried again;
re-running a failed video (the admin's action) starts it over. This module imports nothing
from the app, so models.py can take the state names from it."""

from __future__ import annotations

from core.states import Lifecycle

UPLOADED = "uploaded"
PROCESSING = "processing"
READY = "ready"
FAILED = "failed"

VIDEO = Lifecycle(
    "video",
    {
        UPLOADED: {PROCESSING, FAILED},
        PROCESSING: {READY, FAILED, UPLOADED},
        READY: set(),
        FAILED: {UPLOADED},
    },
)

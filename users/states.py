"""The lifecycle of a download of someone's data: requested → building → ready, or failed
with a reason; ready and failed downloads expire (their file deleted) after
DATA_EXPORT_KEEP_DAYS, and a building one whose worker died fails after an hour. This module
imports nothing from the app, so models.py can take the state names from it."""

from __future__ import annotations

from core.states import Lifecycle

REQUESTED = "requested"
BUILDING = "building"
READY = "ready"
FAILED = "failed"
EXPIRED = "expired"

UNFINISHED = (REQUESTED, BUILDING)

DATA_EXPORT = Lifecycle(
    "download of your data",
    {
        REQUESTED: {BUILDING, FAILED},
        BUILDING: {READY, FAILED},
        READY: {EXPIRED},
        FAILED: {EXPIRED},
        EXPIRED: set(),
    },
)

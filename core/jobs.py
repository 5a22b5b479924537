"""Queueing background work (Celery tasks) from services.

A service names the task instead of importing its app's tasks.py: tasks.py imports the services
it calls, so the other direction would be an import cycle. The task is looked up in the Celery
app's registry by its name ("videos.tasks.process_video"), and an unknown name fails in the
caller at once, not after its commit."""

from __future__ import annotations

from celery import current_app

from .transactions import after_commit


def _task(name: str):
    if name not in current_app.tasks:
        # Celery's own autodiscovery: imports every installed app's tasks.py once.
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def enqueue(name: str, *args, **kwargs) -> None:
    """Queue the Celery task `name` with these arguments once the current transaction commits
    (at once outside one); nothing if it rolls back (ARCHITECTURE.md rule 5)."""
    after_commit(_task(name).delay, *args, **kwargs)

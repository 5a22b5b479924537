"""gunicorn's settings for the web service (`gunicorn -c deploy/gunicorn.conf.py config.wsgi`).

Several worker processes each count their own metrics; prometheus_client's multiprocess mode has
each write its samples to files in PROMETHEUS_MULTIPROC_DIR, and /metrics adds every worker's up.
This file runs in gunicorn's master before Django and before the workers start, so the variable
it sets here is the one the workers and Django's settings read."""

import os
import shutil
import tempfile
from pathlib import Path

# The access line with the request id is the app's own (core.logs); gunicorn's would repeat it.
accesslog = None

# A directory of this server's own unless the environment names one (removed when it stops).
own_folder = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    own_folder = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="shortmedia-metrics-")


def on_starting(server):
    """Samples left in a named directory by an earlier run would be added to this one's."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    """A worker that exited keeps its counters in the sum; its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if own_folder:
        shutil.rmtree(own_folder, ignore_errors=True)

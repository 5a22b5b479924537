"""Celery application. Broker and eager mode come from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("shortmedia")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The worker logs through Django's LOGGING (structlog), and a task's lines carry the id of the
# request that queued it (core.logs).
from celery import signals  # noqa: E402

from core import logs  # noqa: E402

signals.setup_logging.connect(logs.keep_django_logging)
signals.before_task_publish.connect(logs.put_request_id_in_headers)
signals.task_prerun.connect(logs.bind_task)
signals.task_postrun.connect(logs.unbind_task)


# With METRICS_WORKER_PORT, the worker serves its own /metrics (core.metrics).
@signals.worker_ready.connect
def _serve_worker_metrics(**kwargs):
    from core.metrics import serve_worker_metrics

    serve_worker_metrics()

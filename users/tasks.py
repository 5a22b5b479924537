"""Celery tasks: load by id, call a service or an integration, nothing else."""

from celery import shared_task

from .integrations import mail
from .models import User
from .services import accounts, deletion, your_data


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_code_email(user_id: int, purpose: str, code: str) -> None:
    """Email a one-time code (queued by services.codes.issue_code). The plain code exists only
    in this message and the email."""
    user = User.objects.select_related("profile").filter(pk=user_id).first()
    if user is None:
        return
    mail.send_code_email(user=user, purpose=purpose, code=code)


@shared_task
def purge_stale_signups() -> tuple[int, int]:
    return accounts.purge_stale_signups()


@shared_task
def build_data_export(export_id: int) -> None:
    """Queued by your_data.request_data_export once the request commits."""
    your_data.build_data_export(export_id=export_id)


@shared_task
def your_data_upkeep() -> tuple[int, int]:
    """Celery beat: expired downloads deleted, accounts past their grace period erased."""
    return your_data.expire_data_exports(), deletion.erase_due_accounts()

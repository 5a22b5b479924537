from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import EmailCode, User
from .services import accounts


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_code_email(user_id: int, purpose: str, code: str) -> None:
    """Email a one-time code. The plain code exists only in this message and the email."""
    user = User.objects.select_related("profile").filter(pk=user_id).first()
    if user is None:
        return
    context = {
        "user": user,
        "code": code,
        "purpose": EmailCode.Purpose(purpose),
        "minutes": int(settings.EMAIL_CODE_TTL.total_seconds() // 60),
        "site_name": settings.SITE_NAME,
    }
    send_mail(
        subject=f"{code} is your {settings.SITE_NAME} code",
        message=render_to_string("users/email/code.txt", context),
        html_message=render_to_string("users/email/code.html", context),
        from_email=None,
        recipient_list=[user.email],
    )


@shared_task
def purge_stale_signups() -> tuple[int, int]:
    return accounts.purge_stale_signups()

"""Email through Django's mail backend (SMTP in production). Renders and sends; which code
to send, to whom and when is the services' decision (services.codes)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from ..models import EmailCode, User


def send_code_email(*, user: User, purpose: str, code: str) -> int:
    """Email a one-time code; returns how many messages went out (1). The plain code exists
    only in the caller and the email. An unreachable server raises OSError (the task retries)."""
    context = {
        "user": user,
        "code": code,
        "purpose": EmailCode.Purpose(purpose),
        "minutes": int(settings.EMAIL_CODE_TTL.total_seconds() // 60),
        "site_name": settings.SITE_NAME,
    }
    return send_mail(
        subject=f"{code} is your {settings.SITE_NAME} code",
        message=render_to_string("users/email/code.txt", context),
        html_message=render_to_string("users/email/code.html", context),
        from_email=None,
        recipient_list=[user.email],
    )

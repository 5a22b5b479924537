"""Notification emails over SMTP (Django's email backend): one message, text + HTML from the
notifications/email/ templates, with the links back to the site and the link (and the RFC 8058
one-click headers) that stops that kind of email without logging in. Whether a message is
still wanted is services.delivery's decision, not this module's."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from ..tokens import make_token


def absolute(path: str) -> str:
    """A site-relative path as the link an email (or a push) carries."""
    return f"{settings.SITE_URL}{path}"


def send_email(*, to, subject: str, template: str, context: dict, unsubscribe_kind: str) -> None:
    """Render notifications/email/<template>.txt and .html for person `to` and send it. Raises
    OSError (smtplib's errors are OSErrors) when the mail server refuses or is away."""
    unsubscribe_url = absolute(reverse("notifications:unsubscribe", args=[make_token(to.pk, unsubscribe_kind)]))
    context = {
        **context,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "settings_url": absolute(reverse("notifications:settings")),
        "unsubscribe_url": unsubscribe_url,
    }
    message = EmailMultiAlternatives(
        # A display name or excerpt must never bend the header: one line, whatever it holds.
        subject=" ".join(subject.split()),
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[to.email],
        headers={
            # RFC 8058: mail clients show an "Unsubscribe" button that POSTs to this URL.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: out-of-office responders do not answer it.
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string(f"notifications/email/{template}.html", context), "text/html")
    message.send()

"""Emailed one-time codes. Six digits, stored as a keyed hash (an offline guess needs the
server's secret), valid for EMAIL_CODE_TTL, single use, EMAIL_CODE_MAX_ATTEMPTS wrong tries,
a new one only after EMAIL_CODE_COOLDOWN and within the per-address email rate limit."""

from __future__ import annotations

import hmac
import secrets

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core import ratelimit
from core.exceptions import RateLimited, ValidationFailed
from core.jobs import enqueue

from ..models import EmailCode, User
from ..validators import clean_code


def hash_secret(user: User, purpose: str, code: str) -> str:
    return salted_hmac("users.one-time-code", f"{user.pk}:{purpose}:{code}", algorithm="sha256").hexdigest()


def issue_code(*, user: User, purpose: str) -> None:
    """Make a new code for `user` and email it once the transaction commits. The previous
    code of the same purpose stops counting (only the latest is checked)."""
    latest = EmailCode.objects.filter(user=user, purpose=purpose).order_by("-created_at").first()
    if latest is not None:
        wait = (latest.created_at + settings.EMAIL_CODE_COOLDOWN - timezone.now()).total_seconds()
        if wait > 0:
            raise RateLimited(
                wait,
                f"A code was just sent. You can ask for a new one in {int(wait) + 1} seconds.",
                code="code_cooldown",
            )
    ratelimit.hit("email", user.email)
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    EmailCode.objects.create(
        user=user,
        purpose=purpose,
        code_hash=hash_secret(user, purpose, code),
        created_at=now,
        expires_at=now + settings.EMAIL_CODE_TTL,
    )
    enqueue("users.tasks.send_code_email", user.pk, purpose, code)


def consume_code(*, user: User, purpose: str, code: str) -> None:
    """Accept `code` once, or raise saying exactly why not. Must not run inside an outer
    transaction that the error rolls back: a wrong try has to stay counted. A code that is not
    six ASCII digits is refused (400) before anything is read or counted."""
    code = clean_code(code)
    latest = EmailCode.objects.filter(user=user, purpose=purpose).order_by("-created_at").first()
    if latest is None:
        raise ValidationFailed.on("code", "No code was sent for this. Ask for a new one.", code="code_missing")
    if latest.attempts >= settings.EMAIL_CODE_MAX_ATTEMPTS:
        retry = max(1.0, (latest.created_at + settings.EMAIL_CODE_COOLDOWN - timezone.now()).total_seconds())
        raise RateLimited(retry, "Too many wrong tries for this code. Ask for a new one.", code="too_many_attempts")
    if latest.used_at is not None:
        raise ValidationFailed.on("code", "This code was already used. Ask for a new one.", code="code_used")
    if latest.is_expired:
        raise ValidationFailed.on("code", "This code has expired. Ask for a new one.", code="code_expired")
    if not hmac.compare_digest(latest.code_hash, hash_secret(user, purpose, code)):
        EmailCode.objects.filter(pk=latest.pk).update(attempts=F("attempts") + 1)
        left = latest.attempts_left - 1
        raise ValidationFailed.on(
            "code", f"That code is wrong. {left} {'try' if left == 1 else 'tries'} left.", code="code_wrong"
        )
    # Conditional update: of two requests racing with the same code, only one wins.
    if not EmailCode.objects.filter(pk=latest.pk, used_at__isnull=True).update(used_at=timezone.now()):
        raise ValidationFailed.on("code", "This code was already used. Ask for a new one.", code="code_used")

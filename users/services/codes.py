"""Emailed one-time codes. Six digits, stored as a keyed hash (an offline guess needs the
server's secret), valid for EMAIL_CODE_TTL, single use, EMAIL_CODE_MAX_ATTEMPTS wrong tries,
a new one only after EMAIL_CODE_COOLDOWN and within the per-address email rate limit. A
refused code gets one answer, whatever the reason."""

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


# Every refusal reads the same, whatever the reason (no code, used, expired, too many tries,
# wrong, or no such account): anything more would tell a stranger that an address has one.
CODE_REFUSED = "That code is wrong, expired or already used. Ask for a new one if you need to."


def _refused() -> ValidationFailed:
    return ValidationFailed.on("code", CODE_REFUSED, code="code_invalid")


def consume_code(*, user: User | None, purpose: str, code: str) -> User:
    """Accept `code` once for `user` and return the user, or refuse it with the one answer.
    `user` None (an address without such an account) is refused after the same lookup. Must not
    run inside an outer transaction that the error rolls back: a wrong try has to stay counted.
    A code that is not six ASCII digits is refused (400) before anything is read or counted."""
    code = clean_code(code)
    latest = EmailCode.objects.filter(user=user, purpose=purpose).order_by("-created_at").first()
    if user is None or latest is None or latest.used_at is not None or latest.is_expired:
        raise _refused()
    if latest.attempts >= settings.EMAIL_CODE_MAX_ATTEMPTS or not hmac.compare_digest(
        latest.code_hash, hash_secret(user, purpose, code)
    ):
        EmailCode.objects.filter(pk=latest.pk).update(attempts=F("attempts") + 1)
        raise _refused()
    # Conditional update: of two requests racing with the same code, only one wins.
    if not EmailCode.objects.filter(pk=latest.pk, used_at__isnull=True).update(used_at=timezone.now()):
        raise _refused()
    return user

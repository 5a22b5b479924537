"""Optional TOTP second factor with single-use recovery codes."""

from __future__ import annotations

import hmac
import secrets

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import ratelimit
from core.exceptions import Conflict, NotAuthenticated, ValidationFailed

from ..models import RecoveryCode, TwoFactor, User
from ..validators import clean_code, clean_second_factor_code, is_digit_code
from .codes import hash_secret

RECOVERY_PURPOSE = "recovery"


def has_two_factor(user: User) -> bool:
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def start_two_factor_setup(*, user: User) -> TwoFactor:
    """A fresh, not yet active secret to scan into an authenticator app."""
    two_factor, _ = TwoFactor.objects.get_or_create(user=user, defaults={"secret": pyotp.random_base32()})
    if two_factor.enabled:
        raise Conflict("Two-factor authentication is already on.", code="two_factor_enabled")
    two_factor.secret = pyotp.random_base32()
    two_factor.save(update_fields=["secret", "updated_at"])
    return two_factor


def provisioning_uri(two_factor: TwoFactor) -> str:
    return pyotp.TOTP(two_factor.secret).provisioning_uri(name=two_factor.user.email, issuer_name=settings.TOTP_ISSUER)


def _accept_totp(two_factor: TwoFactor, code: str) -> bool:
    """True for a current code not used before; the step is recorded so it cannot replay."""
    totp = pyotp.TOTP(two_factor.secret)
    now = timezone.now()
    for drift in (0, -1, 1):  # one 30-second step of clock drift either way
        at = now.timestamp() + drift * totp.interval
        step = int(at // totp.interval)
        if hmac.compare_digest(totp.at(at), code) and step > two_factor.last_step:
            # Conditional update: two logins racing with the same code cannot both pass.
            return bool(TwoFactor.objects.filter(pk=two_factor.pk, last_step__lt=step).update(last_step=step))
    return False


def confirm_two_factor_setup(*, user: User, code: str) -> list[str]:
    """Turn two-factor on with a first code from the app; returns the recovery codes, shown once."""
    code = clean_code(code)
    two_factor = TwoFactor.objects.filter(user=user).first()
    if two_factor is None:
        raise Conflict("Start the set-up first.", code="two_factor_not_started")
    if two_factor.enabled:
        raise Conflict("Two-factor authentication is already on.", code="two_factor_enabled")
    if not _accept_totp(two_factor, code):
        raise ValidationFailed.on(
            "code", "That code is wrong. Check your authenticator app's clock.", code="otp_invalid"
        )
    with transaction.atomic():
        TwoFactor.objects.filter(pk=two_factor.pk).update(confirmed_at=timezone.now())
        return _replace_recovery_codes(user)


def _replace_recovery_codes(user: User) -> list[str]:
    codes = [
        f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}"
        for _ in range(settings.RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=hash_secret(user, RECOVERY_PURPOSE, code)) for code in codes]
    )
    return codes


def regenerate_recovery_codes(*, user: User) -> list[str]:
    if not has_two_factor(user):
        raise Conflict("Two-factor authentication is off.", code="two_factor_disabled")
    with transaction.atomic():
        return _replace_recovery_codes(user)


def disable_two_factor(*, user: User, password: str) -> None:
    if not user.check_password(password):
        raise ValidationFailed.on("password", "Your password is wrong.", code="wrong_password")
    with transaction.atomic():
        TwoFactor.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()


def verify_second_factor(*, user: User, code: str, ip: str) -> None:
    """The second step of a two-step login (the web pages): accept an authenticator code or an
    unused recovery code, or raise 401. Counts as a login try from `ip`, the client's address;
    a malformed code is a 400 on `code` that counts nothing."""
    code = clean_second_factor_code(code)
    ratelimit.hit("login", ip)
    _check_second_factor(user, code)


def _check_second_factor(user: User, code: str) -> None:
    """`code` went through clean_second_factor_code: ASCII, stripped, lower-case."""
    # Limited per account too, so spreading guesses over many addresses does not help.
    ratelimit.hit("second_factor", f"user:{user.pk}")
    two_factor = TwoFactor.objects.get(user=user, confirmed_at__isnull=False)
    if is_digit_code(code) and _accept_totp(two_factor, code):
        return
    recovery = RecoveryCode.objects.filter(
        user=user, used_at__isnull=True, code_hash=hash_secret(user, RECOVERY_PURPOSE, code)
    ).first()
    if recovery and RecoveryCode.objects.filter(pk=recovery.pk, used_at__isnull=True).update(used_at=timezone.now()):
        return
    raise NotAuthenticated("That authentication code is wrong.", code="otp_invalid")


def check_second_factor_if_enabled(*, user: User, code: str) -> None:
    """One-step logins (the API): an account with 2FA must send its code along. The login try
    was counted already (accounts.authenticate_user)."""
    if not has_two_factor(user):
        return
    if not code:
        raise NotAuthenticated("Enter the code from your authenticator app.", code="otp_required")
    _check_second_factor(user, clean_second_factor_code(code, field="otp"))

"""Accounts: sign-up with an emailed code, login checks, passwords and API tokens."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token

from core import ratelimit
from core.authentication import VERSION_CLAIM, deny_token
from core.exceptions import NotAuthenticated, PermissionDenied, RateLimited, ValidationFailed
from core.transactions import after_commit

from .. import streams
from ..models import EmailCode, Profile, User
from ..repositories import get_user_by_identifier
from ..validators import clean_code
from .codes import consume_code, issue_code

USERNAME_RE = re.compile(r"^[a-z0-9_]{3,30}$")
RESERVED_USERNAMES = {
    "admin", "administrator", "api", "root", "support", "help", "settings", "accounts", "static",
    "media", "ws", "www", "mail", "shortmedia", "system", "moderator", "null", "me",
}  # fmt: skip


def _clean_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed.on("email", "Enter a valid email address.") from None
    return email


def _clean_username(username: str) -> str:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise ValidationFailed.on("username", "Use 3–30 letters, digits or underscores.")
    if username in RESERVED_USERNAMES:
        raise ValidationFailed.on("username", "This username is reserved.", code="taken")
    return username


def check_password_strength(password: str, *, user: User, field: str = "password") -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="weak_password", fields={field: exc.messages}) from None


def _ensure_free(*, username: str, email: str) -> None:
    if User.objects.filter(username=username).exists():
        raise ValidationFailed.on("username", "This username is taken.", code="taken")
    if User.objects.filter(email=email).exists():
        raise ValidationFailed.on("email", "An account with this email already exists.", code="taken")


def sign_up(*, username: str, email: str, password: str, ip: str, display_name: str = "") -> User:
    """Create an account that cannot log in until the emailed code is confirmed. Sign-ups
    from one address (`ip`, the client's) are rate-limited. Answers 400 naming the field for a
    taken username or email or a weak password."""
    ratelimit.hit("signup", ip)
    username, email = _clean_username(username), _clean_email(email)
    _ensure_free(username=username, email=email)
    user = User(username=username, email=email)
    check_password_strength(password, user=user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            Profile.objects.create(user=user, display_name=display_name.strip()[:60])
            issue_code(user=user, purpose=EmailCode.Purpose.SIGNUP)
    except IntegrityError:  # lost a race for the same username or email
        _ensure_free(username=username, email=email)
        raise
    return user


def _pending_signup(email: str) -> User | None:
    """The account waiting for its sign-up code under `email`; None for an unknown address or
    an account confirmed already, which every caller answers exactly like a pending one."""
    user = get_user_by_identifier(email)
    return user if user is not None and not user.email_verified else None


def _ask_for_code(*, user: User | None, email: str, purpose: str, ip: str) -> None:
    """Email a new code to `user`, if there is one. Nothing in the answer, the limits or the
    counting tells whether there was: asks count per client address and per email address
    either way, and a code already on its way (the cooldown) is kept quiet."""
    ratelimit.hit("code_client", ip)
    if user is None:
        ratelimit.hit("email", email)  # what issue_code counts for a real account
        return
    try:
        issue_code(user=user, purpose=purpose)
    except RateLimited as exc:
        if exc.code != "code_cooldown":
            raise
        ratelimit.hit("email", email)


def _check_code(*, user: User | None, email: str, purpose: str, code: str, ip: str) -> User:
    """Accept an emailed code for `user` and return the user, or refuse it with the one answer
    an unknown address gets too. Tries count per client address and per email address."""
    code = clean_code(code)
    ratelimit.hit("code_client", ip)
    ratelimit.hit("code_check", email)
    return consume_code(user=user, purpose=purpose, code=code)


def resend_signup_code(*, email: str, ip: str) -> None:
    """Email a new sign-up code if a sign-up is waiting for `email`; the answer is the same
    for an unknown or confirmed address."""
    email = _clean_email(email)
    _ask_for_code(user=_pending_signup(email), email=email, purpose=EmailCode.Purpose.SIGNUP, ip=ip)


def confirm_signup(*, email: str, code: str, ip: str) -> User:
    """Confirm the emailed code; from then on the account can log in. A wrong, expired or used
    code and an address with no sign-up waiting get the same 400."""
    email = _clean_email(email)
    user = _check_code(user=_pending_signup(email), email=email, purpose=EmailCode.Purpose.SIGNUP, code=code, ip=ip)
    User.objects.filter(pk=user.pk).update(email_verified=True)
    user.email_verified = True
    return user


def authenticate_user(*, identifier: str, password: str, ip: str) -> User:
    """The account for an email-or-username and password that may log in now. Tries from one
    address (`ip`, the client's) are rate-limited. A second factor, if the account has one, is
    checked separately (two_factor.verify_second_factor or check_second_factor_if_enabled)."""
    ratelimit.hit("login", ip)
    user = get_user_by_identifier(identifier)
    if user is None:
        User().set_password(password)  # same work as a real check: no timing oracle
    scheduled = user is not None and user.deletion_due_at is not None
    if user is None or not user.check_password(password) or not (user.is_active or scheduled):
        raise NotAuthenticated("Wrong email/username or password.", code="invalid_credentials")
    if user.deletion_due_at is not None:  # the password is right: the login page offers to cancel
        raise PermissionDenied(
            f"This account will be deleted on {user.deletion_due_at:%-d %B %Y}. Cancel the deletion to use it again.",
            code="deletion_scheduled",
        )
    if not user.email_verified:
        raise PermissionDenied(
            "Confirm your email address first: enter the code we sent you.", code="email_not_confirmed"
        )
    return user


def _resettable(email: str) -> User | None:
    user = get_user_by_identifier(email)
    return user if user is not None and user.is_active else None


def request_password_reset(*, email: str, ip: str) -> None:
    """Email a reset code if an active account has this address. The answer is the same
    either way, so nobody learns which addresses have accounts."""
    email = _clean_email(email)
    _ask_for_code(user=_resettable(email), email=email, purpose=EmailCode.Purpose.PASSWORD_RESET, ip=ip)


def reset_password(*, email: str, code: str, new_password: str, ip: str) -> User:
    """Set a new password with an emailed code. The code also proves the address, and every
    API token the account had is revoked. An unknown address is answered like a wrong code,
    after the same checks (the password's strength first)."""
    email = _clean_email(email)
    user = _resettable(email)
    check_password_strength(new_password, user=user or User(email=email), field="new_password")
    user = _check_code(user=user, email=email, purpose=EmailCode.Purpose.PASSWORD_RESET, code=code, ip=ip)
    with transaction.atomic():
        user.set_password(new_password)
        user.email_verified = True
        user.save(update_fields=["password", "email_verified"])
        revoke_tokens(user=user)
    return user


def change_password(*, user: User, old_password: str, new_password: str) -> None:
    """Change a password knowing the current one; other sessions and API tokens end."""
    if not user.check_password(old_password):
        raise ValidationFailed.on("old_password", "Your current password is wrong.", code="wrong_password")
    check_password_strength(new_password, user=user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        revoke_tokens(user=user)


def issue_tokens(*, user: User) -> dict[str, str]:
    """A refresh token and its access token, both carrying the user's current token version
    (refreshing copies it into each new access token)."""
    refresh = RefreshToken.for_user(user)
    refresh[VERSION_CLAIM] = user.token_version
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def log_out_token(*, refresh: str | None, access: Token | None) -> None:
    """Log one API client out: its refresh token can no longer be used, and the access token
    it sent is refused from now until it expires. Other devices stay logged in."""
    if refresh:
        try:
            RefreshToken(refresh).blacklist()  # type: ignore[arg-type]  # the stubs omit the str form
        except TokenError as exc:
            raise NotAuthenticated(str(exc), code="token_not_valid") from None
    if access is not None:
        deny_token(access)


def log_out_everywhere(*, user: User) -> int:
    """End every API token of the user, on every device; returns how many refresh tokens were
    still alive. The browser session that asked is the caller's to keep or end."""
    with transaction.atomic():
        return revoke_tokens(user=user)


def revoke_tokens(*, user: User) -> int:
    """End every API token the user holds: access tokens by raising the token version they
    carry, refresh tokens by the blacklist; open sockets close after commit and must pass the
    handshake again. Returns how many refresh tokens were still alive."""
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
    user.refresh_from_db(fields=["token_version"])
    after_commit(streams.credentials_revoked, user.pk)
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    return len(BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in outstanding]))


def deactivate_user(*, user: User, by: User) -> bool:
    """Moderation by staff: the account can no longer log in and is hidden everywhere. Its API
    tokens are revoked at once (access tokens too: revoke_tokens) and its open sockets check
    their streams again; its browser sessions stop working on their next request (the auth
    backend's user_can_authenticate checks is_active).
    Idempotent: False if the account was inactive already."""
    if not by.is_staff:
        raise PermissionDenied("Only staff may deactivate accounts.", code="not_staff")
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
        revoke_tokens(user=user)
        after_commit(streams.access_changed, user.pk)
    user.is_active = False
    return bool(changed)


def purge_stale_signups() -> tuple[int, int]:
    """Maintenance: drop sign-ups never confirmed within UNCONFIRMED_ACCOUNT_TTL (freeing their
    usernames and addresses) and codes that expired over a day ago. Returns (accounts, codes)."""
    now = timezone.now()
    accounts_deleted = (
        User.objects.filter(email_verified=False, date_joined__lt=now - settings.UNCONFIRMED_ACCOUNT_TTL)
        .delete()[1]
        .get(User._meta.label, 0)
    )
    codes_deleted = EmailCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()[0]
    return accounts_deleted, codes_deleted

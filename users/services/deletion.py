"""'Delete my account': scheduled after the password (and 2FA code) is entered again, hidden
from everyone at once, restorable by logging in during ACCOUNT_DELETION_GRACE_DAYS, then erased
for good by a periodic task through every app's data section (core.personal_data)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.exceptions import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from core.personal_data import DATA_SECTIONS
from core.transactions import after_commit

from .. import streams
from ..integrations import storage
from ..models import Block, DataExport, Follow, Profile, User
from ..repositories import get_user_by_identifier
from .accounts import authenticate_user, revoke_tokens
from .two_factor import check_second_factor_if_enabled

logger = logging.getLogger(__name__)


def _check_code(user: User, code: str) -> None:
    # The person is logged in already: a wrong code is a wrong field (400), not a lost login (401).
    try:
        check_second_factor_if_enabled(user=user, code=code)
    except NotAuthenticated as error:
        raise ValidationFailed.on("code", error.message, code=error.code) from None


def schedule_account_deletion(*, user: User, password: str, code: str = "") -> datetime:
    """The person deletes their own account, proving it is them with the password (and the
    authenticator or a recovery code when 2FA is on). From now on nobody sees the profile or
    the posts, API refresh tokens are revoked and every session stops working; the account is
    erased at the returned time unless they log in and cancel before then."""
    if not user.check_password(password):
        raise ValidationFailed.on("password", "Your password is wrong.", code="wrong_password")
    _check_code(user, code)
    due = timezone.now() + timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    with transaction.atomic():
        if not User.objects.filter(pk=user.pk, is_active=True).update(is_active=False, deletion_due_at=due):
            raise Conflict("This account cannot be deleted now.", code="account_inactive")
        revoke_tokens(user=user)
        after_commit(streams.access_changed, user.pk)
    user.is_active, user.deletion_due_at = False, due
    return due


def cancel_account_deletion(*, user: User, code: str = "") -> User:
    """Restore an account waiting out its grace period, exactly as it was. Only its owner gets
    here: the login page sends them after the password, and the 2FA code is asked for here.
    Once the time is up the erasure may be running, so it is too late (409)."""
    _check_code(user, code)
    waiting = User.objects.filter(pk=user.pk, deletion_due_at__gt=timezone.now())
    if not waiting.update(is_active=True, deletion_due_at=None):
        raise Conflict("This account is not waiting to be deleted any more.", code="not_scheduled")
    after_commit(streams.access_changed, user.pk)
    user.is_active, user.deletion_due_at = True, None
    return user


def restore_account(*, identifier: str, password: str, code: str, ip: str) -> User:
    """The API's way back during the grace period (the web's is the login page): the password,
    checked and rate-limited like any login, and the 2FA code prove it is the owner; then the
    deletion is cancelled. 409 for an account that is not scheduled for deletion."""
    try:
        authenticate_user(identifier=identifier, password=password, ip=ip)
    except PermissionDenied as error:
        user = get_user_by_identifier(identifier)
        if error.code != "deletion_scheduled" or user is None:
            raise
        return cancel_account_deletion(user=user, code=code)
    raise Conflict("This account is not scheduled for deletion.", code="not_scheduled")


def erase_people_data(*, user: User) -> None:
    """The users app's part of an erasure: the avatar and download files; follows both ways
    (follower counts are counted from them, so they fall with them) and blocks go with the
    account's row."""
    profile = Profile.objects.filter(user=user).first()
    files = [profile.avatar.name, profile.avatar_small.name] if profile is not None else []
    files += DataExport.objects.filter(user=user).exclude(file="").values_list("file", flat=True)
    with transaction.atomic():
        Follow.objects.filter(Q(follower=user) | Q(followee=user)).delete()
        Block.objects.filter(Q(blocker=user) | Q(blocked=user)).delete()
        DataExport.objects.filter(user=user).delete()
        after_commit(storage.delete_files, files)


def erase_account(*, user: User) -> None:
    """Erase an account for good: every app's rows and files of the person, through their data
    sections from the top app down (each puts right the counters the person moved on other
    people's things), then the account itself (CASCADE takes whatever is left)."""
    for section in reversed(list(DATA_SECTIONS)):
        section.erase(user=user)
    User.objects.filter(pk=user.pk).delete()


def erase_due_accounts() -> int:
    """Maintenance (Celery beat): erase the accounts whose grace period is over; returns how
    many. One that fails is logged and tried again on the next run."""
    erased = 0
    for user in User.objects.filter(is_active=False, deletion_due_at__lte=timezone.now()):
        try:
            erase_account(user=user)
        except Exception:
            logger.exception("Erasing account %s failed", user.pk)
            continue
        erased += 1
    return erased

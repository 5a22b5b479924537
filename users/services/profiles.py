"""Profiles and avatars."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Final, Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.exceptions import ValidationFailed
from core.images import open_upload, square_renditions
from core.transactions import after_commit

from ..integrations import storage
from ..models import Interest, Profile, User

MAX_INTERESTS = 10


class _Unchanged(Enum):
    UNCHANGED = "unchanged"


# A field a partial update (PATCH) left out: it keeps its value.
UNCHANGED: Final = _Unchanged.UNCHANGED
Unchanged = Literal[_Unchanged.UNCHANGED]


def _check_birth_date(birth_date: date | None) -> None:
    if birth_date is None:
        return
    today = timezone.localdate()
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    if birth_date > today:
        raise ValidationFailed.on("birth_date", "The birth date is in the future.")
    if age < settings.MIN_AGE:
        raise ValidationFailed.on("birth_date", f"You must be at least {settings.MIN_AGE} to use {settings.SITE_NAME}.")
    if age > 120:
        raise ValidationFailed.on("birth_date", "Check the year of the birth date.")


def _clean_interests(names: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(name.strip().lower().lstrip("#") for name in names if name.strip()))
    if len(cleaned) > MAX_INTERESTS:
        raise ValidationFailed.on("interests", f"Pick at most {MAX_INTERESTS} interests.")
    for name in cleaned:
        if not 2 <= len(name) <= 40:
            raise ValidationFailed.on("interests", f"“{name[:40]}”: an interest has 2–40 characters.")
    return cleaned


def update_profile(
    *,
    user: User,
    display_name: str,
    bio: str,
    location: str,
    birth_date: date | None,
    interests: list[str],
) -> Profile:
    """Replace the editable profile fields at once (a form or a PUT sends them all)."""
    _check_birth_date(birth_date)
    names = _clean_interests(interests)
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
        profile.display_name = display_name.strip()[:60]
        profile.bio = bio.strip()[:300]
        profile.location = location.strip()[:80]
        profile.birth_date = birth_date
        profile.save()
        Interest.objects.bulk_create([Interest(name=name) for name in names], ignore_conflicts=True)
        profile.interests.set(Interest.objects.filter(name__in=names))
    return profile


def change_profile(
    *,
    user: User,
    display_name: str | Unchanged = UNCHANGED,
    bio: str | Unchanged = UNCHANGED,
    location: str | Unchanged = UNCHANGED,
    birth_date: date | Unchanged | None = UNCHANGED,
    interests: list[str] | Unchanged = UNCHANGED,
) -> Profile:
    """Change only the fields given (a PATCH); those left UNCHANGED keep their values. The
    result is checked as a whole, exactly as update_profile checks a full edit."""
    with transaction.atomic():
        # The stored values, read under the lock: two PATCHes of different fields both stay.
        profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
        current = [interest.name for interest in profile.interests.all()]
        return update_profile(
            user=user,
            display_name=profile.display_name if display_name is UNCHANGED else display_name,
            bio=profile.bio if bio is UNCHANGED else bio,
            location=profile.location if location is UNCHANGED else location,
            birth_date=profile.birth_date if birth_date is UNCHANGED else birth_date,
            interests=current if interests is UNCHANGED else interests,
        )


def set_avatar(*, user: User, upload) -> Profile:
    """Store a new avatar as square renditions (orientation applied, metadata dropped).
    A bad file answers 400 and stores nothing; the old files go once the change commits."""
    renditions = square_renditions(
        open_upload(upload, field="avatar", max_bytes=settings.AVATAR_MAX_BYTES), settings.AVATAR_SIZES
    )
    saved = storage.store_avatar(renditions=renditions)
    try:
        with transaction.atomic():
            profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
            old = [profile.avatar.name, profile.avatar_small.name]
            profile.avatar.name, profile.avatar_small.name = saved["large"], saved["small"]
            profile.save(update_fields=["avatar", "avatar_small", "updated_at"])
            after_commit(storage.delete_files, old)
    except Exception:
        storage.delete_files(saved.values())
        raise
    return profile


def remove_avatar(*, user: User) -> Profile:
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
        old = [profile.avatar.name, profile.avatar_small.name]
        profile.avatar = profile.avatar_small = ""
        profile.save(update_fields=["avatar", "avatar_small", "updated_at"])
        after_commit(storage.delete_files, old)
    return profile

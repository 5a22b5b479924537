"""Profiles and avatars."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core.exceptions import ValidationFailed
from core.images import open_upload, square_renditions

from ..models import Interest, Profile, User

MAX_INTERESTS = 10


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


def _delete_files(names: list[str | None]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def set_avatar(*, user: User, upload) -> Profile:
    """Store a new avatar as square renditions (orientation applied, metadata dropped).
    A bad file answers 400 and stores nothing; the old files go once the change commits."""
    renditions = square_renditions(
        open_upload(upload, field="avatar", max_bytes=settings.AVATAR_MAX_BYTES), settings.AVATAR_SIZES
    )
    stem = f"avatars/{user.pk}/{uuid.uuid4().hex}"
    saved = {name: default_storage.save(f"{stem}-{name}.webp", content) for name, content in renditions.items()}
    try:
        with transaction.atomic():
            profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
            old = [profile.avatar.name, profile.avatar_small.name]
            profile.avatar.name, profile.avatar_small.name = saved["large"], saved["small"]
            profile.save(update_fields=["avatar", "avatar_small", "updated_at"])
            transaction.on_commit(lambda: _delete_files(old))
    except Exception:
        _delete_files(list(saved.values()))
        raise
    return profile


def remove_avatar(*, user: User) -> Profile:
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
        old = [profile.avatar.name, profile.avatar_small.name]
        profile.avatar = profile.avatar_small = ""
        profile.save(update_fields=["avatar", "avatar_small", "updated_at"])
        transaction.on_commit(lambda: _delete_files(old))
    return profile

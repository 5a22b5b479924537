"""The users app's section of 'Your data' (core.personal_data): the account and profile with
the avatar's files, and who one follows, is followed by and blocks. No secrets: no password
hash, 2FA secret or recovery codes."""

from __future__ import annotations

from core.personal_data import DataSection, Folder

from .models import Block, Follow, Profile, User
from .services.deletion import erase_people_data


def _people(links, field: str) -> list[dict]:
    return [
        {"username": username, "since": since}
        for username, since in links.order_by("created_at", "id").values_list(f"{field}__username", "created_at")
    ]


def export(user: User, folder: Folder) -> None:
    profile = Profile.objects.prefetch_related("interests").filter(user=user).first() or Profile(user=user)
    folder.json(
        "profile.json",
        {
            "username": user.username,
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "display_name": profile.display_name,
            "bio": profile.bio,
            "birth_date": profile.birth_date,
            "location": profile.location,
            "interests": [interest.name for interest in profile.interests.all()] if profile.pk else [],
            "avatar": folder.file(profile.avatar.name),
            "avatar_small": folder.file(profile.avatar_small.name),
            "two_factor_enabled": hasattr(user, "two_factor") and user.two_factor.enabled,
        },
    )
    folder.json(
        "relations.json",
        {
            "following": _people(Follow.objects.filter(follower=user), "followee"),
            "followers": _people(Follow.objects.filter(followee=user), "follower"),
            "blocking": _people(Block.objects.filter(blocker=user), "blocked"),
        },
    )


SECTION = DataSection("account", "users", export, erase_people_data, order=10)

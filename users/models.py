from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.models import TimeStampedModel

from . import states


class UserQuerySet(models.QuerySet):
    def active(self) -> UserQuerySet:
        return self.filter(is_active=True, email_verified=True)

    def visible_to(self, viewer) -> UserQuerySet:
        """Accounts `viewer` may see in lists: active ones, with nobody on either side of a block."""
        users = self.active()
        if viewer is None or not viewer.is_authenticated:
            return users
        return users.exclude(blocked_either_way(viewer, OuterRef("pk")))


def blocked_either_way(viewer, other) -> Q:
    """The condition "`viewer` and `other` blocked one another, either way", for filter() and
    exclude(). `other` is typically an OuterRef to a user id column (OuterRef("author_id")), so
    the rows of any model can leave out whoever is on the other side of a block. Two EXISTS
    rather than one with an OR inside: each is a lookup on the unique (blocker, blocked) index."""
    return Exists(Block.objects.filter(blocker=other, blocked=viewer)) | Exists(
        Block.objects.filter(blocker=viewer, blocked=other)
    )


class ShortMediaUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    def get_by_natural_key(self, username):
        # Admin and createsuperuser log in by username; usernames are stored lower-case.
        return self.get(username=username.lower())

    def _create_user(self, username, email, password, **extra_fields):
        # createsuperuser and create_user accounts get their profile like sign-ups do.
        user = super()._create_user(username.lower(), (email or "").lower(), password, **extra_fields)
        Profile.objects.get_or_create(user=user)
        return user

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("email_verified", True)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """An account. Usernames and emails are stored lower-case, which makes both unique
    without regard to case on every database (MariaDB has no functional indexes)."""

    email = models.EmailField("email address", unique=True)
    email_verified = models.BooleanField(default=False, help_text="Set once the emailed code is confirmed.")
    # In every API token issued (core.authentication); bumping it ends all of them at once.
    # db_default too: bulk seeding inserts rows without the ORM (core.seeding.insert_rows).
    token_version = models.PositiveIntegerField(default=0, db_default=0, help_text="Raised to revoke every API token.")
    # Set when the person asked to delete the account: it is hidden (is_active off) until then,
    # and erased for good once the time has come unless they cancel by logging in.
    deletion_due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects: ClassVar[ShortMediaUserManager] = ShortMediaUserManager()

    REQUIRED_FIELDS = ["email"]
    # What display_name and avatar_url read; apps below users that show people (notifications)
    # select_related these instead of knowing about profiles.
    DISPLAY_RELATED = ("profile",)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    @property
    def display_name(self) -> str:
        profile = getattr(self, "profile", None)
        return profile.name if profile is not None else self.username

    @property
    def avatar_url(self) -> str:
        """The small square picture, site-relative; empty without one."""
        profile = getattr(self, "profile", None)
        return profile.avatar_small.url if profile is not None and profile.avatar_small else ""

    @property
    def avatar_large_url(self) -> str:
        """The large square picture (profile pages), site-relative; empty without one."""
        profile = getattr(self, "profile", None)
        return profile.avatar.url if profile is not None and profile.avatar else ""

    @property
    def can_log_in(self) -> bool:
        return self.is_active and self.email_verified


class Interest(models.Model):
    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(TimeStampedModel):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=60, blank=True)
    bio = models.TextField(max_length=300, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    avatar_small = models.ImageField(upload_to="avatars/", blank=True)
    birth_date = models.DateField(null=True, blank=True)
    location = models.CharField(max_length=80, blank=True)
    interests = models.ManyToManyField(Interest, blank=True, related_name="profiles")

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def name(self) -> str:
        return self.display_name or self.user.username


class Follow(models.Model):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_links")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_links")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="unique_follow"),
            models.CheckConstraint(condition=~Q(follower=models.F("followee")), name="no_self_follow"),
        ]
        indexes = [
            models.Index(fields=["followee", "-created_at"], name="follow_followee_recent"),
            # Fan-out reads an author's follower ids in id order (users.repositories
            # follower_id_batches): with this index that is an index-only range scan.
            models.Index(fields=["followee", "follower"], name="follow_followee_follower"),
        ]

    def __str__(self) -> str:
        return f"{self.follower} → {self.followee}"


class Block(models.Model):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="block_links")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocked_by_links")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="unique_block"),
            models.CheckConstraint(condition=~Q(blocker=models.F("blocked")), name="no_self_block"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} ⊘ {self.blocked}"


class EmailCode(models.Model):
    """A 6-digit code sent by email. Only a keyed hash is stored; see users.codes."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", "Confirm sign-up"
        PASSWORD_RESET = "password_reset", "Reset password"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_codes")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "-created_at"], name="emailcode_latest")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} code for {self.user}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def attempts_left(self) -> int:
        return max(0, settings.EMAIL_CODE_MAX_ATTEMPTS - self.attempts)


class TwoFactor(TimeStampedModel):
    """TOTP (RFC 6238) second factor. Enabled once a first code has been confirmed."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last accepted 30-second step: a code is never accepted twice (replay).
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"2FA for {self.user} ({'on' if self.confirmed_at else 'pending'})"

    @property
    def enabled(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recovery code for {self.user}"


class DataExport(TimeStampedModel):
    """A zip of everything of one person's (core.personal_data), built by a Celery task and
    kept under an unguessable name for its owner to download until `expires_at`."""

    class State(models.TextChoices):
        REQUESTED = states.REQUESTED, "Requested"
        BUILDING = states.BUILDING, "Building"
        READY = states.READY, "Ready"
        FAILED = states.FAILED, "Failed"
        EXPIRED = states.EXPIRED, "Expired"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent of the sections written.")
    file = models.CharField(max_length=300, blank=True, help_text="The zip's name in the default storage.")
    bytes = models.PositiveBigIntegerField(default=0)
    failure_reason = models.CharField(max_length=300, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"], name="dataexport_user_recent"),
            models.Index(fields=["state", "expires_at"], name="dataexport_state"),
        ]

    def __str__(self) -> str:
        return f"Data export {self.pk} of {self.user_id} ({self.state})"

    @property
    def download_name(self) -> str:
        """What the zip is called on the person's disk: short-media-ana-2026-12-02.zip."""
        day = self.ready_at or self.created_at
        return f"{settings.SITE_NAME}-{self.user.username}-{day:%Y-%m-%d}.zip".replace(" ", "-").lower()

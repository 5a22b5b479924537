"""Output shapes several API modules share: a person's card, a profile, a relationship."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from . import repositories
from .services import two_factor


class UserCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField(source="profile.display_name")
    bio = serializers.CharField(source="profile.bio")
    location = serializers.CharField(source="profile.location")
    avatar_url = serializers.SerializerMethodField()
    avatar_small_url = serializers.SerializerMethodField()
    followers_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    is_followed = serializers.BooleanField(help_text="Whether the requesting user follows this account.")
    date_joined = serializers.DateTimeField()

    def _url(self, field) -> str | None:
        return self.context["request"].build_absolute_uri(field.url) if field else None

    def get_avatar_url(self, user) -> str | None:
        return self._url(user.profile.avatar)

    def get_avatar_small_url(self, user) -> str | None:
        return self._url(user.profile.avatar_small)


class RelationshipSerializer(serializers.Serializer):
    following = serializers.BooleanField()
    followed_by = serializers.BooleanField()
    blocking = serializers.BooleanField()


class ProfileSerializer(UserCardSerializer):
    interests = serializers.SerializerMethodField()
    relationship = serializers.SerializerMethodField()

    def get_interests(self, user) -> list[str]:
        return [interest.name for interest in user.profile.interests.all()]

    @extend_schema(responses=RelationshipSerializer)
    def get_relationship(self, user) -> dict:
        return repositories.get_relationship(self.context["request"].user, user)


class OwnProfileSerializer(ProfileSerializer):
    email = serializers.EmailField()
    birth_date = serializers.DateField(source="profile.birth_date", allow_null=True)
    two_factor_enabled = serializers.SerializerMethodField()

    def get_two_factor_enabled(self, user) -> bool:
        return two_factor.has_two_factor(user)

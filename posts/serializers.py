"""Output shapes of posts' JSON API, shared with the apps above (videos' feeds answer a
FeedPageSerializer): a serializer here only renders, it never writes."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from core import media

from .factories import kind_of


def _file_url(request, field) -> str | None:
    return request.build_absolute_uri(field.url) if field else None


class AuthorSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField(source="profile.display_name")
    avatar_small_url = serializers.SerializerMethodField()

    def get_avatar_small_url(self, user) -> str | None:
        return _file_url(self.context["request"], user.profile.avatar_small)


class ImageSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField(help_text="A square tile for grids.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt_text = serializers.CharField()

    def get_url(self, picture) -> str:
        return media.signed_url(picture.image.name, self.context["request"])

    def get_thumbnail_url(self, picture) -> str:
        return media.signed_url(picture.thumbnail.name, self.context["request"])


class EngagementSerializer(serializers.Serializer):
    """A post's counters and what the viewer did with it; also the answer of every toggle
    (like, save, undo repost), so a client updates its buttons from one shape."""

    id = serializers.IntegerField()
    likes_count = serializers.IntegerField()
    comments_count = serializers.IntegerField()
    reposts_count = serializers.IntegerField()
    saves_count = serializers.IntegerField()
    views_count = serializers.IntegerField()
    is_liked = serializers.BooleanField()
    is_saved = serializers.BooleanField()
    is_reposted = serializers.BooleanField(help_text="Whether the viewer shared it with a plain repost.")


class SharedPostSerializer(EngagementSerializer):
    """A post without what it shares in turn (the shape of a repost's original)."""

    kind = serializers.CharField()
    body = serializers.CharField()
    visibility = serializers.CharField()
    author = AuthorSerializer()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    images = ImageSerializer(many=True)
    media = serializers.SerializerMethodField(
        help_text='What a post of a media kind carries, by kind: {"video": {id, playlist_url, mp4_url, poster_url, '
        "width, height, duration}} for a video post; null for text and pictures (see images)."
    )
    url = serializers.SerializerMethodField(help_text="The post's web page.")

    def get_media(self, post) -> dict | None:
        return kind_of(post).media(post, self.context["request"])

    def get_url(self, post) -> str:
        return self.context["request"].build_absolute_uri(reverse("posts:detail", args=[post.pk]))


class PostSerializer(SharedPostSerializer):
    """A post as feeds and its page show it, with the post it shares if it is a repost or quote."""

    repost_of = SharedPostSerializer(
        source="original",
        allow_null=True,
        help_text="What this repost or quote shares; null if it is not one, or if the original "
        "was deleted or is not visible to the viewer.",
    )


class RankingSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField(help_text="How the feed is ordered, in words to show readers.")


class FeedPageSerializer(serializers.Serializer):
    results = PostSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    ranking = RankingSerializer()


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    post_id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True, help_text="The comment this replies to, if a reply.")
    body = serializers.CharField()
    author = AuthorSerializer()
    created_at = serializers.DateTimeField()
    replies_count = serializers.IntegerField()


class ThreadSerializer(CommentSerializer):
    replies = CommentSerializer(
        source="shown_replies", many=True, help_text="The first replies, oldest first; the replies endpoint has all."
    )


class HashtagSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Without the '#'.")
    uses = serializers.IntegerField(help_text="How many public posts carry it.")
    url = serializers.SerializerMethodField(help_text="The hashtag's page.")

    def get_url(self, tag) -> str:
        return self.context["request"].build_absolute_uri(reverse("posts:hashtag", args=[tag.name]))

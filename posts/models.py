from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from core.models import TimeStampedModel
from users.models import Follow, blocked_either_way


class Hashtag(models.Model):
    """A #tag, stored lower-case without the '#'."""

    name = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"#{self.name}"


class PostQuerySet(models.QuerySet):
    def plain_reposts(self) -> PostQuerySet:
        """Reposts without a quote (Post.is_plain_repost, as a filter)."""
        return self.filter(repost_of__isnull=False, body="", kind=Post.Kind.TEXT)

    def visible_to(self, viewer) -> PostQuerySet:
        """Posts `viewer` may see: by an active author with no block on either side, not hidden
        by moderation (authors still see their own), and allowed by the post's visibility."""
        posts = self.filter(author__is_active=True, author__email_verified=True)
        if viewer is None or not viewer.is_authenticated:
            return posts.filter(visibility=Post.Visibility.PUBLIC, is_hidden=False)
        follows_author = Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("author_id")))
        return posts.filter(
            Q(author=viewer)
            | (
                Q(is_hidden=False)
                & (Q(visibility=Post.Visibility.PUBLIC) | (Q(visibility=Post.Visibility.FOLLOWERS) & follows_author))
            )
        ).exclude(blocked_either_way(viewer, OuterRef("author_id")))


class Post(TimeStampedModel):
    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        IMAGE = "image", "Images"
        VIDEO = "video", "Video"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        FOLLOWERS = "followers", "Followers only"
        PRIVATE = "private", "Only me"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    # A repost shares another post; with a body it is a quote. Deleting the original deletes
    # plain reposts (services.delete_post) and leaves quotes standing without it.
    repost_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reposts")
    edited_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False, help_text="Hidden by a moderator: only its author still sees it.")
    hashtags = models.ManyToManyField(Hashtag, blank=True, related_name="posts")
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in")

    likes_count = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)
    reposts_count = models.PositiveIntegerField(default=0)
    saves_count = models.PositiveIntegerField(default=0)
    views_count = models.PositiveIntegerField(default=0)
    # Time-decayed engagement (strategies.ranking.hot_score), kept current by every counter
    # change so the Trending feed is an index scan.
    hot_score = models.FloatField(default=0.0)

    objects = PostQuerySet.as_manager()

    # Set by repositories.decorate for the one viewer a post is read for.
    original: Post | None
    is_liked: bool
    is_saved: bool
    is_reposted: bool

    class Meta:
        indexes = [
            models.Index(fields=["author", "-created_at", "-id"], name="post_author_recent"),
            models.Index(fields=["visibility", "-created_at", "-id"], name="post_visibility_recent"),
            models.Index(fields=["-hot_score", "-id"], name="post_hot"),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} by {self.author}"

    @property
    def is_plain_repost(self) -> bool:
        return self.repost_of_id is not None and not self.body and self.kind == Post.Kind.TEXT


class PostImage(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField()
    # posts/<the post's random folder>/<position>-<size>.webp: private (core.media signs them).
    image = models.ImageField(upload_to="posts/", max_length=200)
    thumbnail = models.ImageField(upload_to="posts/", max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["post", "position"], name="unique_image_position")]

    def __str__(self) -> str:
        return f"Image {self.position} of post {self.post_id}"


class Like(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="unique_like")]

    def __str__(self) -> str:
        return f"{self.user} ♥ {self.post_id}"


class Save(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="saves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saves")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="unique_save")]
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="save_user_recent")]

    def __str__(self) -> str:
        return f"{self.user} saved {self.post_id}"


class Comment(TimeStampedModel):
    """A comment, or a reply when `parent` is set. Threads are one level deep: a reply to a
    reply joins its parent's thread (services.add_comment)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField()
    replies_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["post", "parent", "created_at", "id"], name="comment_thread")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on post {self.post_id}"

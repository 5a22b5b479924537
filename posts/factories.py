"""Building a post of the right kind from input. Each kind validates its own fields before
anything is written, and prepares what it stores beside the post row (picture renditions).
A kind also says how its media is shown (the card's template, the API's `media`), which
related rows a list loads with it, and which stored files go when the post is deleted.
The videos app registers the video kind in KINDS, so this app never imports it."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.files.base import ContentFile

from core import images as pictures
from core.exceptions import ValidationFailed
from core.registry import Registry

from .models import Post, PostImage


def picture_folder() -> str:
    """A post's own unguessable folder under posts/ (no id, no date): its pictures' signed
    URLs (core.media) cover it and nothing else."""
    return secrets.token_urlsafe(24)


@dataclass
class PreparedImage:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    alt_text: str = ""


@dataclass
class Draft:
    """A validated post ready to be written: the row and what goes beside it."""

    post: Post
    images: list[PreparedImage] = field(default_factory=list)

    def attach(self, post: Post) -> list[str]:
        """Store the parts beside the saved post; the names of the files written."""
        written = []
        folder = picture_folder()
        for position, prepared in enumerate(self.images):
            row = PostImage(
                post=post, position=position, width=prepared.width, height=prepared.height, alt_text=prepared.alt_text
            )
            row.image.save(f"{folder}/{position}-full.webp", prepared.image, save=False)
            written.append(str(row.image.name))
            row.thumbnail.save(f"{folder}/{position}-tile.webp", prepared.thumbnail, save=False)
            written.append(str(row.thumbnail.name))
            row.save()
        return written


def clean_text(text: str, *, limit: int, noun: str, empty: str | None) -> str:
    """`text` stripped; ValidationFailed on "body" if it is empty (when `empty` says what to
    tell) or longer than `limit` characters."""
    text = (text or "").strip()
    if empty and not text:
        raise ValidationFailed.on("body", empty, code="empty")
    if len(text) > limit:
        message = f"{noun} are at most {limit} characters; this one has {len(text)}."
        raise ValidationFailed.on("body", message, code="too_long")
    return text


def clean_body(body: str, *, required: bool) -> str:
    """A post's text."""
    return clean_text(
        body, limit=settings.POST_MAX_LENGTH, noun="Posts", empty="Write something first." if required else None
    )


class PostKind(Protocol):
    kind: str
    template: str  # what a card shows of the media ("" for none); gets `shared` (the post) and `small`
    script: str  # a static module pages showing posts load for it ("" for none)
    stylesheet: str  # a stylesheet pages showing posts load for it, in their head ("" for none)
    related: tuple[str, ...]  # select_related paths from a post to its media

    def draft(self, *, body: str, images: Sequence, alt_texts: Sequence[str], attachment: object) -> Draft: ...

    def media(self, post: Post, request) -> dict | None: ...

    def cover(self, post: Post) -> str | None: ...

    def files(self, post: Post) -> list[str]: ...


class BaseKind:
    """What kinds share: no media beyond the post row."""

    kind: str
    template = ""
    script = ""
    stylesheet = ""
    related: tuple[str, ...] = ()

    def media(self, post, request):
        return None

    def cover(self, post):
        return None

    def files(self, post):
        return []


class TextKind(BaseKind):
    kind: str = Post.Kind.TEXT

    def draft(self, *, body, images, alt_texts, attachment):
        if images:
            raise ValidationFailed.on("images", "A text post has no pictures; choose the picture kind.")
        return Draft(Post(kind=self.kind, body=clean_body(body, required=True)))


class ImageKind(BaseKind):
    kind: str = Post.Kind.IMAGE
    template = "posts/includes/post_images.html"

    def files(self, post):
        pictures = PostImage.objects.filter(post=post).values_list("image", "thumbnail")
        return [name for pair in pictures for name in pair]

    def draft(self, *, body, images, alt_texts, attachment):
        if not images:
            raise ValidationFailed.on("images", "Add at least one picture.", code="no_images")
        if len(images) > settings.POST_MAX_IMAGES:
            raise ValidationFailed.on(
                "images",
                f"A post has at most {settings.POST_MAX_IMAGES} pictures; you added {len(images)}.",
                code="too_many_images",
            )
        body = clean_body(body, required=False)
        prepared = [self._prepare(upload) for upload in images]
        for picture, alt_text in zip(prepared, alt_texts, strict=False):
            picture.alt_text = (alt_text or "").strip()[:300]
        return Draft(Post(kind=self.kind, body=body), prepared)

    def _prepare(self, upload) -> PreparedImage:
        picture = pictures.open_upload(upload, field="images", max_bytes=settings.POST_IMAGE_MAX_BYTES)
        image, width, height = pictures.fitted_rendition(picture, settings.POST_IMAGE_SIDE)
        thumbnail = pictures.square_renditions(picture, {"tile": settings.POST_THUMBNAIL_SIDE})["tile"]
        return PreparedImage(image=image, thumbnail=thumbnail, width=width, height=height)


# Filled by posts' AppConfig.ready() (text, pictures) and by the apps above (videos' kind).
KINDS: Registry[PostKind] = Registry("post kind", key=lambda kind: kind.kind)


def kind_of(post: Post) -> PostKind:
    return KINDS.get(post.kind) or KINDS[Post.Kind.TEXT]


def kind_scripts() -> list[str]:
    """The static modules of every kind that has one (a video player, say)."""
    return sorted({kind.script for kind in KINDS if kind.script})


def kind_stylesheets() -> list[str]:
    """The stylesheets of every kind that has one (the video player's)."""
    return sorted({kind.stylesheet for kind in KINDS if kind.stylesheet})


def related_paths() -> list[str]:
    """select_related paths to every kind's media, for a post and for what it reposts."""
    paths = [path for kind in KINDS for path in kind.related]
    return paths + [f"repost_of__{path}" for path in paths]


def draft_post(
    *,
    kind: str,
    body: str = "",
    images: Sequence = (),
    alt_texts: Sequence[str] = (),
    attachment: object = None,
) -> Draft:
    """A validated, unsaved post of `kind`, or ValidationFailed naming the field at fault.
    `attachment` is what some kinds are made around (a processed video)."""
    builder = KINDS.get(kind)
    if builder is None:
        choices = ", ".join(KINDS.names())
        raise ValidationFailed.on("kind", f"Unknown post kind {kind!r}; use one of: {choices}.", code="bad_kind")
    return builder.draft(body=body, images=images, alt_texts=alt_texts, attachment=attachment)

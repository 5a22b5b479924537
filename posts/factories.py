"""Building a post of the right kind from input. Each kind validates its own fields before
anything is written, and prepares what it stores beside the post row (picture renditions).
The videos app adds the video kind with register_kind() and its own validation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.files.base import ContentFile

from core import images as pictures
from core.exceptions import ValidationFailed

from .models import Post, PostImage


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
        for position, prepared in enumerate(self.images):
            row = PostImage(
                post=post, position=position, width=prepared.width, height=prepared.height, alt_text=prepared.alt_text
            )
            row.image.save(f"{post.pk}-{position}.webp", prepared.image, save=False)
            written.append(str(row.image.name))
            row.thumbnail.save(f"{post.pk}-{position}-t.webp", prepared.thumbnail, save=False)
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

    def draft(self, *, body: str, images: Sequence, alt_texts: Sequence[str]) -> Draft: ...


class TextKind:
    kind: str = Post.Kind.TEXT

    def draft(self, *, body, images, alt_texts):
        if images:
            raise ValidationFailed.on("images", "A text post has no pictures; choose the picture kind.")
        return Draft(Post(kind=self.kind, body=clean_body(body, required=True)))


class ImageKind:
    kind: str = Post.Kind.IMAGE

    def draft(self, *, body, images, alt_texts):
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


KINDS: dict[str, PostKind] = {kind.kind: kind for kind in (TextKind(), ImageKind())}


def register_kind(kind: PostKind) -> None:
    KINDS[kind.kind] = kind


def draft_post(*, kind: str, body: str = "", images: Sequence = (), alt_texts: Sequence[str] = ()) -> Draft:
    """A validated, unsaved post of `kind`, or ValidationFailed naming the field at fault."""
    builder = KINDS.get(kind)
    if builder is None:
        choices = ", ".join(sorted(KINDS))
        raise ValidationFailed.on("kind", f"Unknown post kind {kind!r}; use one of: {choices}.", code="bad_kind")
    return builder.draft(body=body, images=images, alt_texts=alt_texts)

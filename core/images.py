"""Uploaded pictures: checked by content (not name), orientation applied, metadata dropped,
re-encoded as renditions. Shared by avatars now and post images later."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

from .exceptions import ValidationFailed

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def open_upload(upload, *, field: str, max_bytes: int) -> Image.Image:
    """Open an uploaded picture, or raise ValidationFailed naming `field`."""
    if upload.size > max_bytes:
        raise ValidationFailed.on(
            field, f"The file is too large; the limit is {filesizeformat(max_bytes)}.", code="too_large"
        )
    if upload.size == 0:
        raise ValidationFailed.on(field, "The file is empty.", code="empty_file")
    try:
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in ACCEPTED_FORMATS:
            raise ValidationFailed.on(field, "Use a JPEG, PNG, WebP or GIF picture.", code="bad_format")
        if image.width * image.height > settings.IMAGE_MAX_PIXELS:
            raise ValidationFailed.on(field, "The picture has too many pixels.", code="too_many_pixels")
        image.load()  # decode now: a truncated or corrupt file fails here, not later
    except Image.DecompressionBombError as exc:  # Pillow's own ceiling, far above ours
        raise ValidationFailed.on(field, "The picture has too many pixels.", code="too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed.on(field, "The file is not a picture we can read.", code="not_an_image") from exc
    return image


def _flatten(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _webp(image: Image.Image) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=85, method=4)
    return ContentFile(buffer.getvalue())


def fitted_rendition(image: Image.Image, max_side: int) -> tuple[ContentFile, int, int]:
    """The upright picture scaled to fit `max_side` (never upscaled), as WebP, with its size."""
    upright = _flatten(image)
    upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return _webp(upright), upright.width, upright.height


def square_renditions(image: Image.Image, sizes: dict[str, int]) -> dict[str, ContentFile]:
    """Centre-cropped squares, one WebP file per named size (never upscaled). The files are
    fresh encodes of the pixels, so EXIF, GPS and other metadata do not survive."""
    upright = _flatten(image)
    side = min(upright.size)
    left, top = (upright.width - side) // 2, (upright.height - side) // 2
    square = upright.crop((left, top, left + side, top + side))
    renditions = {}
    for name, size in sizes.items():
        rendition = square.resize((size, size), Image.Resampling.LANCZOS) if side > size else square
        renditions[name] = _webp(rendition)
    return renditions

"""What every app's views.py uses: bind a form, hand it to a service, render the result.
A view parses a form, calls one service or repository function and renders; domain errors land
on the form (submit()) or, for plain buttons, in a message (attempt()). NotFound and the other
domain errors a view lets rise are rendered by core.middleware."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import PurePosixPath

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from . import media
from .exceptions import DomainError, NotFound
from .forms import ServiceForm
from .http import next_page_url
from .pagination import Page


def bound(request, form_class, **kwargs):
    """The form bound to the POST data, or unbound (with `initial`) on any other method."""
    if request.method == "POST":
        return form_class(request.POST, request.FILES, **kwargs)
    return form_class(**kwargs)


def submit(form: ServiceForm, service: Callable, **extra) -> bool:
    """If the form is valid, call `service(**cleaned_data, **extra)` and keep its result in
    `form.result`. A domain error lands on the form next to the field it names; False then."""
    if not form.is_valid():
        return False
    try:
        form.result = service(**form.cleaned_data, **extra)
    except DomainError as error:
        form.fail(error)
        return False
    return True


def attempt(request, action: Callable[[], object]) -> bool:
    """Run a button's action; a domain error becomes an error message. True if it worked."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    return True


def render_form(request, template: str, form: ServiceForm, **context):
    """Render a page around `form`, with the status its last domain error asked for (429...)."""
    return render(request, template, {"form": form, **context}, status=form.status)


def list_context(request, page: Page, **context) -> dict:
    """The context of a page that lists one cursor page and links to the next."""
    return {"page": page, "next_page_url": next_page_url(request, page), **context}


# Content types of the private media kinds (Python's table lacks the HLS ones).
MEDIA_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
}
# Seconds a presigned S3 address lives: just long enough for the redirect to be followed.
PRESIGNED_LIFETIME = 60


@require_safe
def signed_media(request, path: str):
    """A private file by its signed address (core.media): from local disk, or on S3 by a
    redirect to a short-lived presigned address of that one object. Playlists from S3 are
    passed through, so the player resolves their relative URIs against the signed address."""
    signed = media.verify(path)
    suffix = PurePosixPath(signed.name).suffix
    local = media.local_path(signed.name)
    if local is None and suffix != ".m3u8":
        return _presigned_redirect(signed.name)
    if not (local.is_file() if local is not None else default_storage.exists(signed.name)):
        raise NotFound("No such file.")
    content = local.open("rb") if local is not None else default_storage.open(signed.name, "rb")
    response = FileResponse(content, content_type=MEDIA_TYPES.get(suffix, "application/octet-stream"))
    patch_cache_control(response, private=True, max_age=max(0, signed.expires - int(time.time())))
    return response  # nosniff: SecurityMiddleware


def _presigned_redirect(name: str) -> HttpResponseRedirect:
    address = default_storage.url(name, expire=PRESIGNED_LIFETIME)  # type: ignore[call-arg]  # S3Storage.url
    response = HttpResponseRedirect(address)
    patch_cache_control(response, private=True, max_age=PRESIGNED_LIFETIME // 2)
    return response

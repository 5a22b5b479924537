"""Private media: stored files of posts and videos are reached only through signed, expiring
URLs, minted by code that has already checked the viewer may see the object (the repository,
serializer or template rendering it for that viewer). The URL is the capability:

    /media/s/<expires>/<token>/<folder>/<file>

`folder` is the object's own random folder (posts/<token>, videos/<uuid>); the token covers
the whole folder, so an HLS playlist's relative URIs inherit it. The token is nginx's
secure_link_md5 of "<expires><folder> <MEDIA_SIGNING_KEY>" (base64url MD5, no padding), so in
production nginx checks it without Django (deploy/nginx/media.conf); the embedded server and
S3 storage go through `signed_media` in core/views.py, which applies the same rule.

Expiry is rounded up to a quarter of MEDIA_URL_LIFETIME, so pages and browser caches stay the
same within it: a URL works for between 1 and 1.25 lifetimes. Once the viewer may no longer
see the object (it turned private, a block, a deletion), no new URL is minted for them and the
old one dies with its expiry. Uploads as received (a video's source.<ext>) are never served."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from .exceptions import NotFound, PermissionDenied

# A stored private file: <area>/<folder key>/<file>, every part plain (no dot-dot, no escapes).
_PART = r"[A-Za-z0-9_-][A-Za-z0-9_.-]*"
_NAME = re.compile(rf"^(?P<folder>(?:posts|videos)/[A-Za-z0-9_-]{{16,64}})/(?P<file>{_PART}(?:/{_PART})*)$")
_SIGNED = re.compile(r"^(?P<expires>[1-9][0-9]{0,11})/(?P<token>[A-Za-z0-9_-]{22})/(?P<name>.+)$")
# An upload kept as received, for processing again: never served, not even to its owner.
_ORIGINAL = re.compile(r"^source\.[^/]*$")
SIGNED_PREFIX = "s/"


class Expired(PermissionDenied):
    status = 410
    code = "expired"
    default_message = "This media address has expired; reload the page."


@dataclass(frozen=True)
class Signed:
    name: str  # the stored file
    expires: int  # unix time the URL stops working


def token(folder: str, expires: int) -> str:
    """nginx's secure_link_md5 "$expires$folder $key", base64url without padding."""
    digest = hashlib.md5(f"{expires}{folder} {settings.MEDIA_SIGNING_KEY}".encode()).digest()  # noqa: S324
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def expiry(now: float | None = None) -> int:
    """When a URL minted at `now` expires: a lifetime on, rounded up to a quarter lifetime."""
    lifetime = int(settings.MEDIA_URL_LIFETIME)
    step = max(1, lifetime // 4)
    moment = int(time.time() if now is None else now) + lifetime
    return -(-moment // step) * step


def signed_url(name: str, request=None, *, now: float | None = None) -> str:
    """The signed address of the stored private file `name` (absolute with `request`). Call
    it only for a viewer already allowed to see what the file belongs to."""
    match = _NAME.match(name)
    if match is None:
        raise ValueError(f"{name!r} is not a private media name")
    expires = expiry(now)
    address = f"{settings.MEDIA_URL}{SIGNED_PREFIX}{expires}/{token(match['folder'], expires)}/{name}"
    return request.build_absolute_uri(address) if request is not None else address


def verify(path: str, *, now: float | None = None) -> Signed:
    """The stored file a signed path (what follows /media/s/) names. PermissionDenied for a
    path that is not signed or signed for another folder, Expired once it has run out,
    NotFound for files never served."""
    signed = _SIGNED.match(path)
    named = _NAME.match(signed["name"]) if signed else None
    if signed is None or named is None:
        raise PermissionDenied("This media address is not valid.", code="bad_signature")
    expires = int(signed["expires"])
    if not hmac.compare_digest(signed["token"], token(named["folder"], expires)):
        raise PermissionDenied("This media address is not valid.", code="bad_signature")
    if expires < (time.time() if now is None else now):
        raise Expired()
    if _ORIGINAL.match(named["file"]):
        raise NotFound("No such file.")
    return Signed(name=named.group(0), expires=expires)


def local_path(name: str) -> Path | None:
    """Where `name` lies on this machine's disk, or None when the storage is remote (S3)."""
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        return None


def delete_files(names: Iterable[str | None]) -> None:
    """Delete the stored files `names` (empty names are skipped) and, on local disk, the
    folders they leave empty up to their area (posts/, videos/, …): nothing stays behind."""
    root = Path(settings.MEDIA_ROOT).resolve()
    folders = set()
    for name in names:
        if not name:
            continue
        default_storage.delete(name)
        path = local_path(name)
        if path is not None:
            folders.add(path.parent)
    for folder in sorted(folders, key=lambda folder: len(folder.parts), reverse=True):
        _prune(folder.resolve(), root)


def _prune(folder: Path, root: Path) -> None:
    # The areas (posts/, videos/, …) stay: another process may be creating a folder in one.
    while folder.parent != root and root in folder.parents:
        try:
            folder.rmdir()  # only succeeds when empty
        except OSError:
            return
        folder = folder.parent

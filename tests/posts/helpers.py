"""Small helpers shared by the posts tests (fixtures stay in the test modules)."""

import struct
import zlib

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.users.factories import BlockFactory, FollowFactory, UserFactory

ALL = {"public", "followers", "private"}
# Which of an author's posts each kind of viewer may see. "blocked" is someone the author
# blocked, "blocker" someone who blocked the author; both follow the author, to show that a
# block wins over a follow.
AUDIENCE = {
    "anonymous": {"public"},
    "stranger": {"public"},
    "follower": {"public", "followers"},
    "author": ALL,
    "blocked": set(),
    "blocker": set(),
}


def viewer_of_kind(kind: str, author):
    """A viewer standing to `author` as AUDIENCE's `kind` says."""
    if kind == "anonymous":
        return AnonymousUser()
    if kind == "author":
        return author
    viewer = UserFactory()
    if kind != "stranger":
        FollowFactory(follower=viewer, followee=author)
    if kind == "blocked":
        BlockFactory(blocker=author, blocked=viewer)
    if kind == "blocker":
        BlockFactory(blocker=viewer, blocked=author)
    return viewer


def stored_files() -> list[str]:
    """Every file under MEDIA_ROOT (a fresh temporary folder per test), relative to it."""
    root = settings.MEDIA_ROOT
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def stored_folders() -> list[str]:
    """Every folder under MEDIA_ROOT: a deletion leaves none it emptied but the area (posts/, videos/)."""
    root = settings.MEDIA_ROOT
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_dir()) if root.exists() else []


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def declared_png(side: int) -> SimpleUploadedFile:
    """A 68-byte PNG that declares `side`×`side` pixels: what a decompression bomb looks like
    before anything is decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    data = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile("bomb.png", data, content_type="image/png")


def not_a_picture() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", b"%PDF-1.4 this is a document, not a picture", content_type="image/jpeg")


def error(code: str, message: str, field: str | None = None) -> dict:
    """The one error body, with `message` on `field` when the error names one."""
    return {"code": code, "message": message, "fields": {field: [message]} if field else {}}

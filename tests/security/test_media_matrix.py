"""Who reaches which stored file. For every file of Ana's non-public posts (pictures and their
tiles; a video's playlists, segments, MP4, poster and thumbnails; the upload as received),
each kind of viewer gets exactly the signed addresses the pages and the API show it, and those
work; plain, forged, stale and escaping addresses do not; an address handed out stops working
once it expires after the post turns private, a block, or at once after a deletion. Served by
the embedded default (Django) and, in the services suite, by a real nginx with the project's
media locations (deploy/nginx/media.conf) in front of the same files."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from core.media import signed_url, token
from posts.models import Post
from posts.services import delete_post, edit_post
from tests.posts.factories import PostFactory, picture
from tests.posts.helpers import stored_files
from tests.users.factories import BlockFactory, FollowFactory, UserFactory
from tests.videos.clips import make_clip, needs_ffmpeg
from tests.videos.helpers import upload_video
from users.services.relations import block_user
from videos.integrations import storage

pytestmark = [needs_ffmpeg, pytest.mark.django_db(transaction=True)]  # processing runs after commit

REPO = Path(__file__).resolve().parents[2]
SIGNED = re.compile(r"/media/s/[0-9]+/[A-Za-z0-9_-]+/[A-Za-z0-9_./-]+")
TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".mp4": "video/mp4",
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
}
ROLES = ["anonymous", "stranger", "blocked", "follower", "moderator", "owner"]
# Which of Ana's posts each role may see: a moderator is staff, not a follower.
SEES = {"follower": {"followers"}, "owner": {"followers", "private"}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def django_fetch(path: str) -> tuple[int, dict[str, str], bytes]:
    response = Client().get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, {name.lower(): value for name, value in response.items()}, body


def nginx_config(folder: Path, port: int) -> Path:
    """A throwaway nginx serving MEDIA_ROOT with the project's own media locations."""
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port};
        set $media_root {settings.MEDIA_ROOT}/;
        set $media_signing_key "{settings.MEDIA_SIGNING_KEY}";
        include {REPO}/deploy/nginx/media.conf;
    }}
}}
"""
    )
    return config


@pytest.fixture
def nginx(tmp_path):
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.skip("nginx is not installed (make test-services installs it)")
    port = free_port()
    folder = tmp_path / "nginx"
    config = nginx_config(folder, port)
    server = subprocess.Popen(
        [binary, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                assert server.poll() is None, (folder / "error.log").read_text()
                time.sleep(0.05)

        def fetch(path: str) -> tuple[int, dict[str, str], bytes]:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as response:
                    return (
                        response.status,
                        {name.lower(): value for name, value in response.headers.items()},
                        response.read(),
                    )
            except urllib.error.HTTPError as refused:
                return refused.code, {}, refused.read()

        yield fetch
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(params=["django", pytest.param("nginx", marks=pytest.mark.services)])
def fetch(request):
    """GET a media path from the server under test: (status, headers by lower-case name, body)."""
    return django_fetch if request.param == "django" else request.getfixturevalue("nginx")


@pytest.fixture
def ana(db):
    return UserFactory(username="ana")


def viewer(role: str, ana):
    if role == "anonymous":
        return None
    if role == "owner":
        return ana
    person = UserFactory(is_staff=role == "moderator")
    if role in ("follower", "blocked"):
        FollowFactory(follower=person, followee=ana)
    if role == "blocked":
        BlockFactory(blocker=ana, blocked=person)
    return person


def picture_post(ana, visibility: str) -> Post:
    return PostFactory(
        author=ana, visibility=visibility, kind=Post.Kind.IMAGE, images=[picture(color="red"), picture(color="blue")]
    )


@pytest.fixture
def world(ana, tmp_path):
    """Ana's followers-only and private posts, two of pictures and two of videos, with the
    files each one stores (the video's upload as received apart)."""
    posts = {}
    for visibility in ("followers", "private"):
        pictures = picture_post(ana, visibility)
        posts[pictures] = {name for row in pictures.images.all() for name in (row.image.name, row.thumbnail.name)}
        video = upload_video(ana, make_clip(tmp_path / f"{visibility}.mp4", seconds=1.0), visibility=visibility)
        assert video.state == video.State.READY, video.failure_reason
        posts[video.post] = set(storage.list_files(video.folder)) - {video.source}
    return posts


def addresses_shown(person, post: Post) -> set[str]:
    """Every signed media path the post's page and API answers show `person`."""
    page, api = Client(), APIClient()
    if person is not None:
        page.force_login(person)
        api.force_authenticate(person)
    answers = [page.get(f"/p/{post.pk}/"), api.get(f"/api/posts/{post.pk}/")]
    if post.kind == Post.Kind.VIDEO:
        answers.append(api.get(f"/api/videos/{post.video.pk}/"))
    return {found for answer in answers for found in SIGNED.findall(answer.content.decode())}


def reached(fetch, paths: set[str]) -> dict[str, tuple[int, str, str, bool]]:
    """Fetch `paths`, following playlists to what they name; path -> (status, content type,
    X-Content-Type-Options, whether only the browser may cache it)."""
    answers, waiting = {}, sorted(paths)
    while waiting:
        path = waiting.pop()
        if path in answers:
            continue
        status, headers, body = fetch(path)
        cache = headers.get("cache-control", "").split(", ")
        answers[path] = (
            status,
            headers.get("content-type", ""),
            headers.get("x-content-type-options", ""),
            "private" in cache,
        )
        if status == 200 and path.endswith(".m3u8"):
            named = re.findall(r'URI="([^"]+)"', body.decode()) + [
                line for line in body.decode().splitlines() if line and not line.startswith("#")
            ]
            waiting += [posixpath.join(posixpath.dirname(path), name) for name in named]
    return answers


def stored_name(path: str) -> str:
    return path.split("/", 5)[5]  # /media/s/<expires>/<token>/<name>


@pytest.mark.parametrize("role", ROLES)
def test_each_viewer_reaches_exactly_the_files_it_is_shown(fetch, ana, world, role):
    # given someone standing to Ana as `role`
    person = viewer(role, ana)
    for post, files in world.items():
        # when they open the post's page and API answers and follow every media address in them
        answers = reached(fetch, addresses_shown(person, post))
        # then they reach every file of what they may see, each one served whole and typed ...
        expected = files if post.visibility in SEES.get(role, set()) else set()
        assert {stored_name(path) for path in answers} == expected, (role, post.visibility, post.kind)
        for path, answer in answers.items():
            assert answer == (200, TYPES[posixpath.splitext(path)[1]], "nosniff", True), path
        # ... and never the upload as received
        assert not any(stored_name(path).rsplit("/", 1)[1].startswith("source.") for path in answers)


def test_plain_forged_stale_and_escaping_addresses_are_refused(fetch, ana, world):
    # given Ana's files and a good address for one picture and one video file
    pictures = next(post for post in world if post.kind == Post.Kind.IMAGE)
    video = next(post for post in world if post.kind == Post.Kind.VIDEO).video
    image = pictures.images.first().image.name
    good = signed_url(image)
    assert fetch(good)[0] == 200
    expires, signature = good.split("/")[3:5]
    tampered = ("A" if signature[0] != "A" else "B") + signature[1:]
    other = signed_url(video.mp4).split("/")[3:5]  # valid, but for the video's folder
    stale_moment = time.time() - 2 * settings.MEDIA_URL_LIFETIME
    # nginx resolves these before matching (then the token is for another folder: 403) or does not
    # match them at all (404); Django refuses them unresolved (403)
    malformed = [
        f"/media/s/0{expires}/{signature}/{image}",  # the same expiry, written otherwise
        f"/media/s/{'/'.join(other)}/{video.folder}/../../{image}",
        f"/media/s/{'/'.join(other)}/{video.folder}/%2e%2e/%2e%2e/{image}",
        f"/media/s/{'/'.join(other)}/{video.folder}%2f..%2f..%2f{image}",
        f"/media/s/{expires}/{signature}/{image.rsplit('/', 1)[0]}/../../{video.mp4}",
    ]
    # when each forged, stale, malformed or escaping address is fetched, then it is refused
    refused = {
        **{f"/media/{name}": 404 for files in world.values() for name in files},  # the plain path
        f"/media/{video.source}": 404,
        f"/media/s/{expires}/{tampered}/{image}": 403,
        f"/media/s/{int(expires) + 1}/{signature}/{image}": 403,  # a longer life is not signed
        f"/media/s/{'/'.join(other)}/{image}": 403,  # a token for another folder
        signed_url(image, now=stale_moment): 410,
        signed_url(video.source): 404,  # the upload as received, even signed
        **dict.fromkeys(malformed, 403),
    }
    for path, status in refused.items():
        assert fetch(path)[0] in ({403, 404} if path in malformed else {status}), path


def test_addresses_handed_out_stop_working_after_turning_private_a_block_or_a_deletion(fetch, ana, settings):
    # given short-lived addresses, and three followers-only posts a follower sees
    settings.MEDIA_URL_LIFETIME = 6
    follower, blocked = viewer("follower", ana), viewer("follower", ana)
    turned_private, seen_by_blocked, deleted = (picture_post(ana, "followers") for _ in range(3))
    given = {
        "private": addresses_shown(follower, turned_private),
        "block": addresses_shown(blocked, seen_by_blocked),
        "deletion": addresses_shown(follower, deleted),
    }
    # two pictures and two tiles each (the page and the API may mint a second apart)
    assert [len({stored_name(path) for path in paths}) for paths in given.values()] == [4, 4, 4]
    # when the first turns private, Ana blocks the second's viewer, and deletes the third
    edit_post(post=turned_private, by=ana, visibility="private")
    block_user(blocker=ana, blocked=blocked)
    delete_post(post=deleted, by=ana)
    # then no new address is handed out to them
    assert addresses_shown(follower, turned_private) == set()
    assert addresses_shown(blocked, seen_by_blocked) == set()
    # and the deleted post's files are gone at once, with their folder
    assert {fetch(path)[0] for path in given["deletion"]} == {404}
    assert not any(
        name.startswith(stored_name(next(iter(given["deletion"]))).rsplit("/", 1)[0]) for name in stored_files()
    )
    assert not [path for path in Path(settings.MEDIA_ROOT, "posts").iterdir() if not any(path.iterdir())]
    # and the others' addresses work until they expire, then no longer
    assert {fetch(path)[0] for path in given["private"] | given["block"]} == {200}
    time.sleep(max(int(path.split("/")[3]) for path in given["private"] | given["block"]) - time.time() + 1.1)
    assert {fetch(path)[0] for path in given["private"] | given["block"]} == {410}


def test_the_token_is_nginx_secure_link_md5_of_expiry_folder_and_key(settings):
    # given a known key
    settings.MEDIA_SIGNING_KEY = "k3y"
    # when a folder is signed, then the token is base64url(md5("<expires><folder> <key>")), unpadded
    assert token("posts/abcdefghijklmnop", 1800000000) == "Yom2z-kOjS13v5LvxBDd-Q"  # openssl md5 -binary | base64

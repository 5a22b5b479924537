"""The JSON API of posts: each endpoint's answer, who may call it, and every bad input a 4xx
in the one error format with nothing half-written."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.fields import DateTimeField

from core import ratelimit
from core.media import signed_url
from posts import services
from posts.models import Comment, Like, Post, PostImage, Save
from tests.core.test_ratelimit import NOW, assert_limited
from tests.posts.factories import PostFactory, picture
from tests.posts.helpers import client_for, declared_png, error, not_a_picture, stored_files
from tests.users.factories import BlockFactory, FollowFactory, UserFactory
from users.services.profiles import set_avatar

NOT_FOUND = error("not_found", "No such post.")
NOT_SIGNED_IN = error("not_authenticated", "Authentication credentials were not provided.")
ZERO = {"likes_count": 0, "comments_count": 0, "reposts_count": 0, "saves_count": 0, "views_count": 0}
UNTOUCHED = {"is_liked": False, "is_saved": False, "is_reposted": False}


def _time(value) -> str:
    return DateTimeField().to_representation(value)


def _author(user) -> dict:
    return {"username": user.username, "display_name": user.profile.display_name, "avatar_small_url": None}


def _engagement(post_id, **changes) -> dict:
    return {"id": post_id, **ZERO, **UNTOUCHED, **changes}


def _rows() -> tuple[int, ...]:
    """What a refused write must not have left: posts, pictures, comments, likes, files."""
    counts = [model.objects.count() for model in (Post, PostImage, Comment, Like)]
    return (*counts, len(stored_files()))


@pytest.fixture
def as_ana(ana):
    return client_for(ana)


@pytest.fixture
def as_bob(bob):
    return client_for(bob)


@pytest.fixture
def frozen_clock(monkeypatch):
    # The rate limiter's clock, held 100 s into a window, so a limit cannot reset mid-test.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: NOW))


# --- create ------------------------------------------------------------------------------------


def test_create_a_text_post(as_ana, ana):
    # when
    response = as_ana.post("/api/posts/", {"kind": "text", "body": " Hello #World ", "visibility": "followers"})
    # then
    assert response.status_code == 201
    post = Post.objects.get()
    assert response.json() == {
        "id": post.pk,
        "kind": "text",
        "body": "Hello #World",
        "visibility": "followers",
        "author": _author(ana),
        "created_at": _time(post.created_at),
        "edited_at": None,
        **ZERO,
        **UNTOUCHED,
        "images": [],
        "repost_of": None,
        "media": None,
        "url": f"http://testserver/p/{post.pk}/",
    }
    assert list(post.hashtags.values_list("name", flat=True)) == ["world"]


def test_create_an_image_post_with_multipart(as_ana):
    # when
    response = as_ana.post(
        "/api/posts/",
        {
            "kind": "image",
            "body": "Trip",
            "images": [picture("a.jpg", size=(2000, 1000)), picture("b.png", size=(100, 300), fmt="PNG")],
            "alt_texts": ["The sea", "A tower"],
        },
        format="multipart",
    )
    # then
    assert response.status_code == 201
    rows = list(PostImage.objects.order_by("position"))
    assert response.json()["images"] == [
        {
            "url": f"http://testserver{signed_url(row.image.name)}",
            "thumbnail_url": f"http://testserver{signed_url(row.thumbnail.name)}",
            "width": width,
            "height": height,
            "alt_text": alt_text,
        }
        for row, (width, height, alt_text) in zip(rows, [(1440, 720, "The sea"), (100, 300, "A tower")], strict=True)
    ]
    assert len(stored_files()) == 4


TOO_LONG = "Posts are at most 2000 characters; this one has 2001."
UNREADABLE = "The file is not a picture we can read."


@pytest.mark.parametrize(
    ("data", "body"),
    [
        pytest.param({"kind": "text", "body": "  "}, error("empty", "Write something first.", "body"), id="empty"),
        pytest.param({"kind": "text", "body": "x" * 2001}, error("too_long", TOO_LONG, "body"), id="too-long"),
        pytest.param(
            {"kind": "image", "images": "eleven"},
            error("too_many_images", "A post has at most 10 pictures; you added 11.", "images"),
            id="too-many-images",
        ),
        pytest.param(
            {"kind": "image", "images": "document"}, error("not_an_image", UNREADABLE, "images"), id="not-an-image"
        ),
        pytest.param(
            {"kind": "image", "images": "bomb"},
            error("too_many_pixels", "The picture has too many pixels.", "images"),
            id="decompression-bomb",
        ),
        pytest.param(
            {"kind": "image", "images": "empty file"},
            {"code": "invalid", "message": "images: The submitted file is empty.", "fields": {
                "images": ["The submitted file is empty."]}},
            id="empty-file",
        ),
        pytest.param(
            {"kind": "essay", "body": "Hi"},
            error("bad_kind", "Unknown post kind 'essay'; use one of: image, text, video.", "kind"),
            id="bad-kind",
        ),
        pytest.param(
            {"kind": "text", "body": "Hi", "visibility": "world"},
            error("bad_visibility", "Choose one of: public, followers, private.", "visibility"),
            id="bad-visibility",
        ),
        pytest.param(
            {"body": "Hi"},
            {"code": "invalid", "message": "kind: This field is required.", "fields": {
                "kind": ["This field is required."]}},
            id="no-kind",
        ),
    ],
)  # fmt: skip
def test_bad_posts_are_400_and_leave_nothing(as_ana, data, body):
    # given
    uploads = {
        "eleven": lambda: [picture(f"{n}.jpg", size=(10, 10)) for n in range(11)],
        "document": lambda: [picture(), not_a_picture()],
        "bomb": lambda: [picture(), declared_png(8000)],
        "empty file": lambda: [picture(), SimpleUploadedFile("empty.jpg", b"")],
    }
    if "images" in data:
        data = {**data, "images": uploads[data["images"]]()}
    # when
    response = as_ana.post("/api/posts/", data, format="multipart")
    # then
    assert (response.status_code, response.json()) == (400, body)
    assert _rows() == (0, 0, 0, 0, 0)


def test_a_lower_pixel_limit_from_settings_refuses_ordinary_pictures(as_ana, settings):
    # given
    settings.IMAGE_MAX_PIXELS = 640 * 480 - 1
    # when
    response = as_ana.post("/api/posts/", {"kind": "image", "images": [picture(size=(640, 480))]}, format="multipart")
    # then
    assert (response.status_code, response.json()) == (
        400,
        error("too_many_pixels", "The picture has too many pixels.", "images"),
    )
    assert _rows() == (0, 0, 0, 0, 0)


def test_anonymous_cannot_post(api_client, db):
    # when
    response = api_client.post("/api/posts/", {"kind": "text", "body": "Hi"})
    # then
    assert (response.status_code, response.json()) == (401, NOT_SIGNED_IN)
    assert Post.objects.count() == 0


def test_posting_is_rate_limited(as_ana, settings, frozen_clock):
    # given
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": "2/300"}
    for n in range(2):
        assert as_ana.post("/api/posts/", {"kind": "text", "body": f"Post {n}"}).status_code == 201
    # when
    response = as_ana.post("/api/posts/", {"kind": "text", "body": "One too many"})
    # then
    assert_limited(response)
    assert Post.objects.count() == 2


# --- read, edit, delete ------------------------------------------------------------------------


def test_detail_counts_one_view_per_reader(api_client, as_bob, ana):
    # given
    post = PostFactory(author=ana)
    # when the same anonymous reader and then Bob open it
    first, again = api_client.get(f"/api/posts/{post.pk}/"), api_client.get(f"/api/posts/{post.pk}/")
    by_bob = as_bob.get(f"/api/posts/{post.pk}/")
    # then
    assert [r.status_code for r in (first, again, by_bob)] == [200, 200, 200]
    assert [r.json()["views_count"] for r in (first, again, by_bob)] == [1, 1, 2]
    post.refresh_from_db()
    assert post.views_count == 2


def test_detail_of_a_quote_nests_its_original(as_bob, ana, bob):
    # given
    original = PostFactory(author=ana, body="Original")
    services.like_post(post=original, user=bob)
    quote = services.repost(post=original, by=bob, body="Look")
    # when
    body = as_bob.get(f"/api/posts/{quote.pk}/").json()
    # then
    assert body["repost_of"] == {
        "id": original.pk,
        "kind": "text",
        "body": "Original",
        "visibility": "public",
        "author": _author(ana),
        "created_at": _time(original.created_at),
        "edited_at": None,
        **ZERO,
        "likes_count": 1,
        "reposts_count": 1,
        **UNTOUCHED,
        "is_liked": True,
        "images": [],
        "media": None,
        "url": f"http://testserver/p/{original.pk}/",
    }


@pytest.mark.parametrize("how", ["private", "hidden", "deleted", "blocked", "never existed"])
def test_a_post_one_may_not_see_is_404(as_bob, ana, bob, how):
    # given
    post = PostFactory(author=ana, visibility="private" if how == "private" else "public")
    if how == "hidden":
        services.set_hidden(post=post, hidden=True)
    post_id = post.pk + 1 if how == "never existed" else post.pk
    if how == "deleted":
        services.delete_post(post=post, by=ana)
    if how == "blocked":
        BlockFactory(blocker=ana, blocked=bob)
    # when
    response = as_bob.get(f"/api/posts/{post_id}/")
    # then
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_author_edits_a_post(as_ana, ana):
    # given
    post = PostFactory(author=ana, body="#before")
    # when
    response = as_ana.patch(f"/api/posts/{post.pk}/", {"body": "#after", "visibility": "private"}, format="json")
    # then
    assert response.status_code == 200
    post.refresh_from_db()
    body = response.json()
    assert (body["body"], body["visibility"], body["edited_at"]) == ("#after", "private", _time(post.edited_at))
    assert list(post.hashtags.values_list("name", flat=True)) == ["after"]


@pytest.mark.parametrize(
    ("who", "data", "status", "body"),
    [
        ("bob", {"body": "Mine"}, 403, error("not_author", "Only the author can edit this post.")),
        ("bob on private", {"body": "Mine"}, 404, NOT_FOUND),
        ("anonymous", {"body": "Mine"}, 401, NOT_SIGNED_IN),
        ("ana", {}, 400, {"code": "invalid", "message": "Send a new body or visibility.",
                          "fields": {"non_field_errors": ["Send a new body or visibility."]}}),
        ("ana", {"body": ""}, 400, error("empty", "Write something first.", "body")),
        ("ana", {"body": "x" * 2001}, 400, error("too_long", TOO_LONG, "body")),
        ("ana", {"visibility": "all"}, 400,
         error("bad_visibility", "Choose one of: public, followers, private.", "visibility")),
    ],
    ids=["someone-else", "someone-else-unseen", "anonymous", "nothing", "empty", "too-long", "bad-visibility"],
)  # fmt: skip
def test_refused_edits(api_client, as_ana, as_bob, ana, who, data, status, body):
    # given
    post = PostFactory(author=ana, body="Before", visibility="private" if who == "bob on private" else "public")
    client = {"ana": as_ana, "bob": as_bob, "bob on private": as_bob, "anonymous": api_client}[who]
    # when
    response = client.patch(f"/api/posts/{post.pk}/", data, format="json")
    # then
    assert (response.status_code, response.json()) == (status, body)
    post.refresh_from_db()
    assert (post.body, post.edited_at) == ("Before", None)


def test_author_deletes_a_post_and_its_pictures(as_ana, ana, django_capture_on_commit_callbacks):
    # given
    post = PostFactory(author=ana, kind="image", body="", images=[picture()])
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = as_ana.delete(f"/api/posts/{post.pk}/")
    # then
    assert response.status_code == 204
    assert _rows() == (0, 0, 0, 0, 0)


def test_others_may_not_delete_a_post(as_bob, ana):
    # given
    post = PostFactory(author=ana)
    private = PostFactory(author=ana, visibility="private")
    # when
    seen, unseen = as_bob.delete(f"/api/posts/{post.pk}/"), as_bob.delete(f"/api/posts/{private.pk}/")
    # then
    assert (seen.status_code, seen.json()) == (403, error("not_author", "Only the author can delete this post."))
    assert (unseen.status_code, unseen.json()) == (404, NOT_FOUND)
    assert Post.objects.count() == 2


# --- likes, saves, reposts, views --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "flag", "counter"), [("like", "is_liked", "likes_count"), ("save", "is_saved", "saves_count")]
)
def test_like_and_save_answer_the_fresh_state(as_bob, ana, bob, path, flag, counter):
    # given someone else already did it
    post = PostFactory(author=ana)
    services.like_post(post=post, user=ana)
    services.save_post(post=post, user=ana)
    url = f"/api/posts/{post.pk}/{path}/"
    before = {"likes_count": 1, "saves_count": 1}
    # when Bob does it twice, then undoes it twice
    done = [as_bob.post(url), as_bob.post(url)]
    undone = [as_bob.delete(url), as_bob.delete(url)]
    # then
    assert [(r.status_code, r.json()) for r in done] == [
        (200, _engagement(post.pk, **{**before, counter: 2, flag: True}))
    ] * 2
    assert [(r.status_code, r.json()) for r in undone] == [(200, _engagement(post.pk, **before))] * 2


@pytest.mark.parametrize("path", ["like", "save"])
@pytest.mark.parametrize("method", ["post", "delete"])
def test_like_and_save_of_a_deleted_or_unseen_post_are_404(as_bob, ana, path, method):
    # given
    deleted, private = PostFactory(author=ana), PostFactory(author=ana, visibility="private")
    post_ids = [deleted.pk, private.pk]
    services.delete_post(post=deleted, by=ana)
    # when
    responses = [getattr(as_bob, method)(f"/api/posts/{post_id}/{path}/") for post_id in post_ids]
    # then
    assert [(r.status_code, r.json()) for r in responses] == [(404, NOT_FOUND)] * 2
    assert (Like.objects.count(), Save.objects.count()) == (0, 0)


@pytest.mark.parametrize("path", ["like", "save", "repost"])
def test_engagement_needs_an_account(api_client, ana, path):
    # given
    post = PostFactory(author=ana)
    # when
    response = api_client.post(f"/api/posts/{post.pk}/{path}/")
    # then
    assert (response.status_code, response.json()) == (401, NOT_SIGNED_IN)


def test_repost_plain_then_again_then_undo(as_bob, ana, bob):
    # given
    original = PostFactory(author=ana, body="Share me")
    url = f"/api/posts/{original.pk}/repost/"
    # when
    first, again = as_bob.post(url), as_bob.post(url)
    # then the same plain repost comes back, sharing the original
    assert (first.status_code, again.status_code) == (201, 201)
    plain = Post.objects.get(author=bob)
    assert first.json() == again.json()
    assert (first.json()["id"], first.json()["body"]) == (plain.pk, "")
    assert (first.json()["repost_of"]["id"], first.json()["repost_of"]["is_reposted"]) == (original.pk, True)
    # and undoing it answers the original's state, on the original or on the repost
    undone = as_bob.delete(url)
    assert (undone.status_code, undone.json()) == (200, _engagement(original.pk))
    assert Post.objects.count() == 1


def test_undo_through_the_plain_repost_itself(as_bob, ana, bob):
    # given
    original = PostFactory(author=ana)
    plain = services.repost(post=original, by=bob)
    # when
    response = as_bob.delete(f"/api/posts/{plain.pk}/repost/")
    # then
    assert (response.status_code, response.json()) == (200, _engagement(original.pk))
    assert list(Post.objects.all()) == [original]


def test_quote_with_a_body(as_bob, ana):
    # given
    original = PostFactory(author=ana)
    # when
    response = as_bob.post(f"/api/posts/{original.pk}/repost/", {"body": "So true #quote"}, format="json")
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["body"], body["kind"], body["repost_of"]["id"], body["repost_of"]["reposts_count"]) == (
        "So true #quote",
        "text",
        original.pk,
        1,
    )


@pytest.mark.parametrize(
    ("setup", "data", "status", "body"),
    [
        ("followers", {}, 403, error("not_public", "Only public posts can be reposted.")),
        ("private", {}, 404, NOT_FOUND),
        ("public", {"body": "x" * 2001}, 400, error("too_long", TOO_LONG, "body")),
        ("public", {"body": "Hi", "visibility": "x"}, 400,
         error("bad_visibility", "Choose one of: public, followers, private.", "visibility")),
    ],
    ids=["followers-only", "unseen", "long-quote", "bad-visibility"],
)  # fmt: skip
def test_refused_reposts(as_bob, ana, bob, setup, data, status, body):
    # given Bob follows Ana
    FollowFactory(follower=bob, followee=ana)
    original = PostFactory(author=ana, visibility=setup)
    # when
    response = as_bob.post(f"/api/posts/{original.pk}/repost/", data, format="json")
    # then
    assert (response.status_code, response.json()) == (status, body)
    assert Post.objects.count() == 1


def test_view_counts_anonymous_readers_by_address(api_client, ana):
    # given
    post = PostFactory(author=ana)
    # when two readers at different addresses, one twice
    responses = [
        api_client.post(f"/api/posts/{post.pk}/view/", REMOTE_ADDR=address)
        for address in ("10.0.0.1", "10.0.0.1", "10.0.0.2")
    ]
    # then
    assert [r.status_code for r in responses] == [204] * 3
    post.refresh_from_db()
    assert post.views_count == 2
    private = PostFactory(author=ana, visibility="private")
    assert api_client.post(f"/api/posts/{private.pk}/view/").json() == NOT_FOUND


# --- comments ----------------------------------------------------------------------------------


def test_comment_reply_and_reply_to_a_reply(as_bob, ana, bob):
    # given
    post = PostFactory(author=ana)
    url = f"/api/posts/{post.pk}/comments/"
    # when
    root = as_bob.post(url, {"body": " First! "}, format="json")
    reply = as_bob.post(url, {"body": "Reply", "parent": root.json()["id"]}, format="json")
    nested = as_bob.post(url, {"body": "Deeper", "parent": reply.json()["id"]}, format="json")
    # then
    assert [r.status_code for r in (root, reply, nested)] == [201] * 3
    comment = Comment.objects.get(body="First!")
    assert root.json() == {
        "id": comment.pk,
        "post_id": post.pk,
        "parent_id": None,
        "body": "First!",
        "author": _author(bob),
        "created_at": _time(comment.created_at),
        "replies_count": 0,
    }
    assert (reply.json()["parent_id"], nested.json()["parent_id"]) == (comment.pk, comment.pk)


def test_comments_page_has_threads_with_their_first_replies(api_client, ana, bob):
    # given two comments, the older with four replies
    post = PostFactory(author=ana)
    older = services.add_comment(post=post, by=bob, body="Older")
    replies = [services.add_comment(post=post, by=ana, body=f"Reply {n}", parent=older) for n in range(4)]
    newer = services.add_comment(post=post, by=ana, body="Newer")
    # when anyone reads them
    body = api_client.get(f"/api/posts/{post.pk}/comments/").json()
    # then newest first, each with three replies, oldest first
    assert body["next_cursor"] is None
    assert [(c["id"], c["replies_count"], [r["id"] for r in c["replies"]]) for c in body["results"]] == [
        (newer.pk, 0, []),
        (older.pk, 4, [reply.pk for reply in replies[:3]]),
    ]
    # and the replies endpoint pages through all of them
    first = api_client.get(f"/api/posts/{post.pk}/comments/{older.pk}/replies/", {"size": 3}).json()
    rest = api_client.get(
        f"/api/posts/{post.pk}/comments/{older.pk}/replies/", {"size": 3, "cursor": first["next_cursor"]}
    ).json()
    assert [r["body"] for r in first["results"] + rest["results"]] == ["Reply 0", "Reply 1", "Reply 2", "Reply 3"]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize(
    ("case", "status", "body"),
    [
        ("empty", 400, error("empty", "Write a comment first.", "body")),
        ("too long", 400, error("too_long", "Comments are at most 200 characters; this one has 201.", "body")),
        ("no body", 400, {"code": "invalid", "message": "body: This field is required.",
                          "fields": {"body": ["This field is required."]}}),
        ("unseen post", 404, NOT_FOUND),
        ("parent elsewhere", 404, error("not_found", "No such comment.")),
        ("anonymous", 401, NOT_SIGNED_IN),
    ],
)  # fmt: skip
def test_refused_comments(api_client, as_bob, ana, case, status, body):
    # given
    post = PostFactory(author=ana, visibility="private" if case == "unseen post" else "public")
    elsewhere = services.add_comment(post=PostFactory(author=ana), by=ana, body="Elsewhere")
    data = {"empty": {"body": "  "}, "too long": {"body": "x" * 201}, "no body": {}}.get(case, {"body": "Hi"})
    if case == "parent elsewhere":
        data["parent"] = elsewhere.pk
    client = api_client if case == "anonymous" else as_bob
    # when
    response = client.post(f"/api/posts/{post.pk}/comments/", data, format="json")
    # then
    assert (response.status_code, response.json()) == (status, body)
    assert list(Comment.objects.all()) == [elsewhere]
    post.refresh_from_db()
    assert post.comments_count == 0


def test_commenting_is_rate_limited(as_bob, ana, settings, frozen_clock):
    # given
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": "3/300"}
    url = f"/api/posts/{PostFactory(author=ana).pk}/comments/"
    for n in range(3):
        assert as_bob.post(url, {"body": f"Comment {n}"}).status_code == 201
    # when
    response = as_bob.post(url, {"body": "One too many"})
    # then
    assert_limited(response)
    assert Comment.objects.count() == 3


@pytest.mark.parametrize("remover", ["comment author", "post author"])
def test_comment_author_or_post_author_delete_a_comment(as_ana, as_bob, ana, bob, remover):
    # given
    post = PostFactory(author=ana)
    comment = services.add_comment(post=post, by=bob, body="Hmm")
    client = as_bob if remover == "comment author" else as_ana
    # when
    response = client.delete(f"/api/posts/{post.pk}/comments/{comment.pk}/")
    # then
    assert response.status_code == 204
    assert Comment.objects.count() == 0


def test_others_may_not_delete_a_comment(ana, bob):
    # given
    post = PostFactory(author=ana)
    comment = services.add_comment(post=post, by=bob, body="Hmm")
    # when
    response = client_for(UserFactory()).delete(f"/api/posts/{post.pk}/comments/{comment.pk}/")
    missing = client_for(bob).delete(f"/api/posts/{post.pk}/comments/{comment.pk + 1}/")
    # then
    assert (response.status_code, response.json()) == (
        403,
        error("not_author", "Only the comment's author or the post's author can delete it."),
    )
    assert (missing.status_code, missing.json()) == (404, error("not_found", "No such comment."))
    assert Comment.objects.count() == 1


# --- feeds -------------------------------------------------------------------------------------

RECENCY = {"name": "recency", "label": "Newest first."}


@pytest.mark.parametrize(
    ("url", "ranking"),
    [
        ("/api/feeds/latest/", RECENCY),
        ("/api/feeds/trending/", {
            "name": "engagement",
            "label": "Most engaging first: likes, comments, reposts, saves and views, with newer posts weighted up.",
        }),
        ("/api/feeds/for-you/", {
            "name": "personalized",
            "label": "Picked for you from the people you follow and your interests (the recommender is not trained "
            "yet).",
        }),
        ("/api/tags/Hello/posts/", RECENCY),
        ("/api/users/ana/posts/", RECENCY),
    ],
)  # fmt: skip
def test_public_feeds_are_open_to_anonymous_readers_and_say_how_they_rank(api_client, ana, url, ranking):
    # given
    post = PostFactory(author=ana, body="#hello")
    PostFactory(author=ana, visibility="followers", body="#hello")
    # when
    response = api_client.get(url)
    # then
    assert response.status_code == 200
    body = response.json()
    assert ([item["id"] for item in body["results"]], body["next_cursor"], body["ranking"]) == (
        [post.pk],
        None,
        ranking,
    )


def test_following_feed_needs_an_account_and_shows_follows_and_self(api_client, as_bob, ana, bob):
    # given
    FollowFactory(follower=bob, followee=ana)
    posts = [PostFactory(author=ana, visibility="followers"), PostFactory(author=bob), PostFactory()]
    # when
    anonymous, signed_in = api_client.get("/api/feeds/following/"), as_bob.get("/api/feeds/following/")
    # then
    assert (anonymous.status_code, anonymous.json()) == (401, NOT_SIGNED_IN)
    assert signed_in.status_code == 200
    assert [item["id"] for item in signed_in.json()["results"]] == [posts[1].pk, posts[0].pk]
    assert signed_in.json()["ranking"] == RECENCY


@pytest.mark.parametrize("url", ["/api/feeds/for_you/", "/api/feeds/nope/", "/api/feeds/FOLLOWING/"])
def test_unknown_feed_is_404(api_client, db, url):
    # when
    response = api_client.get(url)
    # then
    assert (response.status_code, response.json()) == (404, error("not_found", "No such feed."))


@pytest.mark.parametrize("url", ["/api/feeds/latest/", "/api/tags/x/posts/", "/api/users/ana/posts/", "/api/me/saved/"])
def test_a_bad_cursor_is_400(as_ana, url):
    # when
    response = as_ana.get(url, {"cursor": "not-a-cursor"})
    # then
    assert (response.status_code, response.json()) == (
        400,
        {
            "code": "invalid_cursor",
            "message": "This cursor is not valid.",
            "fields": {"cursor": ["This cursor is not valid."]},
        },
    )


def test_feed_pages_follow_the_cursor(api_client, ana):
    # given
    posts = PostFactory.create_batch(3, author=ana)
    # when
    first = api_client.get("/api/feeds/latest/", {"size": 2}).json()
    second = api_client.get("/api/feeds/latest/", {"size": 2, "cursor": first["next_cursor"]}).json()
    # then
    assert [item["id"] for item in first["results"] + second["results"]] == [post.pk for post in reversed(posts)]
    assert second["next_cursor"] is None


def test_profile_feed_of_someone_who_blocked_me_is_404(as_bob, ana, bob):
    # given
    PostFactory(author=ana)
    BlockFactory(blocker=ana, blocked=bob)
    # when
    response = as_bob.get("/api/users/ana/posts/")
    missing = as_bob.get("/api/users/nobody/posts/")
    # then
    assert (response.status_code, response.json()) == (404, error("not_found", "No such user."))
    assert (missing.status_code, missing.json()) == (404, error("not_found", "No such user."))


def test_saved_posts_are_mine_only(api_client, as_bob, ana, bob):
    # given
    older, newer = PostFactory(author=ana), PostFactory(author=ana)
    services.save_post(post=newer, user=bob)
    services.save_post(post=older, user=bob)
    services.save_post(post=newer, user=ana)
    # when
    mine, anonymous = as_bob.get("/api/me/saved/"), api_client.get("/api/me/saved/")
    # then most recently saved first, each marked saved
    assert [(item["id"], item["is_saved"]) for item in mine.json()["results"]] == [(older.pk, True), (newer.pk, True)]
    assert (anonymous.status_code, anonymous.json()) == (401, NOT_SIGNED_IN)


def test_feed_items_carry_author_counters_and_my_flags(as_bob, ana, bob):
    # given
    post = PostFactory(author=ana, body="Hi")
    services.like_post(post=post, user=bob)
    services.add_comment(post=post, by=ana, body="Me too")
    # when
    item = as_bob.get("/api/feeds/latest/").json()["results"][0]
    # then
    assert {key: item[key] for key in ("author", "likes_count", "comments_count", "is_liked", "is_saved")} == {
        "author": _author(ana),
        "likes_count": 1,
        "comments_count": 1,
        "is_liked": True,
        "is_saved": False,
    }


def test_an_avatar_shows_as_an_absolute_url(as_bob, ana):
    # given
    set_avatar(user=ana, upload=picture())
    PostFactory(author=ana)
    ana.profile.refresh_from_db()
    # when
    item = as_bob.get("/api/feeds/latest/").json()["results"][0]
    # then
    assert item["author"]["avatar_small_url"] == f"http://testserver/media/{ana.profile.avatar_small.name}"


# --- schema ------------------------------------------------------------------------------------


def test_every_posts_endpoint_is_in_the_schema(api_client, db):
    # when
    response = api_client.get("/api/schema/", {"format": "json"})
    # then
    paths = response.json()["paths"]
    expected = {
        "/api/posts/": {"post"},
        "/api/posts/{post_id}/": {"get", "patch", "delete"},
        "/api/posts/{post_id}/like/": {"post", "delete"},
        "/api/posts/{post_id}/save/": {"post", "delete"},
        "/api/posts/{post_id}/repost/": {"post", "delete"},
        "/api/posts/{post_id}/view/": {"post"},
        "/api/posts/{post_id}/comments/": {"get", "post"},
        "/api/posts/{post_id}/comments/{comment_id}/": {"delete"},
        "/api/posts/{post_id}/comments/{comment_id}/replies/": {"get"},
        "/api/feeds/{feed}/": {"get"},
        "/api/me/saved/": {"get"},
        "/api/tags/{tag}/posts/": {"get"},
        "/api/users/{username}/posts/": {"get"},
    }
    assert {path: set(paths[path]) - {"parameters"} for path in expected} == expected
    assert paths["/api/feeds/{feed}/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FeedPage"
    }


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_comment_pages_cost_the_same_queries_for_2_and_8_threads(
    api_client, ana, bob, signed_in, django_assert_num_queries
):
    # given threads, each with two replies
    post = PostFactory(author=ana)
    client = client_for(UserFactory()) if signed_in else api_client
    # the post (pictures and a signed-in reader's flags), a visibility check, the comments, the replies
    queries = 8 if signed_in else 5
    for total in (2, 8):
        while Comment.objects.filter(parent=None).count() < total:
            root = services.add_comment(post=post, by=bob, body="Root")
            for author in (ana, bob):
                services.add_comment(post=post, by=author, body="Reply", parent=root)
        # when
        with django_assert_num_queries(queries):
            comments = client.get(f"/api/posts/{post.pk}/comments/", {"size": 100})
        with django_assert_num_queries(queries):
            replies = client.get(f"/api/posts/{post.pk}/comments/{root.pk}/replies/")
        # then
        assert [len(comments.json()["results"]), len(replies.json()["results"])] == [total, 2]

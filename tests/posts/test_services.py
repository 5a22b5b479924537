"""Writes of posts, engagement and comments: each use case, its refusals, its counters, and
that a refused write leaves nothing behind (rows or files)."""

import math

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from core.exceptions import NotFound, PermissionDenied, ValidationFailed
from posts import services
from posts.models import Comment, Hashtag, Like, Post, PostImage, Save
from posts.strategies.ranking import DECAY_SECONDS
from tests.posts.factories import picture
from tests.posts.helpers import declared_png, not_a_picture, stored_files, stored_folders
from tests.users.factories import FollowFactory, UserFactory

ORIENTATION = 0x0112  # the EXIF tag that says how a camera was held


def _error(exc_info) -> tuple[str, dict]:
    return exc_info.value.code, exc_info.value.fields


def _text_post(author, body="Hello", **kwargs) -> Post:
    return services.create_post(author=author, kind=Post.Kind.TEXT, body=body, **kwargs)


# --- create ------------------------------------------------------------------------------------


def test_text_post_links_its_hashtags_and_mentions(ana, bob, django_capture_on_commit_callbacks):
    # given an inactive account that is mentioned too
    UserFactory(username="gone", is_active=False)
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post = _text_post(ana, "  Hi #Django and #django, #Python_3 @bob @ana @gone @nobody  ")
    # then the text is trimmed, tags are distinct and lower-case, and only other active people are mentioned
    post.refresh_from_db()
    assert post.body == "Hi #Django and #django, #Python_3 @bob @ana @gone @nobody"
    assert (post.kind, post.visibility, post.edited_at, post.repost_of) == ("text", "public", None, None)
    assert sorted(post.hashtags.values_list("name", flat=True)) == ["django", "python_3"]
    assert list(post.mentions.all()) == [bob]
    # and it starts with a time-only hot score; bob (mentioned) and its followers' feeds are told after commit
    assert post.hot_score == pytest.approx(post.created_at.timestamp() / DECAY_SECONDS, abs=0.01)
    assert [callback.__name__ for callback in callbacks] == ["_notify_now", "delay"]


def test_image_post_stores_renditions_in_order_with_alt_texts(ana):
    # given a wide picture and a small one
    wide, small = picture("wide.jpg", size=(3000, 1000)), picture("small.png", size=(300, 200), fmt="PNG")
    # when
    post = services.create_post(author=ana, kind="image", body="Two", images=[wide, small], alt_texts=[" A hill ", ""])
    # then the wide one is scaled to the longest side, the small one kept, and tiles are square
    rows = list(PostImage.objects.filter(post=post))
    assert [(row.position, row.width, row.height, row.alt_text) for row in rows] == [
        (0, 1440, 480, "A hill"),
        (1, 300, 200, ""),
    ]
    with default_storage.open(rows[0].thumbnail.name) as tile:
        assert Image.open(tile).size == (480, 480)
    with default_storage.open(rows[1].image.name) as image:
        assert (Image.open(image).format, Image.open(image).size) == ("WEBP", (300, 200))
    assert len(stored_files()) == 4


def test_image_orientation_is_applied_and_metadata_dropped(ana):
    # given a landscape photo taken with the camera turned (EXIF orientation 6: rotate 90°)
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "CameraMaker"
    # when
    post = services.create_post(author=ana, kind="image", images=[picture(size=(640, 480), exif=exif.tobytes())])
    # then it is stored upright, and the stored file carries no EXIF
    row = post.images.get()
    assert (row.width, row.height) == (480, 640)
    with default_storage.open(row.image.name) as stored:
        image = Image.open(stored)
        assert image.size == (480, 640)
        assert dict(image.getexif()) == {}


TOO_LONG = "Posts are at most 2000 characters; this one has 2001."
UNREADABLE = "The file is not a picture we can read."


@pytest.mark.parametrize(
    ("kwargs", "field", "code", "message"),
    [
        pytest.param({"kind": "text", "body": "   "}, "body", "empty", "Write something first.", id="empty"),
        pytest.param({"kind": "text", "body": "x" * 2001}, "body", "too_long", TOO_LONG, id="too-long"),
        pytest.param(
            {"kind": "poem", "body": "Hi"},
            "kind",
            "bad_kind",
            "Unknown post kind 'poem'; use one of: image, text, video.",
            id="bad-kind",
        ),
        pytest.param(
            {"kind": "text", "body": "Hi", "visibility": "friends"}, "visibility", "bad_visibility",
            "Choose one of: public, followers, private.", id="bad-visibility",
        ),
        pytest.param(
            {"kind": "text", "body": "Hi", "images": "one"}, "images", "invalid",
            "A text post has no pictures; choose the picture kind.", id="text-with-pictures",
        ),
        pytest.param({"kind": "image", "body": "Hi"}, "images", "no_images", "Add at least one picture.", id="none"),
        pytest.param(
            {"kind": "image", "images": "eleven"}, "images", "too_many_images",
            "A post has at most 10 pictures; you added 11.", id="eleven-pictures",
        ),
        pytest.param({"kind": "image", "images": "document"}, "images", "not_an_image", UNREADABLE, id="document"),
        pytest.param(
            {"kind": "image", "images": "bomb"}, "images", "too_many_pixels", "The picture has too many pixels.",
            id="8000x8000",
        ),
        pytest.param(
            {"kind": "image", "images": "giant bomb"}, "images", "too_many_pixels", "The picture has too many pixels.",
            id="10^10px",
        ),
        pytest.param({"kind": "image", "images": "one", "body": "x" * 2001}, "body", "too_long", TOO_LONG, id="long"),
    ],
)  # fmt: skip
def test_bad_posts_are_refused_before_anything_is_written(ana, kwargs, field, code, message):
    # given
    uploads = {
        "one": lambda: [picture()],
        "eleven": lambda: [picture(f"{n}.jpg", size=(20, 20)) for n in range(11)],
        "document": lambda: [picture(), not_a_picture()],
        "bomb": lambda: [picture(), declared_png(8000)],  # 64 million pixels, over IMAGE_MAX_PIXELS
        "giant bomb": lambda: [declared_png(100_000)],  # over Pillow's own bomb limit
    }
    if "images" in kwargs:
        kwargs = {**kwargs, "images": uploads[kwargs["images"]]()}
    # when
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_post(author=ana, **kwargs)
    # then
    assert _error(exc_info) == (code, {field: [message]})
    assert (Post.objects.count(), PostImage.objects.count(), Hashtag.objects.count()) == (0, 0, 0)
    assert stored_files() == []


def test_limits_come_from_settings(ana, settings):
    # given
    settings.POST_MAX_LENGTH, settings.POST_MAX_IMAGES, settings.IMAGE_MAX_PIXELS = 5, 1, 100
    # when / then
    with pytest.raises(ValidationFailed) as too_long:
        _text_post(ana, "123456")
    with pytest.raises(ValidationFailed) as too_many:
        services.create_post(author=ana, kind="image", images=[picture(size=(5, 5)), picture(size=(5, 5))])
    with pytest.raises(ValidationFailed) as too_big:
        services.create_post(author=ana, kind="image", images=[picture(size=(11, 10))])
    assert [_error(e)[0] for e in (too_long, too_many, too_big)] == ["too_long", "too_many_images", "too_many_pixels"]
    assert _text_post(ana, "12345").body == "12345"
    assert Post.objects.count() == 1


def test_a_write_that_fails_after_storing_pictures_removes_them(ana, monkeypatch):
    # given linking the text fails after the pictures were stored
    def broken(post):
        assert len(stored_files()) == 2
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_link_text", broken)
    # when
    with pytest.raises(RuntimeError):
        services.create_post(author=ana, kind="image", images=[picture()])
    # then nothing is left
    assert (Post.objects.count(), PostImage.objects.count()) == (0, 0)
    assert stored_files() == []


# --- edit and delete ---------------------------------------------------------------------------


def test_edit_marks_edited_and_relinks_hashtags_and_mentions(ana, bob):
    # given
    post = _text_post(ana, "#old news for @bob")
    # when
    services.edit_post(post=post, by=ana, body=" #new and #fresh ", visibility="followers")
    # then
    post.refresh_from_db()
    assert (post.body, post.visibility) == ("#new and #fresh", "followers")
    assert post.edited_at is not None
    assert sorted(post.hashtags.values_list("name", flat=True)) == ["fresh", "new"]
    assert post.mentions.count() == 0


def test_edit_of_the_visibility_alone_keeps_the_text(ana):
    # given
    post = _text_post(ana, "#kept")
    # when
    services.edit_post(post=post, by=ana, visibility="private")
    # then
    post.refresh_from_db()
    assert (post.body, post.visibility, list(post.hashtags.values_list("name", flat=True))) == (
        "#kept",
        "private",
        ["kept"],
    )


@pytest.mark.parametrize(
    ("editor", "changes", "error", "code"),
    [
        ("ana", {"body": ""}, ValidationFailed, "empty"),
        ("ana", {"body": "Fine", "visibility": "everyone"}, ValidationFailed, "bad_visibility"),
        ("bob", {"body": "Mine now"}, PermissionDenied, "not_author"),
    ],
    ids=["empty", "bad-visibility", "not-the-author"],
)
def test_refused_edits_change_nothing(ana, bob, editor, changes, error, code):
    # given
    post = _text_post(ana, "Original #tag")
    # when
    with pytest.raises(error) as exc_info:
        services.edit_post(post=post, by={"ana": ana, "bob": bob}[editor], **changes)
    # then
    assert exc_info.value.code == code
    post.refresh_from_db()
    assert (post.body, post.visibility, post.edited_at) == ("Original #tag", "public", None)
    assert list(post.hashtags.values_list("name", flat=True)) == ["tag"]


def test_delete_takes_plain_reposts_likes_and_comments_but_leaves_quotes(ana, bob):
    # given a post with a plain repost, a quote, a like and a comment
    original = _text_post(ana, "Original")
    plain = services.repost(post=original, by=bob)
    quote = services.repost(post=original, by=bob, body="Look at this")
    services.like_post(post=original, user=bob)
    services.add_comment(post=original, by=bob, body="Nice")
    # when
    services.delete_post(post=original, by=ana)
    # then the quote stands alone
    assert list(Post.objects.values_list("pk", flat=True)) == [quote.pk]
    quote.refresh_from_db()
    assert (quote.repost_of, quote.body) == (None, "Look at this")
    assert (Like.objects.count(), Comment.objects.count()) == (0, 0)
    assert not Post.objects.filter(pk=plain.pk).exists()


def test_deleting_a_repost_lowers_the_originals_count(ana, bob):
    # given
    original = _text_post(ana)
    quote = services.repost(post=original, by=bob, body="Quote")
    services.repost(post=original, by=bob)
    # when
    services.delete_post(post=quote, by=bob)
    # then
    original.refresh_from_db()
    assert original.reposts_count == 1


def test_delete_removes_the_pictures_after_commit(ana, django_capture_on_commit_callbacks):
    # given
    post = services.create_post(author=ana, kind="image", images=[picture(), picture()])
    assert len(stored_files()) == 4
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_post(post=post, by=ana)
    # then
    assert (stored_files(), stored_folders()) == ([], ["posts"])
    assert (Post.objects.count(), PostImage.objects.count()) == (0, 0)


def test_only_the_author_or_staff_delete_a_post(ana, bob):
    # given
    post, other = _text_post(ana), _text_post(ana)
    moderator = UserFactory(is_staff=True)
    # when / then
    with pytest.raises(PermissionDenied):
        services.delete_post(post=post, by=bob)
    services.delete_post(post=other, by=moderator)
    assert list(Post.objects.values_list("pk", flat=True)) == [post.pk]


# --- likes and saves ---------------------------------------------------------------------------

TOGGLES = [
    (services.like_post, services.unlike_post, Like, "likes_count"),
    (services.save_post, services.unsave_post, Save, "saves_count"),
]


@pytest.mark.parametrize(("do", "undo", "model", "counter"), TOGGLES, ids=["like", "save"])
def test_toggles_are_idempotent_and_counted_once(ana, bob, do, undo, model, counter):
    # given
    post = _text_post(ana)
    # when / then doing it twice counts once
    assert (do(post=post, user=bob), do(post=post, user=bob)) == (True, False)
    post.refresh_from_db()
    assert (getattr(post, counter), model.objects.filter(post=post, user=bob).count()) == (1, 1)
    # and undoing it twice takes it back once
    assert (undo(post=post, user=bob), undo(post=post, user=bob)) == (True, False)
    post.refresh_from_db()
    assert (getattr(post, counter), model.objects.count()) == (0, 0)


@pytest.mark.parametrize(("do", "undo", "model", "counter"), TOGGLES, ids=["like", "save"])
def test_only_a_real_change_tells_open_pages(ana, bob, do, undo, model, counter, django_capture_on_commit_callbacks):
    # given
    post = _text_post(ana)
    # when
    with django_capture_on_commit_callbacks(execute=False) as first:
        do(post=post, user=bob)
    with django_capture_on_commit_callbacks(execute=False) as again:
        do(post=post, user=bob)
    # then (a like also tells the post's author)
    assert (len(first), len(again)) == (2 if counter == "likes_count" else 1, 0)


@pytest.mark.parametrize(("do", "undo", "model", "counter"), TOGGLES, ids=["like", "save"])
def test_toggles_on_a_post_one_cannot_see_or_a_deleted_one_are_not_found(ana, bob, do, undo, model, counter):
    # given a private post and a deleted one
    private = _text_post(ana, visibility="private")
    deleted = _text_post(ana)
    services.delete_post(post=deleted, by=ana)
    # when / then
    for post in (private, deleted):
        with pytest.raises(NotFound):
            do(post=post, user=bob)
    assert model.objects.count() == 0


def test_hot_score_rises_with_engagement_weighted_by_kind(ana, bob):
    # given
    post = _text_post(ana)
    base = post.created_at.timestamp() / DECAY_SECONDS
    # when a like (2 points), then a comment (3), then a repost (4) arrive
    scores = []
    for engage in (
        lambda: services.like_post(post=post, user=bob),
        lambda: services.add_comment(post=post, by=bob, body="Hi"),
        lambda: services.repost(post=post, by=bob),
    ):
        engage()
        post.refresh_from_db()
        scores.append(post.hot_score - base)
    # then the score is log10 of the weighted engagement on top of the time
    assert scores == pytest.approx([math.log10(2), math.log10(5), math.log10(9)], abs=1e-6)


# --- reposts -----------------------------------------------------------------------------------


def test_a_plain_repost_happens_once_per_person_and_quotes_are_many(ana, bob):
    # given
    original = _text_post(ana)
    # when
    first, again = services.repost(post=original, by=bob), services.repost(post=original, by=bob)
    quotes = [services.repost(post=original, by=bob, body=f"Quote {n}") for n in range(2)]
    # then
    assert first.pk == again.pk
    assert (first.repost_of, first.body, first.is_plain_repost) == (original, "", True)
    assert [(quote.repost_of, quote.is_plain_repost) for quote in quotes] == [(original, False)] * 2
    original.refresh_from_db()
    assert original.reposts_count == 3


def test_reposting_a_plain_repost_shares_the_original(ana, bob):
    # given
    original = _text_post(ana)
    plain = services.repost(post=original, by=bob)
    # when
    shared = services.repost(post=plain, by=UserFactory())
    # then
    assert shared.repost_of == original
    original.refresh_from_db()
    assert original.reposts_count == 2


def test_only_public_posts_can_be_reposted(ana, bob):
    # given Bob follows Ana and sees her followers-only post
    FollowFactory(follower=bob, followee=ana)
    post = _text_post(ana, visibility="followers")
    # when
    with pytest.raises(PermissionDenied) as exc_info:
        services.repost(post=post, by=bob)
    # then
    assert exc_info.value.code == "not_public"
    assert Post.objects.count() == 1


def test_undo_repost_removes_only_the_plain_repost(ana, bob):
    # given
    original = _text_post(ana)
    services.repost(post=original, by=bob)
    quote = services.repost(post=original, by=bob, body="Quote")
    # when / then
    assert (services.undo_repost(post=original, by=bob), services.undo_repost(post=original, by=bob)) == (True, False)
    assert set(Post.objects.values_list("pk", flat=True)) == {original.pk, quote.pk}
    original.refresh_from_db()
    assert original.reposts_count == 1


# --- comments ----------------------------------------------------------------------------------


def test_a_reply_to_a_reply_joins_the_root_thread(ana, bob):
    # given
    post = _text_post(ana)
    root = services.add_comment(post=post, by=bob, body="  First  ")
    reply = services.add_comment(post=post, by=ana, body="Reply", parent=root)
    # when
    nested = services.add_comment(post=post, by=bob, body="Reply to the reply", parent=reply)
    # then
    assert (root.body, root.parent, reply.parent, nested.parent) == ("First", None, root, root)
    root.refresh_from_db()
    post.refresh_from_db()
    assert (root.replies_count, post.comments_count) == (2, 3)


def test_comment_length_comes_from_settings(ana, bob, settings):
    # given
    settings.COMMENT_MAX_LENGTH = 10
    post = _text_post(ana)
    # when
    with pytest.raises(ValidationFailed) as exc_info:
        services.add_comment(post=post, by=bob, body="x" * 11)
    # then
    message = "Comments are at most 10 characters; this one has 11."
    assert _error(exc_info) == ("too_long", {"body": [message]})
    assert services.add_comment(post=post, by=bob, body="x" * 10).body == "x" * 10
    assert Comment.objects.count() == 1


def test_default_comment_limit_is_200(ana, bob):
    # given
    post = _text_post(ana)
    # when / then
    assert services.add_comment(post=post, by=bob, body="x" * 200).pk
    with pytest.raises(ValidationFailed):
        services.add_comment(post=post, by=bob, body="x" * 201)


def test_refused_comments_write_nothing(ana, bob):
    # given a post Bob may not see, and a comment on another post
    private = _text_post(ana, visibility="private")
    post, elsewhere = _text_post(ana), _text_post(ana)
    other_comment = services.add_comment(post=elsewhere, by=ana, body="Elsewhere")
    # when / then
    with pytest.raises(ValidationFailed) as empty:
        services.add_comment(post=post, by=bob, body=" \n ")
    with pytest.raises(NotFound):
        services.add_comment(post=private, by=bob, body="Hello")
    with pytest.raises(NotFound) as wrong_thread:
        services.add_comment(post=post, by=bob, body="Hello", parent=other_comment)
    assert _error(empty) == ("empty", {"body": ["Write a comment first."]})
    assert wrong_thread.value.message == "No such comment on this post."
    assert Comment.objects.count() == 1
    post.refresh_from_db()
    assert post.comments_count == 0


@pytest.mark.parametrize("remover", ["comment author", "post author"])
def test_comment_author_or_post_author_delete_a_thread(ana, bob, remover):
    # given Bob's comment on Ana's post with two replies
    post = _text_post(ana)
    root = services.add_comment(post=post, by=bob, body="Root")
    for body in ("One", "Two"):
        services.add_comment(post=post, by=ana, body=body, parent=root)
    # when
    services.delete_comment(comment=root, by=bob if remover == "comment author" else ana)
    # then the replies go too
    assert Comment.objects.count() == 0
    post.refresh_from_db()
    assert post.comments_count == 0


def test_deleting_a_reply_lowers_its_threads_count(ana, bob):
    # given
    post = _text_post(ana)
    root = services.add_comment(post=post, by=bob, body="Root")
    reply = services.add_comment(post=post, by=bob, body="Reply", parent=root)
    # when
    services.delete_comment(comment=reply, by=bob)
    # then
    root.refresh_from_db()
    post.refresh_from_db()
    assert (root.replies_count, post.comments_count) == (0, 1)


def test_others_may_not_delete_a_comment(ana, bob):
    # given
    comment = services.add_comment(post=_text_post(ana), by=bob, body="Mine")
    # when
    with pytest.raises(PermissionDenied) as exc_info:
        services.delete_comment(comment=comment, by=UserFactory())
    # then
    assert exc_info.value.code == "not_author"
    assert Comment.objects.count() == 1


# --- views and moderation ----------------------------------------------------------------------


def test_a_view_counts_once_per_viewer_in_the_window(ana):
    # given
    post = _text_post(ana)
    # when
    outcomes = [services.record_view(post=post, viewer_key=key) for key in ("user:1", "user:1", "ip:10.0.0.1")]
    # then
    assert outcomes == [True, False, True]
    post.refresh_from_db()
    assert post.views_count == 2


def test_hidden_posts_are_seen_by_their_author_only(ana, bob):
    # given
    post = _text_post(ana)
    # when
    services.set_hidden(post=post, hidden=True)
    # then
    assert list(Post.objects.visible_to(ana)) == [post]
    assert list(Post.objects.visible_to(bob)) == []
    assert list(Post.objects.visible_to(None)) == []
    # and showing it again restores it
    services.set_hidden(post=post, hidden=False)
    assert list(Post.objects.visible_to(bob)) == [post]

"""The server-rendered pages of posts: feeds and their tabs, the card every post is shown in,
the composer, a post with its comments, the no-JavaScript toggles, profiles, hashtags and
saved posts; empty states, refusals (400/403/404 with nothing written) and query counts."""

import pytest
from django.urls import reverse

from core.media import signed_url
from posts import services
from posts.models import Comment, Like, Post, Save
from tests.posts.factories import PostFactory, picture
from tests.posts.helpers import not_a_picture, stored_files, viewer_of_kind
from tests.users.factories import BlockFactory, FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


def counter(name: str, value: int) -> str:
    return f'<span data-counter="{name}">{value}</span>'


def card_of(html: str, post: Post) -> str:
    """The HTML of the card whose root is `post`'s (from its <article> to the next one)."""
    start = html.index(f'id="post-{post.pk}"')
    end = html.find("<article", start)
    return html[start : end if end != -1 else len(html)]


def field_error(field: str, message: str) -> str:
    return f'<div class="invalid-feedback d-block" id="id_{field}_error">{message}</div>'


@pytest.fixture
def logged_in(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


# --- Home and feeds -------------------------------------------------------------------------------


def test_visitors_get_latest_with_an_invitation(client, bob):
    # given
    PostFactory(author=bob, body="Hello #green world")
    PostFactory(author=bob, body="Only for friends", visibility=Post.Visibility.FOLLOWERS)
    # when
    response = client.get(reverse("home"))
    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert "Create your account" in content
    assert 'Hello <a href="/tags/green/">#green</a> world' in content
    assert "Only for friends" not in content
    assert '<a class="nav-link active" aria-current="page" href="/feed/latest/">Latest</a>' in content
    assert "Newest first." in content
    assert "data-composer" not in content
    assert "js/posts/live-posts.js" not in content


def test_members_get_following_with_the_composer_suggestions_and_trending_tags(logged_in, ana, bob, carol):
    # given
    FollowFactory(follower=ana, followee=bob)
    PostFactory(author=bob, body="News from Bob #garden")
    PostFactory(author=carol, body="News from Carol")
    client = logged_in(ana)
    # when
    response = client.get(reverse("home"))
    # then
    content = response.content.decode()
    assert "News from Bob" in content
    assert "News from Carol" not in content
    assert "<title>Home · Short Media</title>" in content
    assert '<a class="nav-link active" aria-current="page" href="/feed/following/">Following</a>' in content
    assert 'action="/compose/"' in content
    assert "People to follow" in content
    assert f'action="{reverse("users:follow", args=["carol"])}"' in content
    assert '<a href="/tags/garden/">#garden</a> <span class="text-body-secondary small">1 post</span>' in content
    banner = '<div class="new-posts-banner" data-new-posts-banner data-catch-up-url="/api/feeds/following/" hidden>'
    assert banner in content
    assert '<script type="module" src="/static/js/posts/live-posts.js"></script>' in content


@pytest.mark.parametrize(
    ("slug", "label"),
    [
        ("following", "Newest first."),
        ("latest", "Newest first."),
        ("trending", "Most engaging first: likes, comments, reposts, saves and views, with newer posts weighted up."),
        (
            "for-you",
            "Picked for you from the people you follow and your interests (the recommender is not trained yet).",
        ),
    ],
)
def test_each_feed_tab_says_how_it_is_ranked(logged_in, ana, slug, label):
    # when
    response = logged_in(ana).get(reverse("posts:feed", args=[slug]))
    # then
    assert response.status_code == 200
    assert f'<p class="ranking-label"><i class="bi bi-sort-down me-1" aria-hidden="true"></i>{label}</p>' in (
        response.content.decode()
    )
    assert f'active" aria-current="page" href="/feed/{slug}/"' in response.content.decode()


def test_following_asks_visitors_to_log_in_and_unknown_feeds_are_404(client):
    # when
    following = client.get(reverse("posts:feed", args=["following"]))
    unknown = client.get(reverse("posts:feed", args=["popular"]))
    # then
    assert following.status_code == 302
    assert following["Location"] == f"{reverse('users:login')}?next=/feed/following/"
    assert unknown.status_code == 404


def test_feeds_page_with_a_cursor_and_scroll_on(client, bob):
    # given
    posts = [PostFactory(author=bob, body=f"Note {index}") for index in range(25)]
    # when
    first = client.get(reverse("posts:feed", args=["latest"]))
    second = client.get(first.context["next_page_url"])
    # then
    assert [post.pk for post in first.context["page"].items] == [post.pk for post in reversed(posts[5:])]
    assert [post.pk for post in second.context["page"].items] == [post.pk for post in reversed(posts[:5])]
    assert first.context["next_page_url"].startswith("/feed/latest/?cursor=")
    assert 'data-load-more="#post-list"' in first.content.decode()
    assert "<div data-infinite-scroll>" in first.content.decode()
    assert "data-load-more=" not in second.content.decode()


@pytest.mark.parametrize(
    ("slug", "text"),
    [
        ("following", "Nothing here yet. Follow people to see their posts, or write your first one above."),
        ("latest", "No posts to show yet. Be the first to share something!"),
    ],
)
def test_empty_feeds_offer_a_way_on(logged_in, ana, slug, text):
    # when
    response = logged_in(ana).get(reverse("posts:feed", args=[slug]))
    # then
    assert f'<p class="mt-2 mb-3">{text}</p>' in response.content.decode()


# --- The post card ---------------------------------------------------------------------------------


def test_a_card_shows_author_time_visibility_text_counters_and_my_state(logged_in, ana, bob):
    # given a followers-only post of Bob's, liked and saved by Ana, edited
    FollowFactory(follower=ana, followee=bob)
    post = PostFactory(author=bob, body="<b>Hi</b> @ana, see #trees", visibility=Post.Visibility.FOLLOWERS)
    services.like_post(post=post, user=ana)
    services.save_post(post=post, user=ana)
    services.edit_post(post=post, by=bob, body="<b>Hi</b> @ana, see #trees")
    # when
    card = card_of(logged_in(ana).get(reverse("home")).content.decode(), post)
    # then
    assert card.startswith(f'id="post-{post.pk}" aria-labelledby="post-{post.pk}-by"')
    assert f'<a class="post-author" id="post-{post.pk}-by" href="/u/bob/">' in card
    assert '&lt;b&gt;Hi&lt;/b&gt; <a href="/u/ana/">@ana</a>, see <a href="/tags/trees/">#trees</a>' in card
    assert "edited</span>" in card
    assert '<span class="visually-hidden">Visible to: Followers only</span>' in card
    assert '<span class="visually-hidden">Reposts (only public posts can be reposted)</span>' in card
    for name, value in [("likes_count", 1), ("saves_count", 1), ("comments_count", 0), ("views_count", 0)]:
        assert counter(name, value) in card
    assert card.count('aria-pressed="true"') == 2
    assert 'class="btn btn-action action-like" aria-pressed="true"' in card
    assert 'class="btn btn-action action-save" aria-pressed="true"' in card
    assert f'data-api="/api/posts/{post.pk}/like/"' in card


def test_a_plain_repost_shows_who_reposted_and_the_original_with_its_counters(logged_in, ana, bob, carol):
    # given
    original = PostFactory(author=carol, body="Carol's original")
    services.like_post(post=original, user=bob)
    shared = services.repost(post=original, by=bob)
    FollowFactory(follower=ana, followee=bob)
    # when
    card = card_of(logged_in(ana).get(reverse("home")).content.decode(), shared)
    # then
    assert f'<article class="post-card card" data-post-id="{original.pk}" id="post-{shared.pk}"' in (
        logged_in(ana).get(reverse("home")).content.decode()
    )
    assert '<a href="/u/bob/">' in card and "</a> reposted</p>" in card
    assert "Carol&#x27;s original" in card
    assert counter("likes_count", 1) in card
    assert counter("reposts_count", 1) in card


def test_a_quote_embeds_its_original_or_says_it_is_gone(logged_in, ana, bob, carol):
    # given two quotes; the second one's original is hidden by a moderator
    shown = PostFactory(author=carol, body="Shown original")
    hidden = PostFactory(author=carol, body="Hidden original")
    quote_shown = services.repost(post=shown, by=bob, body="Look at this")
    quote_hidden = services.repost(post=hidden, by=bob, body="And this")
    services.set_hidden(post=hidden, hidden=True)
    # when
    content = logged_in(ana).get(reverse("posts:feed", args=["latest"])).content.decode()
    # then
    assert f'<a class="quoted-post" href="/p/{shown.pk}/"' in card_of(content, quote_shown)
    assert "Shown original" in card_of(content, quote_shown)
    assert "The original post was removed or is not visible to you." in card_of(content, quote_hidden)
    assert "Hidden original" not in content


def test_pictures_are_lazy_sized_and_described(client, bob):
    # given
    one = services.create_post(
        author=bob, kind=Post.Kind.IMAGE, images=[picture(size=(800, 600))], alt_texts=["A green field"]
    )
    two = services.create_post(
        author=bob, kind=Post.Kind.IMAGE, images=[picture(), picture(color="white")], alt_texts=["", "Snow"]
    )
    # when
    content = client.get(reverse("posts:feed", args=["latest"])).content.decode()
    # then
    single = one.images.get()
    first, second = two.images.all()
    assert (
        f'<img src="{signed_url(single.image.name)}" width="800" height="600" loading="lazy" decoding="async"\n'
        f'               alt="A green field">'
    ) in content
    assert '<div class="post-images count-2">' in card_of(content, two)
    assert f'<img src="{signed_url(first.thumbnail.name)}" width="480" height="480" loading="lazy"' in content
    assert 'alt="Picture 1 of 2 posted by @bob">' in content
    assert 'alt="Snow">' in content
    assert second.alt_text == "Snow"


def test_visitors_get_log_in_links_instead_of_buttons(client, bob):
    # given
    post = PostFactory(author=bob, body="Hello")
    # when
    card = card_of(client.get(reverse("home")).content.decode(), post)
    # then
    assert "<form" not in card
    assert '<a class="btn btn-action" href="/login/?next=/">' in card
    assert '<span class="visually-hidden">Log in to like</span>' in card


# --- Composer ----------------------------------------------------------------------------------------


def test_compose_a_text_post_and_go_back(logged_in, ana):
    # when
    response = logged_in(ana).post(
        reverse("posts:compose"),
        {"kind": "text", "body": "My first post #hello", "visibility": "followers", "next": "/feed/latest/"},
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == "/feed/latest/"
    post = Post.objects.get()
    assert (post.author, post.kind, post.body, post.visibility) == (ana, "text", "My first post #hello", "followers")
    assert list(post.hashtags.values_list("name", flat=True)) == ["hello"]


def test_compose_a_picture_post_with_descriptions(logged_in, ana):
    # when
    response = logged_in(ana).post(
        reverse("posts:compose"),
        {
            "kind": "image",
            "body": "Two views",
            "visibility": "public",
            "images": [picture("a.jpg"), picture("b.png", fmt="PNG")],
            "alt_texts": "The hill\nThe lake",
        },
    )
    # then
    assert response["Location"] == reverse("home")
    post = Post.objects.get()
    assert post.kind == "image"
    assert list(post.images.values_list("position", "alt_text")) == [(0, "The hill"), (1, "The lake")]


def test_pictures_left_behind_on_the_text_tab_are_not_sent(logged_in, ana):
    # when
    logged_in(ana).post(reverse("posts:compose"), {"kind": "text", "body": "Just words", "images": [picture()]})
    # then
    post = Post.objects.get()
    assert (post.kind, post.images.count()) == ("text", 0)
    assert stored_files() == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "text", "body": "   "}, "body", "Write something first."),
        ({"kind": "text", "body": "x" * 2001}, "body", "Posts are at most 2000 characters; this one has 2001."),
        ({"kind": "image", "body": "no pictures"}, "images", "Add at least one picture."),
        (
            {"kind": "text", "body": "hi", "visibility": "friends"},
            "visibility",
            "Choose one of: public, followers, private.",
        ),
    ],
)
def test_a_bad_post_is_a_400_with_the_error_on_the_form_and_nothing_written(logged_in, ana, data, field, message):
    # when
    response = logged_in(ana).post(reverse("posts:compose"), {"visibility": "public", **data})
    # then
    assert response.status_code == 400
    assert field_error(field, message) in response.content.decode()
    assert Post.objects.count() == 0


def test_too_many_or_wrong_files_are_refused_before_anything_is_stored(logged_in, ana, settings):
    # given
    settings.POST_MAX_IMAGES = 2
    client = logged_in(ana)
    # when
    too_many = client.post(
        reverse("posts:compose"), {"kind": "image", "visibility": "public", "images": [picture(), picture(), picture()]}
    )
    not_one = client.post(
        reverse("posts:compose"), {"kind": "image", "visibility": "public", "images": [not_a_picture()]}
    )
    # then
    assert too_many.status_code == 400
    assert field_error("images", "A post has at most 2 pictures; you added 3.") in too_many.content.decode()
    assert not_one.status_code == 400
    assert 'id="id_images_error"' in not_one.content.decode()
    assert Post.objects.count() == 0
    assert stored_files() == []


def test_the_compose_page_takes_a_starting_text_and_needs_login(client, ana):
    # when
    anonymous = client.post(reverse("posts:compose"), {"kind": "text", "body": "hi"})
    client.force_login(ana)
    page = client.get(reverse("posts:compose"), {"body": "#jazz "})
    # then
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"{reverse('users:login')}?next=/compose/"
    assert ">\n#jazz </textarea>" in page.content.decode()
    assert Post.objects.count() == 0


# --- A post and its comments ---------------------------------------------------------------------


def test_a_post_page_shows_threads_with_more_replies_and_counts_a_view(logged_in, ana, bob, carol):
    # given a comment with five replies and another comment
    post = PostFactory(author=bob, body="Thread me")
    first = services.add_comment(post=post, by=ana, body="First!")
    for index in range(5):
        services.add_comment(post=post, by=carol, body=f"Reply {index}", parent=first)
    services.add_comment(post=post, by=carol, body="Second")
    client = logged_in(ana)
    # when
    response = client.get(reverse("posts:detail", args=[post.pk]))
    again = client.get(reverse("posts:detail", args=[post.pk]))
    # then
    content = response.content.decode()
    assert [comment.body for comment in response.context["page"].items] == ["Second", "First!"]
    assert [reply.body for reply in response.context["page"].items[1].shown_replies] == [
        "Reply 0",
        "Reply 1",
        "Reply 2",
    ]
    assert "Reply 3" not in content
    assert f'href="/p/{post.pk}/comments/{first.pk}/replies/" data-load-more="#replies-{first.pk}"' in content
    assert "More replies (5 in all)" in content
    assert f'<article class="post-card card" data-post-id="{post.pk}"' in content
    assert counter("comments_count", 7) in content
    assert counter("views_count", 1) in content
    assert counter("views_count", 1) in again.content.decode()  # once per viewer per hour
    assert Post.objects.get(pk=post.pk).views_count == 1
    assert f'<form method="post" action="/p/{post.pk}/comments/" class="comment-form mb-4" novalidate>' in content


def test_visitors_are_counted_by_address_and_asked_to_log_in_to_comment(client, bob):
    # given
    post = PostFactory(author=bob, body="Hello")
    # when
    first = client.get(reverse("posts:detail", args=[post.pk]), REMOTE_ADDR="10.0.0.1")
    client.get(reverse("posts:detail", args=[post.pk]), REMOTE_ADDR="10.0.0.1")
    client.get(reverse("posts:detail", args=[post.pk]), REMOTE_ADDR="10.0.0.2")
    # then
    assert "Log in to comment" in first.content.decode()
    assert "No comments yet." in first.content.decode()
    assert Post.objects.get(pk=post.pk).views_count == 2


def test_a_plain_repost_opens_its_original(client, bob, carol):
    # given
    original = PostFactory(author=carol)
    shared = services.repost(post=original, by=bob)
    # when
    response = client.get(reverse("posts:detail", args=[shared.pk]))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("posts:detail", args=[original.pk])


@pytest.mark.parametrize(
    ("kind", "visibility"),
    [
        ("anonymous", "followers"),
        ("stranger", "followers"),
        ("follower", "private"),
        ("blocked", "public"),
        ("blocker", "public"),
    ],
)
def test_a_post_the_viewer_may_not_see_is_404_everywhere(client, bob, kind, visibility):
    # given
    post = PostFactory(author=bob, body="Not for you", visibility=visibility)
    viewer = viewer_of_kind(kind, bob)
    if kind != "anonymous":
        client.force_login(viewer)
    comment = services.add_comment(post=post, by=bob, body="mine")
    # when
    responses = [
        client.get(reverse("posts:detail", args=[post.pk])),
        client.get(reverse("posts:replies", args=[post.pk, comment.pk])),
    ]
    if kind != "anonymous":
        responses += [
            client.post(reverse(name, args=[post.pk]))
            for name in ("posts:like", "posts:save", "posts:repost", "posts:comment", "posts:edit", "posts:delete")
        ]
        responses.append(client.post(reverse("posts:delete_comment", args=[post.pk, comment.pk])))
    # then
    assert {response.status_code for response in responses} == {404}
    assert b"Not for you" not in b"".join(response.content for response in responses)
    assert (Like.objects.count(), Save.objects.count(), Comment.objects.count(), Post.objects.count()) == (0, 0, 1, 1)


def test_comment_and_reply_without_javascript(logged_in, ana, bob):
    # given
    post = PostFactory(author=bob)
    client = logged_in(ana)
    # when
    commented = client.post(reverse("posts:comment", args=[post.pk]), {"body": "Nice one"})
    parent = Comment.objects.get()
    replied = client.post(reverse("posts:comment", args=[post.pk]), {"body": "Me again", "parent": parent.pk})
    # then
    reply = Comment.objects.get(parent=parent)
    assert commented["Location"] == f"/p/{post.pk}/#comment-{parent.pk}"
    assert replied["Location"] == f"/p/{post.pk}/#comment-{reply.pk}"
    page = client.get(commented["Location"]).content.decode()
    assert "Your reply is posted." in page
    assert '<div class="comment-text">Me again</div>' in page
    assert Post.objects.get(pk=post.pk).comments_count == 2


def test_a_bad_comment_is_a_400_next_to_the_right_box(logged_in, ana, bob, settings):
    # given
    settings.COMMENT_MAX_LENGTH = 10
    post = PostFactory(author=bob)
    parent = services.add_comment(post=post, by=bob, body="Hi")
    client = logged_in(ana)
    # when
    empty = client.post(reverse("posts:comment", args=[post.pk]), {"body": "  "})
    long_reply = client.post(reverse("posts:comment", args=[post.pk]), {"body": "x" * 11, "parent": parent.pk})
    # then
    assert empty.status_code == 400
    assert field_error("body", "Write a comment first.") in empty.content.decode()
    assert long_reply.status_code == 400
    assert (
        f'<div class="invalid-feedback d-block" id="reply-{parent.pk}-error">'
        "Comments are at most 10 characters; this one has 11. </div>"
    ) in long_reply.content.decode()
    assert '<details class="reply-box" open>' in long_reply.content.decode()
    assert Comment.objects.count() == 1


def test_the_replies_page_lists_a_whole_thread(client, ana, bob):
    # given
    post = PostFactory(author=bob)
    parent = services.add_comment(post=post, by=ana, body="Top")
    replies = [services.add_comment(post=post, by=bob, body=f"R{index}", parent=parent) for index in range(22)]
    # when
    first = client.get(reverse("posts:replies", args=[post.pk, parent.pk]))
    second = client.get(first.context["next_page_url"])
    from_a_reply = client.get(reverse("posts:replies", args=[post.pk, replies[0].pk]))
    # then
    assert [reply.pk for reply in first.context["page"].items] == [reply.pk for reply in replies[:20]]
    assert [reply.pk for reply in second.context["page"].items] == [reply.pk for reply in replies[20:]]
    assert f'<ul class="list-unstyled replies" id="replies-{parent.pk}">' in first.content.decode()
    assert f'data-load-more="#replies-{parent.pk}"' in first.content.decode()
    assert from_a_reply["Location"] == reverse("posts:replies", args=[post.pk, parent.pk])


def test_comments_are_deleted_by_their_author_or_the_posts_owner_only(logged_in, ana, bob, carol):
    # given
    post = PostFactory(author=bob)
    by_ana = services.add_comment(post=post, by=ana, body="Ana's")
    by_carol = services.add_comment(post=post, by=carol, body="Carol's")
    # when
    refused = logged_in(ana).post(reverse("posts:delete_comment", args=[post.pk, by_carol.pk]), follow=True)
    logged_in(ana).post(reverse("posts:delete_comment", args=[post.pk, by_ana.pk]))
    logged_in(bob).post(reverse("posts:delete_comment", args=[post.pk, by_carol.pk]))
    # then
    assert "Only the comment&#x27;s author or the post&#x27;s author can delete it." in refused.content.decode()
    assert Comment.objects.count() == 0
    assert Post.objects.get(pk=post.pk).comments_count == 0


def test_delete_buttons_show_for_those_who_may_delete(logged_in, ana, bob, carol):
    # given
    post = PostFactory(author=bob)
    services.add_comment(post=post, by=carol, body="Carol's")
    # when
    as_owner = logged_in(bob).get(reverse("posts:detail", args=[post.pk])).content.decode()
    as_other = logged_in(ana).get(reverse("posts:detail", args=[post.pk])).content.decode()
    # then
    assert 'aria-label="Delete the comment by @carol"' in as_owner
    assert 'aria-label="Delete the comment by @carol"' not in as_other
    assert 'aria-label="Options for this post"' in as_owner
    assert 'aria-label="Options for this post"' not in as_other


# --- Toggles without JavaScript -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("posts:like", lambda post: Like.objects.filter(post=post).count()),
        ("posts:save", lambda post: Save.objects.filter(post=post).count()),
        ("posts:repost", lambda post: Post.objects.filter(repost_of=post).count()),
    ],
)
def test_toggles_turn_on_and_off_and_go_back(logged_in, ana, bob, name, count):
    # given
    post = PostFactory(author=bob)
    client = logged_in(ana)
    url = reverse(name, args=[post.pk])
    # when
    on = client.post(url, {"next": "/feed/latest/#post-1", "undo": "0"})
    on_again = client.post(url, {"next": "/feed/latest/"})
    counted = count(post)
    off = client.post(url, {"next": "https://elsewhere.example/", "undo": "1"})
    # then
    assert on["Location"] == "/feed/latest/#post-1"
    assert on_again["Location"] == "/feed/latest/"
    assert counted == 1
    assert off["Location"] == reverse("posts:detail", args=[post.pk])
    assert count(post) == 0


def test_toggles_need_login_and_post(client, ana, bob):
    # given
    post = PostFactory(author=bob)
    # when
    anonymous = client.post(reverse("posts:like", args=[post.pk]))
    client.force_login(ana)
    by_get = client.get(reverse("posts:like", args=[post.pk]))
    # then
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("users:login"))
    assert by_get.status_code == 405
    assert Like.objects.count() == 0


def test_a_quote_is_posted_from_the_repost_form(logged_in, ana, bob):
    # given
    post = PostFactory(author=bob, body="Quotable")
    # when
    response = logged_in(ana).post(reverse("posts:repost", args=[post.pk]), {"body": "So true"})
    # then
    quote = Post.objects.get(author=ana)
    assert (quote.body, quote.repost_of) == ("So true", post)
    assert response["Location"] == reverse("posts:detail", args=[quote.pk])


def test_reposting_a_followers_only_post_is_refused_with_a_message(logged_in, ana, bob):
    # given
    FollowFactory(follower=ana, followee=bob)
    post = PostFactory(author=bob, visibility=Post.Visibility.FOLLOWERS)
    # when
    response = logged_in(ana).post(reverse("posts:repost", args=[post.pk]), follow=True)
    # then
    assert "Only public posts can be reposted." in response.content.decode()
    assert Post.objects.count() == 1


# --- Edit and delete ------------------------------------------------------------------------------


def test_the_author_edits_a_post_and_it_is_marked_edited(logged_in, bob):
    # given
    post = PostFactory(author=bob, body="Frist")
    client = logged_in(bob)
    # when
    form = client.get(reverse("posts:edit", args=[post.pk]))
    response = client.post(reverse("posts:edit", args=[post.pk]), {"body": "First", "visibility": "private"})
    # then
    assert ">\nFrist</textarea>" in form.content.decode()
    assert response["Location"] == reverse("posts:detail", args=[post.pk])
    post.refresh_from_db()
    assert (post.body, post.visibility, post.edited_at is not None) == ("First", "private", True)
    assert "edited</span>" in client.get(response["Location"]).content.decode()


def test_a_bad_edit_is_a_400_and_changes_nothing(logged_in, bob):
    # given
    post = PostFactory(author=bob, body="Keep me")
    # when
    response = logged_in(bob).post(reverse("posts:edit", args=[post.pk]), {"body": "", "visibility": "public"})
    # then
    assert response.status_code == 400
    assert field_error("body", "Write something first.") in response.content.decode()
    post.refresh_from_db()
    assert (post.body, post.edited_at) == ("Keep me", None)


def test_others_cannot_edit_or_delete(logged_in, ana, bob):
    # given
    post = PostFactory(author=bob, body="Bob's")
    client = logged_in(ana)
    # when
    responses = [
        client.get(reverse("posts:edit", args=[post.pk])),
        client.post(reverse("posts:edit", args=[post.pk]), {"body": "Ana's now", "visibility": "public"}),
        client.get(reverse("posts:delete", args=[post.pk])),
        client.post(reverse("posts:delete", args=[post.pk])),
    ]
    # then
    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    assert Post.objects.get().body == "Bob's"


def test_delete_asks_first_then_goes_back_but_not_to_the_gone_page(logged_in, bob):
    # given
    kept = PostFactory(author=bob)
    first, second = PostFactory(author=bob), PostFactory(author=bob)
    client = logged_in(bob)
    # when
    confirm = client.get(reverse("posts:delete", args=[first.pk]), {"next": "/feed/latest/"})
    back_to_feed = client.post(reverse("posts:delete", args=[first.pk]), {"next": "/feed/latest/"})
    from_its_page = client.post(reverse("posts:delete", args=[second.pk]), {"next": f"/p/{second.pk}/"})
    # then
    assert "Delete this post?" in confirm.content.decode()
    assert '<input type="hidden" name="next" value="/feed/latest/">' in confirm.content.decode()
    assert back_to_feed["Location"] == "/feed/latest/"
    assert from_its_page["Location"] == reverse("home")
    assert list(Post.objects.values_list("pk", flat=True)) == [kept.pk]


# --- Hashtags, saved, profiles -------------------------------------------------------------------


def test_a_hashtag_page_lists_its_posts_or_invites_to_start_it(logged_in, ana, bob):
    # given
    tagged = PostFactory(author=bob, body="Loving #Jazz tonight")
    PostFactory(author=bob, body="No tag here")
    client = logged_in(ana)
    # when
    page = client.get(reverse("posts:hashtag", args=["jazz"]))
    empty = client.get(reverse("posts:hashtag", args=["polka"]))
    # then
    assert [post.pk for post in page.context["page"].items] == [tagged.pk]
    assert "No tag here" not in page.content.decode()
    assert "Newest first." in page.content.decode()
    assert "No posts with #polka yet." in empty.content.decode()
    assert 'href="/compose/?body=%23polka%20">Be the first to post about #polka</a>' in empty.content.decode()


def test_saved_lists_what_i_saved_most_recent_first(logged_in, ana, bob):
    # given
    older, newer, unsaved = PostFactory(author=bob), PostFactory(author=bob), PostFactory(author=bob)
    services.save_post(post=newer, user=ana)
    services.save_post(post=older, user=ana)
    client = logged_in(ana)
    # when
    response = client.get(reverse("posts:saved"))
    # then
    assert [post.pk for post in response.context["page"].items] == [older.pk, newer.pk]
    assert f'id="post-{unsaved.pk}"' not in response.content.decode()


def test_saved_is_private_and_has_an_empty_state(client, ana):
    # when
    anonymous = client.get(reverse("posts:saved"))
    client.force_login(ana)
    empty = client.get(reverse("posts:saved"))
    # then
    assert anonymous["Location"] == f"{reverse('users:login')}?next=/saved/"
    assert "Nothing saved yet. Press the bookmark under a post to keep it here for later." in empty.content.decode()


def test_the_profile_shows_posts_as_a_grid_of_tiles(client, bob):
    # given
    text = PostFactory(author=bob, body="Words only")
    image = PostFactory(author=bob, kind=Post.Kind.IMAGE, body="", images=[picture(), picture()])
    PostFactory(author=bob, body="Secret", visibility=Post.Visibility.PRIVATE)
    # when
    response = client.get(reverse("users:profile", args=["bob"]))
    # then
    content = response.content.decode()
    assert reverse("users:profile", args=["bob"]) == "/u/bob/"
    assert [post.pk for post in response.context["page"].items] == [image.pk, text.pk]
    assert f'<a class="post-tile" href="/p/{image.pk}/">' in content
    assert f'<img src="{signed_url(image.images.first().thumbnail.name)}" width="480" height="480"' in content
    assert '<span class="visually-hidden">2 pictures</span>' in content
    assert f'<a class="post-tile post-tile-text" href="/p/{text.pk}/">' in content
    assert '<span class="post-tile-body">Words only</span>' in content
    assert "Secret" not in content
    assert "@bob" in content  # the profile header above


def test_the_profile_post_list_and_empty_profiles(logged_in, ana, bob):
    # given
    PostFactory(author=bob, body="In full")
    client = logged_in(ana)
    # when
    listed = client.get(reverse("posts:profile_posts", args=["bob"]))
    mine = client.get(reverse("users:profile", args=["ana"]))
    # then
    assert '<div class="post-text">In full</div>' in listed.content.decode()
    assert 'aria-current="page" href="/u/bob/posts/"' in listed.content.decode()
    assert "You haven't posted anything yet." in mine.content.decode()


def test_a_blocked_member_sees_no_posts_of_the_blocker_and_the_blocker_sees_a_note(logged_in, ana, bob):
    # given
    PostFactory(author=bob, body="Bob's post")
    BlockFactory(blocker=ana, blocked=bob)
    # when
    as_blocker = logged_in(ana).get(reverse("users:profile", args=["bob"]))
    as_blocked = logged_in(bob).get(reverse("users:profile", args=["ana"]))
    # then
    assert "You blocked this user, so their posts are hidden." in as_blocker.content.decode()
    assert "Bob&#x27;s post" not in as_blocker.content.decode()
    assert as_blocked.status_code == 404


# --- Query counts --------------------------------------------------------------------------------


def _busy_posts(author, viewer, count: int) -> None:
    """`count` posts by `author`, among them a picture post, a plain repost and a quote, with
    likes, saves and comments by `viewer`: every part of a card has something to load."""
    posts = [PostFactory(author=author, body=f"#busy {index}") for index in range(count - 3)]
    # newest and most engaging, so on the first page of every order whatever the count
    pictured = PostFactory(author=UserFactory(), kind=Post.Kind.IMAGE, body="#busy", images=[picture()])
    posts += [
        pictured,
        services.repost(post=pictured, by=author),
        services.repost(post=pictured, by=author, body="#busy quote"),
    ]
    for post in posts:
        services.like_post(post=post, user=viewer)
        services.add_comment(post=post, by=viewer, body="hi")


# session, user, navbar profile and unread notifications; the page, its pictures, the reposted
# originals' pictures, the originals the viewer may see, liked, saved, reposted; plus what each
# page adds on top.
@pytest.mark.parametrize("count", [5, 25])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        (lambda author: reverse("home"), 13),  # + suggestions, trending tags
        (lambda author: reverse("posts:feed", args=["latest"]), 12),  # + trending tags
        (lambda author: reverse("posts:feed", args=["for-you"]), 12),
        (lambda author: reverse("posts:hashtag", args=["busy"]), 11),
        (lambda author: reverse("posts:saved"), 11),
        (lambda author: reverse("users:profile", args=[author.username]), 15),  # + person, interests, 2 relations
    ],
)
def test_feed_pages_cost_the_same_queries_whatever_their_length(
    client, django_assert_num_queries, ana, bob, count, url, queries
):
    # given
    FollowFactory(follower=ana, followee=bob)
    _busy_posts(bob, ana, count)
    for post in Post.objects.all():
        services.save_post(post=post, user=ana)
    client.force_login(ana)
    # when / then
    with django_assert_num_queries(queries):
        assert client.get(url(bob)).status_code == 200


@pytest.mark.parametrize("count", [5, 25])
def test_a_post_page_costs_the_same_queries_whatever_its_comments(client, django_assert_num_queries, ana, bob, count):
    # given
    post = PostFactory(author=bob)
    for index in range(count):
        comment = services.add_comment(post=post, by=bob, body=f"c{index}")
        services.add_comment(post=post, by=ana, body="r", parent=comment)
    client.force_login(ana)
    # when / then: session, user, navbar profile and unread notifications; the post, its pictures,
    # liked, saved, reposted; counting the view (savepoint, two updates, release); may see it, the
    # comments, their replies
    with django_assert_num_queries(16):
        assert client.get(reverse("posts:detail", args=[post.pk])).status_code == 200

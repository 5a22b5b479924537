"""Web pages of posts, feeds, comments and search. Each view parses a form, calls one service
or repository function and renders; NotFound rises to core's middleware (404)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.exceptions import NotFound, ValidationFailed
from core.http import safe_next, viewer_key
from core.pagination import DEFAULT_PAGE_SIZE, page_params
from core.views import attempt, bound, list_context, submit
from users import repositories as people

from . import builders, forms, repositories, services
from .models import Post
from .strategies.ranking import ranking_for

GRID_PAGE_SIZE = 24  # full rows of the three-column profile grid

# The feed tabs: URL slug, the key of the feed in repositories.FEEDS, and the tab's name.
FEED_TABS = {
    "following": ("following", "Following"),
    "for-you": ("for_you", "For you"),
    "latest": ("latest", "Latest"),
    "trending": ("trending", "Trending"),
}


def form_status(form) -> int:
    """A page showing a form that was refused answers 400 (or the domain error's own 4xx)."""
    if form.is_bound and form.errors:
        return max(form.status, 400)
    return 200


def _page(request, template: str, list_page, status: int = 200, **context):
    return render(request, template, list_context(request, list_page, **context), status=status)


def _detail_url(post: Post, anchor: str = "") -> str:
    return reverse("posts:detail", args=[post.pk]) + (f"#{anchor}" if anchor else "")


# --- Feeds ---------------------------------------------------------------------------------------


def _feed_page(request, slug: str, **context):
    key, name = FEED_TABS[slug]
    cursor, size = page_params(request.GET)
    page = repositories.FEEDS[key](request.user, cursor=cursor, size=size)
    context = {
        "feed": slug,
        "title": name,
        "tabs": FEED_TABS,
        "ranking": ranking_for(key),
        "composer": forms.ComposeForm() if request.user.is_authenticated else None,
        "trending_tags": repositories.trending_hashtags(limit=8),
        **context,
    }
    return _page(request, "posts/feed.html", page, **context)


def home(request):
    """Members land on their Following feed; visitors on Latest, with an invitation."""
    if not request.user.is_authenticated:
        return _feed_page(request, "latest", welcome=True)
    return _feed_page(
        request, "following", title="Home", is_home=True, suggestions=people.suggested_users(request.user)
    )


def feed(request, feed):
    if feed not in FEED_TABS:
        raise NotFound("No such feed.")
    if feed == "following" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _feed_page(request, feed)


@login_required
def saved(request):
    cursor, size = page_params(request.GET)
    return _page(request, "posts/saved.html", repositories.saved_posts(request.user, cursor=cursor, size=size))


def hashtag(request, tag):
    cursor, size = page_params(request.GET)
    page = repositories.hashtag_feed(request.user, tag, cursor=cursor, size=size)
    return _page(request, "posts/hashtag.html", page, tag=tag.lower().lstrip("#"), ranking=ranking_for("hashtag"))


def _profile_posts(request, person, layout: str, default_size: int = DEFAULT_PAGE_SIZE) -> dict:
    """The context of posts/includes/profile_posts.html: a page of `person`'s posts."""
    cursor, size = page_params(request.GET)
    size = size if "size" in request.GET else default_size
    page = repositories.profile_feed(request.user, person, cursor=cursor, size=size)
    return list_context(request, page, layout=layout)


def profile_posts_section(request, person, relationship, is_me) -> dict:
    """The posts section of the profile page (users:profile): their posts as a grid of tiles."""
    return _profile_posts(request, person, "grid", default_size=GRID_PAGE_SIZE)


@require_safe
def profile_posts(request, username):
    """The same posts as full cards, to read and react to them, under the profile's header."""
    person = people.get_profile_for(request.user, username)
    context = {
        "profile_user": person,
        "relationship": people.get_relationship(request.user, person),
        "is_me": person.pk == request.user.pk,
        **_profile_posts(request, person, "list"),
    }
    return render(request, "posts/profile_posts.html", context)


# --- Writing and changing posts ------------------------------------------------------------------


@login_required
def compose(request):
    """The composer posts here from every feed; a refused post comes back on this page."""
    form = bound(request, forms.ComposeForm, initial={"body": request.GET.get("body", "")})
    if submit(form, services.create_post, author=request.user, rate_limited=True):
        messages.success(request, "Your post is up.")
        return redirect(safe_next(request, reverse("home")))
    return render(request, "posts/compose.html", {"form": form}, status=form_status(form))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, post_id):
    post = repositories.get_post_for(request.user, post_id)
    services.ensure_author(post, request.user)
    form = bound(request, forms.EditForm, initial={"body": post.body, "visibility": post.visibility})
    if request.method == "POST" and submit(form, services.edit_post, post=post, by=request.user):
        messages.success(request, "Your post is updated.")
        return redirect("posts:detail", post.pk)
    return render(request, "posts/edit.html", {"form": form, "post": post}, status=form_status(form))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request, post_id):
    """GET asks for confirmation (works without JavaScript); POST deletes."""
    post = repositories.get_post_for(request.user, post_id)
    services.ensure_author(post, request.user)
    goto = safe_next(request, reverse("home"))
    if goto.startswith(_detail_url(post)):
        goto = reverse("home")  # that page goes with the post
    if request.method != "POST":
        return render(request, "posts/delete_confirm.html", {"post": post, "next": goto})
    if attempt(request, lambda: services.delete_post(post=post, by=request.user)):
        messages.success(request, "Your post is deleted.")
    return redirect(goto)


# --- Toggles: like, save, repost -----------------------------------------------------------------


def _toggle(turn_on: Callable, turn_off: Callable):
    """A toggle button's no-JavaScript path: `undo=1` turns it off, anything else on; then back
    to the page it was pressed on. With JavaScript, post-actions.js calls the JSON API."""

    @login_required
    @require_POST
    def view(request, post_id):
        post = repositories.get_post_for(request.user, post_id)
        action = turn_off if request.POST.get("undo") == "1" else turn_on
        attempt(request, lambda: action(post=post, user=request.user))
        return redirect(safe_next(request, _detail_url(post)))

    return view


like = _toggle(services.like_post, services.unlike_post)
save = _toggle(services.save_post, services.unsave_post)
_plain_repost = _toggle(
    lambda post, user: services.repost(post=post, by=user), lambda post, user: services.undo_repost(post=post, by=user)
)


@login_required
@require_POST
def repost(request, post_id):
    """The repost button (a toggle), or a quote when the form carries a text."""
    if not request.POST.get("body", "").strip():
        return _plain_repost(request, post_id)
    post = repositories.get_post_for(request.user, post_id)
    quoted: list[Post] = []
    body = request.POST["body"]
    if attempt(
        request, lambda: quoted.append(services.repost(post=post, by=request.user, body=body, rate_limited=True))
    ):
        messages.success(request, "Your quote is posted.")
        return redirect("posts:detail", quoted[0].pk)
    return redirect(_detail_url(post))


# --- A post and its comments ----------------------------------------------------------------------


def _detail_page(request, post: Post, status: int = 200, **overrides):
    services.record_view(post=post, viewer_key=viewer_key(request))
    cursor, size = page_params(request.GET)
    comments = repositories.list_comments(request.user, post, cursor=cursor, size=size)
    context = {"post": post, "comment_form": forms.CommentForm(), "reply_form": None, **overrides}
    return _page(request, "posts/detail.html", comments, status=status, **context)


@require_safe
def detail(request, post_id):
    post = repositories.get_post_for(request.user, post_id)
    if post.is_plain_repost:
        return redirect("posts:detail", post.repost_of_id)  # a plain repost is its original
    return _detail_page(request, post)


def _add_comment(*, post: Post, by, body: str, parent: int | None):
    # The form carries the id of the comment replied to; the service takes the comment.
    thread = repositories.get_comment_for(by, post, parent) if parent else None
    return services.add_comment(post=post, by=by, body=body, parent=thread, rate_limited=True)


@login_required
@require_POST
def comment(request, post_id):
    post = repositories.get_post_for(request.user, post_id)
    form = forms.CommentForm(request.POST)
    if submit(form, _add_comment, post=post, by=request.user):
        messages.success(request, "Your reply is posted." if form.result.parent_id else "Your comment is posted.")
        return redirect(_detail_url(post, f"comment-{form.result.pk}"))
    parent = form.cleaned_data.get("parent")
    failed = {"reply_form": form, "reply_to": parent} if parent else {"comment_form": form}
    return _detail_page(request, post, status=form_status(form), **failed)


@require_safe
def replies(request, post_id, comment_id):
    """All replies of a thread, page by page ("more replies" under a comment opens this)."""
    post = repositories.get_post_for(request.user, post_id)
    thread = repositories.get_comment_for(request.user, post, comment_id)
    if thread.parent_id is not None:
        return redirect("posts:replies", post.pk, thread.parent_id)  # a reply's thread is its parent's
    cursor, size = page_params(request.GET)
    page = repositories.list_replies(request.user, thread, cursor=cursor, size=size)
    return _page(request, "posts/replies.html", page, post=post, thread=thread)


@login_required
@require_POST
def delete_comment(request, post_id, comment_id):
    post = repositories.get_post_for(request.user, post_id)
    target = repositories.get_comment_for(request.user, post, comment_id)
    if attempt(request, lambda: services.delete_comment(comment=target, by=request.user)):
        messages.success(request, "The comment is deleted.")
    return redirect(safe_next(request, _detail_url(post, "comments")))


# --- Search --------------------------------------------------------------------------------------

# The tabs of the search page: ?type= value, the tab's name, and the SearchQuery page it shows.
SEARCH_TABS = {
    "posts": ("Posts", builders.SearchQuery.post_page),
    "people": ("People", builders.SearchQuery.people_page),
    "hashtags": ("Hashtags", builders.SearchQuery.hashtag_page),
}


def search(request):
    """Posts, people or hashtags matching ?q=, one tab at a time; an empty query shows a prompt."""
    tab = request.GET.get("type", "posts")
    if tab not in SEARCH_TABS:
        raise ValidationFailed.on("type", "Search for posts, people or hashtags.")
    text = request.GET.get("q", "")
    query = builders.SearchQuery.parse(text, request.user)
    cursor, size = page_params(request.GET)
    page = SEARCH_TABS[tab][1](query, cursor=cursor, size=size)
    return _page(request, "posts/search.html", page, tabs=SEARCH_TABS, tab=tab, query=text.strip())

"""Web pages of the follow and block graph: people lists, follow and block buttons, and the
accounts I block. NotFound (someone who blocked me) rises to core's middleware (404)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.http import safe_next
from core.pagination import page_params
from core.views import attempt, list_context

from .. import repositories
from ..services import relations


@login_required
def blocked(request):
    cursor, size = page_params(request.GET)
    page = repositories.list_blocked(request.user, cursor=cursor, size=size)
    return render(request, "users/blocked.html", list_context(request, page))


def _people_page(request, username, list_function, title: str):
    user = repositories.get_profile_for(request.user, username)
    cursor, size = page_params(request.GET)
    page = list_function(request.user, user, cursor=cursor, size=size)
    return render(request, "users/people.html", list_context(request, page, profile_user=user, title=title))


@require_safe
def followers(request, username):
    return _people_page(request, username, repositories.list_followers, "Followers")


@require_safe
def following(request, username):
    return _people_page(request, username, repositories.list_following, "Following")


def _relation_view(action: Callable, done: str):
    """A POST button on someone's profile or card: act, say so, go back where it was pressed."""

    @login_required
    @require_POST
    def view(request, username):
        user = repositories.get_profile_for(request.user, username)
        if attempt(request, lambda: action(request.user, user)):
            messages.success(request, done.format(username=user.username))
        return redirect(safe_next(request, reverse("users:profile", args=[user.username])))

    return view


follow = _relation_view(lambda me, them: relations.follow_user(follower=me, followee=them), "You follow @{username}.")
unfollow = _relation_view(
    lambda me, them: relations.unfollow_user(follower=me, followee=them), "You no longer follow @{username}."
)
unblock = _relation_view(
    lambda me, them: relations.unblock_user(blocker=me, blocked=them), "You unblocked @{username}."
)
_block = _relation_view(lambda me, them: relations.block_user(blocker=me, blocked=them), "You blocked @{username}.")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def block(request, username):
    """GET asks for confirmation (works without JavaScript); POST blocks."""
    if request.method == "POST":
        return _block(request, username)
    user = repositories.get_profile_for(request.user, username)
    return render(request, "users/block_confirm.html", {"profile_user": user, "next": safe_next(request, "")})

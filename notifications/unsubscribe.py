"""Unsubscribe links: every notification email carries one that stops that kind of email (the
digest's stops them all) without logging in. The link's token is signed with SECRET_KEY, so it
cannot be made up or changed to reach another person or kind; it does not expire, because an
unsubscribe link in an old email must keep working."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.exceptions import NotFound

from . import services
from .kinds import Kind, all_kinds

# The token's kind for the daily digest, which mixes every kind.
DIGEST = "digest"
_SALT = "notifications.unsubscribe"
_INVALID = "This unsubscribe link is not valid. Change your emails in your notification settings."


def make_token(user_id: int, kind: str) -> str:
    """The token that unsubscribes `user_id` from emails of `kind` (or DIGEST)."""
    # A plain Signer, not a timestamped one: no expiry is wanted, and the same person and kind
    # always get the same link.
    return signing.Signer(salt=_SALT).sign_object([user_id, kind])


def read_token(token: str) -> tuple[object, Kind | str]:
    """The person and the Kind (or DIGEST) a token stands for; NotFound if it was tampered with
    or names someone or something that no longer exists."""
    try:
        user_id, kind_name = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise NotFound(_INVALID) from None
    user = get_user_model().objects.filter(pk=user_id).first()
    kind = DIGEST if kind_name == DIGEST else {kind.name: kind for kind in all_kinds()}.get(kind_name)
    if user is None or kind is None:
        raise NotFound(_INVALID)
    return user, kind


def emails_about(kind: Kind | str) -> str:
    """What the emails and the page call the emails a link stops: "emails about new followers"."""
    if isinstance(kind, Kind):
        return f"emails about {kind.label[:1].lower()}{kind.label[1:]}"
    return "all notification emails"


def stop_emails(user, kind: Kind | str) -> None:
    """Switch email off for one kind; from the digest, for every kind. The digest setting itself
    stays as it is: turning it off would switch the person to one email per notification, the
    opposite of what they asked for."""
    kinds = [kind] if isinstance(kind, Kind) else all_kinds()
    services.set_preferences(user=user, choices={each.name: {"email": False} for each in kinds})


# csrf_exempt: the signed token in the URL is what authorises the change, not the session, and
# mail clients send the RFC 8058 one-click POST ("List-Unsubscribe=One-Click") without any
# cookie or CSRF token. A forged cross-site POST would need the token, which only the email holds.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks to confirm (link checkers and mail scanners open links, so a GET changes
    nothing); POST, from the page or from the mail client's one-click button, stops the emails."""
    user, kind = read_token(token)
    done = request.method == "POST"
    if done:
        stop_emails(user, kind)
    context = {"about": emails_about(kind), "done": done, "digest": kind == DIGEST}
    return render(request, "notifications/unsubscribe.html", context)

"""Unsubscribe tokens: every notification email carries a link that stops that kind of email
(the digest's stops them all) without logging in. The token is signed with SECRET_KEY, so it
cannot be made up or changed to reach another person or kind; it does not expire, because an
unsubscribe link in an old email must keep working.

Only signing and reading here, no writes: building an email needs the token, and stopping the
emails (services.preferences.stop_emails) needs what a token stands for."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing

from core.exceptions import NotFound

from .kinds import Kind, all_kinds

# The token's kind for the daily digest, which mixes every kind.
DIGEST = "digest"
# The salt of every link ever mailed: changing it would break them all.
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

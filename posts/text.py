"""#hashtags and @mentions in post and comment text: found once here, for storing links and
for rendering them."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# A tag is letters, digits and underscores (any script), not only digits, after a word break.
HASHTAG = r"(?<![\w#&])#(?P<tag>\w*[^\W\d]\w*)"
# Usernames follow Django's username rules minus the characters that end a sentence.
MENTION = r"(?<![\w@])@(?P<user>[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)"
HASHTAG_RE, MENTION_RE, LINKABLE_RE = re.compile(HASHTAG), re.compile(MENTION), re.compile(f"{HASHTAG}|{MENTION}")
HASHTAG_MAX_LENGTH = 64


def hashtags_in(text: str) -> list[str]:
    """Distinct tags in order of first use, lower-case, without '#'."""
    seen: dict[str, None] = {}
    for match in HASHTAG_RE.finditer(text):
        tag = match.group("tag").lower()
        if len(tag) <= HASHTAG_MAX_LENGTH:
            seen.setdefault(tag, None)
    return list(seen)


def mentions_in(text: str) -> list[str]:
    """Distinct usernames mentioned, lower-case, without '@'."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(text):
        seen.setdefault(match.group("user").lower(), None)
    return list(seen)


def _link(match: re.Match) -> str:
    token = match.group(0)
    if token.startswith("#"):
        url = reverse("posts:hashtag", args=[match.group("tag").lower()])
    else:
        url = reverse("users:profile", args=[match.group("user").lower()])
    return f'<a href="{escape(url)}">{escape(token)}</a>'


def linkify(text: str) -> SafeString:
    """The text HTML-escaped, with tags and mentions turned into links, line breaks kept."""
    parts: list[str] = []
    last = 0
    for match in LINKABLE_RE.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(_link(match))
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 - every piece is escaped above

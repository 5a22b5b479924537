"""Template pieces for videos."""

from django import template

from videos.integrations import storage

register = template.Library()


@register.filter
def stored_url(name: str) -> str:
    """The address of a stored file (local media or S3), or "" for none."""
    return storage.url(name) or ""

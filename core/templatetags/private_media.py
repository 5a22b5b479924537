"""The signed address of a private stored file (core.media), for templates that render an
object their viewer has already been allowed to see."""

from django import template

from core import media

register = template.Library()


@register.filter
def media_url(name) -> str:
    """`{{ picture.image|media_url }}`: a file field or stored name; "" for none."""
    return media.signed_url(str(name)) if name else ""

"""Times as people read them, shared by every app's templates."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(moment) -> str:
    """Like "5 minutes ago" (or "just now") within a week; older, the date (notifications.js
    writes the time of a notification that arrives live the same way)."""
    age = timezone.now() - moment
    if age < timedelta(minutes=1):
        return "just now"
    if age < timedelta(days=7):
        return f"{timesince(moment, depth=1)} ago"
    return date_format(timezone.localtime(moment), "M j, Y" if age > timedelta(days=300) else "M j")

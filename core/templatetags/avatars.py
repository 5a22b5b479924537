"""{% avatar user 48 %}: a person's picture, or their initial on a colour that stays theirs.
It reads what the account model offers (display_name, avatar_url, avatar_large_url), so it
knows nothing of profiles."""

from django import template

register = template.Library()


@register.inclusion_tag("core/includes/avatar.html")
def avatar(user, size: int = 48, large: bool = False):
    name = getattr(user, "display_name", "") or user.username
    return {
        "url": getattr(user, "avatar_large_url" if large else "avatar_url", ""),
        "initial": name[:1].upper(),
        "hue": (user.pk * 47) % 360,
        "size": size,
        "name": name,
    }

"""Template pieces for people: the avatar (picture or coloured initial)."""

from django import template

register = template.Library()


@register.inclusion_tag("users/includes/avatar.html")
def avatar(user, size: int = 48, large: bool = False):
    """The user's picture, or their initial on a colour that stays the same for them."""
    profile = getattr(user, "profile", None)
    picture = (profile.avatar if large else profile.avatar_small) if profile else None
    name = profile.name if profile else user.username
    return {
        "url": picture.url if picture else "",
        "initial": name[:1].upper(),
        "hue": (user.pk * 47) % 360,
        "size": size,
        "name": name,
    }

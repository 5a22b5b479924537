"""{% avatar user 48 %}: a person's picture, or their initial on a colour that stays theirs.
It reads what the account model offers (display_name, avatar_url, avatar_large_url), so it
knows nothing of profiles.

Sizes and colours are classes of static/css/theme.css (.avatar-48, .avatar-hue-3): the
Content-Security-Policy allows no style attributes."""

from django import template

register = template.Library()

SIZES = (24, 28, 32, 36, 40, 44, 48, 56, 72, 112)  # pixels, each with its .avatar-<size> class
HUES = 12  # .avatar-hue-0 … .avatar-hue-11, 30° apart


@register.inclusion_tag("core/includes/avatar.html")
def avatar(user, size: int = 48, large: bool = False):
    size = int(size)
    if size not in SIZES:
        raise ValueError(f"An avatar of {size} px has no class: add it to SIZES and static/css/theme.css.")
    name = getattr(user, "display_name", "") or user.username
    return {
        "url": getattr(user, "avatar_large_url" if large else "avatar_url", ""),
        "initial": name[:1].upper(),
        "hue": (user.pk * 7) % HUES,
        "size": size,
        "name": name,
    }

"""{% menu "navbar" %}: one of core.menus' menus, as the apps filled it."""

from django import template

from core import menus

register = template.Library()


@register.inclusion_tag("core/includes/menu.html", takes_context=True)
def menu(context, name: str):
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else None
    shown = [
        {
            "entry": entry,
            "href": "" if entry.template else entry.href(context["user"]),
            "current": entry.is_current(view_name),
        }
        for entry in menus.entries(name)
    ]
    return {**context.flatten(), "menu_name": name, "shown": shown}


@register.simple_tag(takes_context=True)
def menu_scripts(context) -> list[str]:
    # The auth context processor's user: the 400 answering a bad Host header is rendered before
    # the authentication middleware has set request.user.
    return menus.scripts(context["user"])

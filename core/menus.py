"""The site's menus, filled by the apps. base.html knows no app: the navbar's pages, the
shortcuts beside the brand on small screens, the search box, the account menu, the buttons of
people who are signed out, the footer's links and the settings pages' side navigation are each a
menu, and each app registers its entries from AppConfig.ready():

    MENU.register(MenuEntry("navbar", "videos", "Videos", "play-btn", url="videos:feed",
                            args=("for-you",), order=20))

An entry links to a URL name, or renders a template of its own (the notification bell), and
may bring a script that pages showing it load."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from .registry import Registry

MENUS = ("navbar", "quick", "search", "account", "guest", "footer", "settings")
SIGNED_OUT = ("search", "guest", "footer")  # what base.html shows people who are not signed in


@dataclass(frozen=True)
class MenuEntry:
    menu: str  # one of MENUS
    name: str  # unique within the menu
    label: str = ""
    icon: str = ""  # a Bootstrap Icons name
    url: str | Callable = ""  # a URL name, or a function of the user giving the address
    args: tuple = ()
    order: int = 100
    # View names that show this entry as the current page; by default the entry's URL name.
    current: tuple[str, ...] = ()
    template: str = ""  # renders itself instead (gets the page's context)
    script: str = ""  # a static module the pages showing the entry load
    css: str = ""  # classes of a guest button

    def __post_init__(self):
        if self.menu not in MENUS:
            raise ValueError(f"There is no menu {self.menu!r}; use one of {MENUS}.")

    def href(self, user) -> str:
        return self.url(user) if callable(self.url) else reverse(self.url, args=self.args)

    def is_current(self, view_name: str | None) -> bool:
        return view_name in (self.current or (self.url if isinstance(self.url, str) else "",))


MENU: Registry[MenuEntry] = Registry("menu entry", key=lambda entry: f"{entry.menu}:{entry.name}")


def entries(menu: str) -> list[MenuEntry]:
    return [entry for entry in MENU if entry.menu == menu]


def scripts(user) -> list[str]:
    """The scripts of the entries `user` sees on every page."""
    shown = MENUS if user.is_authenticated else SIGNED_OUT
    return sorted({entry.script for entry in MENU if entry.script and entry.menu in shown})

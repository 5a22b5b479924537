import pytest
from django.urls import reverse

from core.menus import MENU, MenuEntry, entries, scripts


def test_apps_fill_the_menus_in_their_order():
    # then (registered by each app's ready())
    assert [entry.name for entry in entries("navbar")] == ["home", "videos", "upload", "saved", "bell"]
    assert [entry.label for entry in entries("settings")] == [
        "Profile",
        "Security",
        "Notifications",
        "Blocked accounts",
        "Your data",
    ]
    assert [entry.name for entry in entries("guest")] == ["login", "signup"]


def test_an_entry_knows_its_address_and_when_it_is_the_current_page(django_user_model):
    # given
    videos = MENU["navbar:videos"]
    profile = MENU["account:profile"]
    person = django_user_model(username="ana")
    # then
    assert videos.href(person) == reverse("videos:feed", args=["for-you"])
    assert videos.is_current("videos:feed") and not videos.is_current("videos:upload")
    assert profile.href(person) == reverse("users:profile", args=["ana"])
    assert not profile.is_current("users:profile")  # an address made from the user names no view


def test_an_unknown_menu_is_refused():
    with pytest.raises(ValueError, match="There is no menu 'sidebar'"):
        MenuEntry("sidebar", "x", "X", url="home")


def test_signed_out_people_load_only_the_scripts_of_what_they_see(django_user_model):
    from django.contrib.auth.models import AnonymousUser

    # then the bell's script is for people who are signed in; search suggestions for everyone
    signed_in, signed_out = scripts(django_user_model(username="ana", is_active=True)), scripts(AnonymousUser())
    assert set(signed_out) < set(signed_in)
    assert [script for script in signed_in if script not in signed_out] == [MENU["navbar:bell"].script]


@pytest.mark.django_db
def test_pages_show_the_menus(client, django_user_model):
    # given
    from tests.users.factories import UserFactory

    user = UserFactory(username="ana")
    client.force_login(user)
    # when
    page = client.get(reverse("users:security")).content.decode()
    # then the navbar, the account menu and the settings side navigation are the apps' entries
    for url in ("/", reverse("videos:upload"), reverse("posts:saved"), reverse("users:profile", args=["ana"])):
        assert f'href="{url}"' in page
    assert page.count(f'href="{reverse("users:security")}"') == 2  # account menu and settings navigation
    assert 'class="list-group-item list-group-item-action active" aria-current="page" href="' in page
    assert reverse("users:logout") in page

"""Web pages of profiles: anyone's profile page, with the sections the apps above plug into it
(users.profile_sections), and my own profile's fields and picture. NotFound (someone who blocked
me) rises to core's middleware (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from core.views import attempt, submit

from .. import forms, repositories
from ..profile_sections import scripts_of, sections_for
from ..services import profiles


@require_safe
def profile(request, username):
    """The profile page (users:profile): the person, then each registered section (their posts...)."""
    person = repositories.get_profile_for(request.user, username)
    relationship = repositories.get_relationship(request.user, person)
    is_me = person.pk == request.user.pk
    sections = sections_for(request, person, relationship, is_me)
    context = {
        "profile_user": person,
        "relationship": relationship,
        "is_me": is_me,
        "sections": sections,
        "section_scripts": scripts_of(sections),
    }
    return render(request, "users/profile.html", context)


def _edit_profile_page(request, **overrides):
    profile = getattr(request.user, "profile", None)  # accounts made by createsuperuser may lack one
    context = {
        "form": forms.ProfileForm(initial=forms.ProfileForm.initial_for(profile)),
        "avatar_form": forms.AvatarForm(),
        "profile": profile,
        **overrides,
    }
    status = max((form.status for form in overrides.values() if isinstance(form, forms.ServiceForm)), default=200)
    return render(request, "users/edit_profile.html", context, status=status)


@login_required
def edit_profile(request):
    if request.method != "POST":
        return _edit_profile_page(request)
    form = forms.ProfileForm(request.POST)
    if submit(form, profiles.update_profile, user=request.user):
        messages.success(request, "Your profile is saved.")
        return redirect("users:profile", request.user.username)
    return _edit_profile_page(request, form=form)


@login_required
@require_POST
def avatar_upload(request):
    """The no-JavaScript path; with JavaScript the page uploads to PUT /api/me/avatar/."""
    form = forms.AvatarForm(request.POST, request.FILES)
    if submit(form, lambda avatar: profiles.set_avatar(user=request.user, upload=avatar)):
        messages.success(request, "Your new picture is up.")
        return redirect("users:edit_profile")
    return _edit_profile_page(request, avatar_form=form)


@login_required
@require_POST
def avatar_remove(request):
    if attempt(request, lambda: profiles.remove_avatar(user=request.user)):
        messages.success(request, "Your picture is removed.")
    return redirect("users:edit_profile")

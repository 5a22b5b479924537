"""Web pages of accounts, profiles and the follow/block graph. Each view parses a form, calls
one service or repository function and renders; domain errors land on the form (submit())
or, for plain buttons, in a message (attempt()). NotFound rises to core's middleware (404)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import ratelimit
from core.http import client_ip, safe_next
from core.pagination import page_params
from core.views import attempt, bound, list_context, render_form, submit

from . import forms, repositories
from .backends import EmailOrUsernameBackend
from .services import accounts, profiles, relations, two_factor

AUTH_BACKEND = "users.backends.EmailOrUsernameBackend"
PENDING_LOGIN = "pending_second_factor"  # session key: who passed the password step, and where to go


# --- Sign-up --------------------------------------------------------------------------------------


def _sign_up(*, ip: str, **data):
    ratelimit.hit("signup", ip)
    return accounts.sign_up(**data)


def _confirm_url(email: str) -> str:
    return f"{reverse('users:signup_confirm')}?{urlencode({'email': email})}"


def signup(request):
    form = bound(request, forms.SignUpForm)
    if submit(form, _sign_up, ip=client_ip(request)):
        messages.success(request, f"We emailed a 6-digit code to {form.result.email}. Enter it below.")
        return redirect(_confirm_url(form.result.email))
    return render_form(request, "users/signup.html", form)


def signup_confirm(request):
    form = bound(request, forms.ConfirmSignUpForm, initial={"email": request.GET.get("email", "")})
    if submit(form, accounts.confirm_signup):
        login(request, form.result, backend=AUTH_BACKEND)
        messages.success(request, f"Welcome to {settings.SITE_NAME}! Tell people a little about yourself.")
        return redirect("users:edit_profile")
    return render_form(request, "users/signup_confirm.html", form)


@require_POST
def signup_resend(request):
    form = forms.ResendCodeForm(request.POST)
    if submit(form, lambda email, code: accounts.resend_signup_code(email=email)):
        messages.success(request, "We sent you a new code.")
        return redirect(_confirm_url(form.cleaned_data["email"]))
    return render_form(request, "users/signup_confirm.html", form)


# --- Login and logout -------------------------------------------------------------------------


def _authenticate(*, ip: str, identifier: str, password: str):
    ratelimit.hit("login", ip)
    return accounts.authenticate_user(identifier=identifier, password=password)


def _finish_login(request, user, goto: str):
    login(request, user, backend=AUTH_BACKEND)
    messages.success(request, f"Welcome back, {user.username}!")
    return redirect(goto)


def login_view(request):
    goto = safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))
    form = bound(request, forms.LoginForm)
    if submit(form, _authenticate, ip=client_ip(request)):
        if two_factor.has_two_factor(form.result):
            request.session[PENDING_LOGIN] = {"user": form.result.pk, "next": goto}
            return redirect("users:login_verify")
        return _finish_login(request, form.result, goto)
    return render_form(request, "users/login.html", form, next=goto)


def _verify(*, ip: str, user, code: str):
    ratelimit.hit("login", ip)
    two_factor.verify_second_factor(user=user, code=code)


def login_verify(request):
    """The second login step for accounts with two-factor authentication."""
    pending = request.session.get(PENDING_LOGIN) or {}
    user = EmailOrUsernameBackend().get_user(pending.get("user"))  # None once it may not log in
    if user is None:
        return redirect("users:login")
    form = bound(request, forms.SecondFactorForm)
    if submit(form, _verify, ip=client_ip(request), user=user):
        del request.session[PENDING_LOGIN]
        return _finish_login(request, user, pending["next"])
    return render_form(request, "users/login_verify.html", form)


@require_POST
def logout_view(request):
    logout(request)
    messages.success(request, "You are logged out. See you soon!")
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- Passwords --------------------------------------------------------------------------------


def password_reset(request):
    form = bound(request, forms.PasswordResetRequestForm)
    if submit(form, accounts.request_password_reset):
        messages.success(request, "If an account uses this address, we emailed it a code. Enter it below.")
        email = form.cleaned_data["email"]
        return redirect(f"{reverse('users:password_reset_confirm')}?{urlencode({'email': email})}")
    return render_form(request, "users/password_reset.html", form)


def password_reset_confirm(request):
    form = bound(request, forms.PasswordResetForm, initial={"email": request.GET.get("email", "")})
    if submit(form, accounts.reset_password):
        messages.success(request, "Your password is changed. Log in with the new one.")
        return redirect("users:login")
    return render_form(request, "users/password_reset_confirm.html", form)


# --- Security settings: password and two-factor -----------------------------------------------


def _security_page(request, **overrides):
    """The security page; a form that failed (or recovery codes to show once) replaces the default."""
    record = repositories.get_two_factor(request.user)
    context = {
        "password_form": forms.PasswordChangeForm(),
        "confirm_form": forms.TwoFactorConfirmForm(),
        "disable_form": forms.TwoFactorDisableForm(),
        "two_factor_on": bool(record and record.enabled),
        "recovery_codes": None,
        "setup": None,
    }
    if record and not record.enabled:
        uri = two_factor.provisioning_uri(record)
        context["setup"] = {"secret": record.secret, "qr_svg": segno.make(uri).svg_inline(scale=5, dark="#0b2e17")}
    context.update(overrides)
    status = max((form.status for form in overrides.values() if isinstance(form, forms.ServiceForm)), default=200)
    return render(request, "users/security.html", context, status=status)


@login_required
def security(request):
    return _security_page(request)


@login_required
@require_POST
def password_change(request):
    form = forms.PasswordChangeForm(request.POST)
    if submit(form, accounts.change_password, user=request.user):
        update_session_auth_hash(request, request.user)
        messages.success(request, "Your password is changed. Other sessions and apps were logged out.")
        return redirect("users:security")
    return _security_page(request, password_form=form)


@login_required
@require_POST
def two_factor_start(request):
    attempt(request, lambda: two_factor.start_two_factor_setup(user=request.user))
    return redirect(f"{reverse('users:security')}#two-factor")


@login_required
@require_POST
def two_factor_confirm(request):
    form = forms.TwoFactorConfirmForm(request.POST)
    if submit(form, two_factor.confirm_two_factor_setup, user=request.user):
        messages.success(request, "Two-factor authentication is on.")
        return _security_page(request, recovery_codes=form.result)
    return _security_page(request, confirm_form=form)


@login_required
@require_POST
def recovery_codes(request):
    codes = []
    if attempt(request, lambda: codes.extend(two_factor.regenerate_recovery_codes(user=request.user))):
        messages.success(request, "New recovery codes are ready; the old ones no longer work.")
    return _security_page(request, recovery_codes=codes or None)


@login_required
@require_POST
def two_factor_disable(request):
    form = forms.TwoFactorDisableForm(request.POST)
    if submit(form, two_factor.disable_two_factor, user=request.user):
        messages.success(request, "Two-factor authentication is off.")
        return redirect("users:security")
    return _security_page(request, disable_form=form)


# --- Own profile --------------------------------------------------------------------------------


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


@login_required
def blocked(request):
    cursor, size = page_params(request.GET)
    page = repositories.list_blocked(request.user, cursor=cursor, size=size)
    return render(request, "users/blocked.html", list_context(request, page))


# --- People -------------------------------------------------------------------------------------


def _people_page(request, username, list_function, title: str):
    user = repositories.get_profile_for(request.user, username)
    cursor, size = page_params(request.GET)
    page = list_function(request.user, user, cursor=cursor, size=size)
    return render(request, "users/people.html", list_context(request, page, profile_user=user, title=title))


def followers(request, username):
    return _people_page(request, username, repositories.list_followers, "Followers")


def following(request, username):
    return _people_page(request, username, repositories.list_following, "Following")


def _relation_view(action: Callable, done: str):
    """A POST button on someone's profile or card: act, say so, go back where it was pressed."""

    @login_required
    @require_POST
    def view(request, username):
        user = repositories.get_profile_for(request.user, username)
        if attempt(request, lambda: action(request.user, user)):
            messages.success(request, done.format(username=user.username))
        return redirect(safe_next(request, reverse("users:profile", args=[user.username])))

    return view


follow = _relation_view(lambda me, them: relations.follow_user(follower=me, followee=them), "You follow @{username}.")
unfollow = _relation_view(
    lambda me, them: relations.unfollow_user(follower=me, followee=them), "You no longer follow @{username}."
)
unblock = _relation_view(
    lambda me, them: relations.unblock_user(blocker=me, blocked=them), "You unblocked @{username}."
)
_block = _relation_view(lambda me, them: relations.block_user(blocker=me, blocked=them), "You blocked @{username}.")


@login_required
def block(request, username):
    """GET asks for confirmation (works without JavaScript); POST blocks."""
    if request.method == "POST":
        return _block(request, username)
    user = repositories.get_profile_for(request.user, username)
    return render(request, "users/block_confirm.html", {"profile_user": user, "next": safe_next(request, "")})

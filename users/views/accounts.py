"""Web pages of accounts: sign-up, login (with its second step) and logout, passwords. Each
view parses a form, calls one service and renders; domain errors land on the form."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.http import client_ip, safe_next
from core.views import bound, render_form, submit

from .. import forms, repositories
from ..backends import EmailOrUsernameBackend
from ..services import accounts, two_factor
from .two_factor import security_page

AUTH_BACKEND = "users.backends.EmailOrUsernameBackend"
PENDING_LOGIN = "pending_second_factor"  # session key: who passed the password step, and where to go
PENDING_RESTORE = "pending_restore"  # session key: whose password was right but who is scheduled for deletion


# --- Sign-up --------------------------------------------------------------------------------------


def _confirm_url(email: str) -> str:
    return f"{reverse('users:signup_confirm')}?{urlencode({'email': email})}"


def signup(request):
    form = bound(request, forms.SignUpForm)
    if submit(form, accounts.sign_up, ip=client_ip(request)):
        messages.success(request, f"We emailed a 6-digit code to {form.result.email}. Enter it below.")
        return redirect(_confirm_url(form.result.email))
    return render_form(request, "users/signup.html", form)


def signup_confirm(request):
    form = bound(request, forms.ConfirmSignUpForm, initial={"email": request.GET.get("email", "")})
    if submit(form, accounts.confirm_signup, ip=client_ip(request)):
        login(request, form.result, backend=AUTH_BACKEND)
        messages.success(request, f"Welcome to {settings.SITE_NAME}! Tell people a little about yourself.")
        return redirect("users:edit_profile")
    return render_form(request, "users/signup_confirm.html", form)


@require_POST
def signup_resend(request):
    form = forms.ResendCodeForm(request.POST)
    if submit(form, lambda email, code: accounts.resend_signup_code(email=email, ip=client_ip(request))):
        # The same words whether or not a sign-up waits for the address: they reveal nothing.
        messages.success(request, "If a sign-up is waiting for this address, we emailed it a new code.")
        return redirect(_confirm_url(form.cleaned_data["email"]))
    return render_form(request, "users/signup_confirm.html", form)


# --- Login and logout -------------------------------------------------------------------------


def _finish_login(request, user, goto: str):
    login(request, user, backend=AUTH_BACKEND)
    messages.success(request, f"Welcome back, {user.username}!")
    return redirect(goto)


def login_view(request):
    goto = safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))
    form = bound(request, forms.LoginForm)
    if submit(form, accounts.authenticate_user, ip=client_ip(request)):
        if two_factor.has_two_factor(form.result):
            request.session[PENDING_LOGIN] = {"user": form.result.pk, "next": goto}
            return redirect("users:login_verify")
        return _finish_login(request, form.result, goto)
    if form.error_code == "deletion_scheduled":  # the password was right: offer to cancel
        user = repositories.get_user_by_identifier(form.cleaned_data["identifier"])
        request.session[PENDING_RESTORE] = {"user": user.pk if user else None, "next": goto}
        return redirect("users:restore_account")
    return render_form(request, "users/login.html", form, next=goto)


def login_verify(request):
    """The second login step for accounts with two-factor authentication."""
    pending = request.session.get(PENDING_LOGIN) or {}
    user = EmailOrUsernameBackend().get_user(pending.get("user"))  # None once it may not log in
    if user is None:
        return redirect("users:login")
    form = bound(request, forms.SecondFactorForm)
    if submit(form, two_factor.verify_second_factor, ip=client_ip(request), user=user):
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
    if submit(form, accounts.request_password_reset, ip=client_ip(request)):
        messages.success(request, "If an account uses this address, we emailed it a code. Enter it below.")
        email = form.cleaned_data["email"]
        return redirect(f"{reverse('users:password_reset_confirm')}?{urlencode({'email': email})}")
    return render_form(request, "users/password_reset.html", form)


def password_reset_confirm(request):
    form = bound(request, forms.PasswordResetForm, initial={"email": request.GET.get("email", "")})
    if submit(form, accounts.reset_password, ip=client_ip(request)):
        messages.success(request, "Your password is changed. Log in with the new one.")
        return redirect("users:login")
    return render_form(request, "users/password_reset_confirm.html", form)


@login_required
@require_POST
def password_change(request):
    """A form on the security page (two_factor.security_page), which shows it again on an error."""
    form = forms.PasswordChangeForm(request.POST)
    if submit(form, accounts.change_password, user=request.user):
        update_session_auth_hash(request, request.user)
        messages.success(request, "Your password is changed. Other sessions and apps were logged out.")
        return redirect("users:security")
    return security_page(request, password_form=form)

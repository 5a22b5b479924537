"""Web pages of the security settings: the page itself (password and two-factor forms) and
the TOTP second factor's set-up, recovery codes and switching off."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.views import attempt, submit

from .. import forms, repositories
from ..services import two_factor


def security_page(request, **overrides):
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
    return security_page(request)


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
        return security_page(request, recovery_codes=form.result)
    return security_page(request, confirm_form=form)


@login_required
@require_POST
def recovery_codes(request):
    codes = []
    if attempt(request, lambda: codes.extend(two_factor.regenerate_recovery_codes(user=request.user))):
        messages.success(request, "New recovery codes are ready; the old ones no longer work.")
    return security_page(request, recovery_codes=codes or None)


@login_required
@require_POST
def two_factor_disable(request):
    form = forms.TwoFactorDisableForm(request.POST)
    if submit(form, two_factor.disable_two_factor, user=request.user):
        messages.success(request, "Two-factor authentication is off.")
        return redirect("users:security")
    return security_page(request, disable_form=form)

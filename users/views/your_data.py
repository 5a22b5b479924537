"""Web pages of 'Your data': downloading everything of one's own, deleting the account, and
cancelling a deletion from the login page during the grace period."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.views import attempt, bound, submit

from .. import forms, repositories
from ..integrations import storage
from ..services import deletion, two_factor, your_data
from .accounts import AUTH_BACKEND, PENDING_RESTORE


def your_data_page(request, delete_form=None):
    context = {
        "export": repositories.latest_data_export(request.user),
        "delete_form": delete_form or forms.DeleteAccountForm(two_factor=two_factor.has_two_factor(request.user)),
        "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
        "keep_days": settings.DATA_EXPORT_KEEP_DAYS,
    }
    return render(request, "users/your_data.html", context, status=delete_form.status if delete_form else 200)


@login_required
@require_safe
def your_data_view(request):
    return your_data_page(request)


@login_required
@require_POST
def request_export(request):
    """The page's button without JavaScript (the script calls the API and shows the progress)."""
    if attempt(request, lambda: your_data.request_data_export(user=request.user)):
        messages.success(request, "Your download is being made. This page shows when it is ready.")
    return redirect("users:your_data")


@login_required
@require_safe
def download_export(request, export_id: int):
    """The zip, to its owner only (anyone else gets 404), as an attachment."""
    export = repositories.get_downloadable_export_for(request.user, export_id)
    return FileResponse(storage.open_file(export.file), as_attachment=True, filename=export.download_name)


@login_required
@require_POST
def delete_account(request):
    form = forms.DeleteAccountForm(request.POST, two_factor=two_factor.has_two_factor(request.user))
    if not submit(form, deletion.schedule_account_deletion, user=request.user):
        return your_data_page(request, delete_form=form)
    logout(request)
    messages.success(
        request,
        f"Your account will be deleted on {form.result:%-d %B %Y}. Until then, log in to cancel the deletion.",
    )
    return redirect(settings.LOGOUT_REDIRECT_URL)


def restore_account(request):
    """Reached from the login page by someone whose password was right but whose account is
    waiting to be deleted: cancel the deletion (2FA code asked here when on) and log in."""
    pending = request.session.get(PENDING_RESTORE) or {}
    user = repositories.get_account_scheduled_for_deletion(pending.get("user"))
    if user is None:
        return redirect("users:login")
    form = bound(request, forms.RestoreAccountForm, two_factor=two_factor.has_two_factor(user))
    if submit(form, deletion.cancel_account_deletion, user=user):
        del request.session[PENDING_RESTORE]
        login(request, user, backend=AUTH_BACKEND)
        messages.success(request, f"Welcome back, {user.username}! Your account is no longer scheduled for deletion.")
        return redirect(pending["next"])
    days_left = max(0, (user.deletion_due_at - timezone.now()).days)
    return render(
        request,
        "users/restore_account.html",
        {"form": form, "due": user.deletion_due_at, "days_left": days_left},
        status=form.status,
    )

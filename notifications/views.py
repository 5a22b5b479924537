"""Web pages of notifications: the full list, marking read, the settings page with Web Push
devices, the unsubscribe page the emails link to, and the service worker at the site's root.
Each view parses, calls one service or repository function and renders; NotFound rises to
core's middleware (404). The bell in the navbar and live updates are
static/js/notifications/notifications.js on top of these pages and the API."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.exceptions import DomainError
from core.http import id_param, next_page_url, safe_next
from core.pagination import page_params

from . import repositories, strategies
from .forms import PreferencesForm
from .services.devices import remove_push_subscription
from .services.inbox import mark_all_read, mark_read
from .services.preferences import set_preferences, stop_emails
from .tokens import DIGEST, emails_about, read_token

SERVICE_WORKER = "js/notifications/sw.js"


@login_required
def notification_list(request):
    """All my notifications (or ?unread=1 only the unread ones), newest first, page by page."""
    unread_only = request.GET.get("unread") == "1"
    cursor, size = page_params(request.GET)
    page = repositories.list_notifications(request.user, cursor=cursor, size=size, unread_only=unread_only)
    context = {
        "page": page,
        "next_page_url": next_page_url(request, page),
        "unread_only": unread_only,
        "is_first_page": cursor is None,
        # The newest id shown: "mark all as read" stops there, and live updates catch up after it.
        "newest_id": page.items[0].pk if page.items and cursor is None else None,
    }
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def read(request, notification_id):
    """Mark one of my notifications read, then go back (or on to ?next=)."""
    mark_read(user=request.user, notification_id=notification_id)
    return redirect(safe_next(request, reverse("notifications:list")))


@login_required
@require_POST
def read_all(request):
    """Mark my notifications read, up to the newest one the page showed (`up_to`)."""
    changed = mark_all_read(user=request.user, up_to=id_param(request.POST, "up_to", of="notification"))
    if changed:
        messages.success(request, "All caught up: every notification is marked read.")
    return redirect(safe_next(request, reverse("notifications:list")))


# --- Settings ------------------------------------------------------------------------------------


@login_required
def preferences(request):
    """Which kinds reach me on which channel, the daily digest, my phone, my push devices."""
    delivery = repositories.delivery_settings_of(request.user.pk)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        preferences=repositories.preferences_of(request.user),
        initial={"email_digest": delivery.email_digest, "phone": delivery.phone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = form.changes()
            set_preferences(
                user=request.user,
                choices=changes["choices"],
                email_digest=changes["email_digest"],
                phone=changes["phone"],
            )
        except DomainError as error:
            form.fail(error)
        else:
            messages.success(request, "Your notification settings are saved.")
            return redirect("notifications:settings")
    context = {
        "form": form,
        "push_available": strategies.push_configured(),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        "devices": repositories.push_subscriptions_of(request.user.pk),
    }
    return render(request, "notifications/settings.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def remove_device(request, subscription_id):
    """Stop pushes to one of my devices (already gone: nothing to do)."""
    device = repositories.push_subscriptions_of(request.user.pk).filter(pk=subscription_id).first()
    if device is not None and remove_push_subscription(user=request.user, endpoint=device.endpoint):
        messages.success(request, "That device gets no more push notifications.")
    else:
        messages.info(request, "That device was already removed.")
    return redirect(reverse("notifications:settings") + "#push")


# --- Unsubscribing from emails ------------------------------------------------------------------


# csrf_exempt: the signed token in the URL is what authorises the change, not the session, and
# mail clients send the RFC 8058 one-click POST ("List-Unsubscribe=One-Click") without any
# cookie or CSRF token. A forged cross-site POST would need the token, which only the email holds.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks to confirm (link checkers and mail scanners open links, so a GET changes
    nothing); POST, from the page or from the mail client's one-click button, stops the emails."""
    user, kind = read_token(token)
    done = request.method == "POST"
    if done:
        stop_emails(user=user, kind=kind)
    context = {"about": emails_about(kind), "done": done, "digest": kind == DIGEST}
    return render(request, "notifications/unsubscribe.html", context)


# --- The service worker --------------------------------------------------------------------------


@require_safe
def service_worker(request):
    """static/js/notifications/sw.js served from the site's root: a worker controls only pages
    under its own path, and Web Push needs one over the whole site. Never cached, so an update
    reaches the browser at its next check."""
    path = finders.find(SERVICE_WORKER)
    if path is None:
        raise Http404("No service worker.")
    response = HttpResponse(Path(path).read_bytes(), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response

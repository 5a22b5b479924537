from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme

from .exceptions import ValidationFailed


def client_ip(request) -> str:
    """The client's address: the socket peer, or the entry the trusted proxies appended."""
    if settings.NUM_PROXIES:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= settings.NUM_PROXIES:
            return forwarded[-settings.NUM_PROXIES]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def viewer_key(request) -> str:
    """Who a view is counted for: the account, or the address of an anonymous reader."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_ip(request)}"


def safe_next(request, default: str) -> str:
    """The ?next= (or posted next) address if it stays on this site, else `default`."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def next_page_url(request, page) -> str | None:
    """This page's address with the next page's cursor, keeping the other query parameters."""
    if not page.next_cursor:
        return None
    query = request.GET.copy()
    query["cursor"] = page.next_cursor
    return f"{request.path}?{query.urlencode()}"


def id_param(data, name: str, *, of: str) -> int | None:
    """An optional id in query or form data (`?after=`, a posted `up_to`): None when absent,
    ValidationFailed (400) when it is not a whole number."""
    value = data.get(name)
    if value in (None, ""):
        return None
    # isascii() too: isdigit() also takes "²" or "٣", which int() then refuses or reads.
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise ValidationFailed.on(name, f"{name} must be a {of} id (a whole number).")
    return int(value)

from django.conf import settings


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

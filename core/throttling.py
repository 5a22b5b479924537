from rest_framework.throttling import BaseThrottle

from . import ratelimit
from .exceptions import RateLimited
from .http import client_ip


class ApiRateThrottle(BaseThrottle):
    """Every API request counts: per user when authenticated, per address otherwise."""

    def allow_request(self, request, view):
        if request.user and request.user.is_authenticated:
            scope, key = "api_user", f"user:{request.user.pk}"
        else:
            scope, key = "api_anon", client_ip(request)
        try:
            ratelimit.hit(scope, key)
        except RateLimited as exc:
            self._wait = exc.retry_after
            return False
        return True

    def wait(self):
        return self._wait

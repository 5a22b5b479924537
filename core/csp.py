"""Content-Security-Policy: django-csp's middleware fitted to this site, and the endpoint that
browsers send violation reports to.

The policy itself is settings.CONTENT_SECURITY_POLICY (or ..._REPORT_ONLY when CSP_REPORT_ONLY
is on). Pages get it with the response's nonce; JSON answers are data that is never rendered,
so they get DATA_POLICY, which allows nothing."""

from __future__ import annotations

import json
import logging

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import ratelimit
from .http import client_ip

logger = logging.getLogger(__name__)

DATA_POLICY = {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
REPORT_MAX_BYTES = 64 * 1024
# The fields of a violation worth a log line, in the two report formats (report-uri's
# application/csp-report and the Reporting API's application/reports+json).
REPORT_FIELDS = {
    "document-uri": "documentURL",
    "effective-directive": "effectiveDirective",
    "blocked-uri": "blockedURL",
    "source-file": "sourceFile",
    "line-number": "lineNumber",
    "disposition": "disposition",
}
FIELD_MAX_CHARS = 300


def _is_json(response) -> bool:
    media_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, plus: a page may open a WebSocket to the host it came from (older
    browsers do not count ws:/wss: as 'self'), and JSON answers get DATA_POLICY."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        configured = settings.CONTENT_SECURITY_POLICY_REPORT_ONLY if report_only else settings.CONTENT_SECURITY_POLICY
        if not configured:
            return parts
        if _is_json(response):
            return PolicyParts(config=DATA_POLICY)
        try:
            host = request.get_host()
        except DisallowedHost:  # the 400 answering a bad Host header
            return parts
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", ()), f"ws://{host}", f"wss://{host}"]
        parts.update = update
        return parts


def _violations(content_type: str, body: bytes) -> list[dict]:
    """The violations in a report body; ValueError when it is not a report."""
    data = json.loads(body)
    if content_type in ("application/csp-report", "application/json") and isinstance(data, dict):
        report = data.get("csp-report")
        if isinstance(report, dict):
            return [{name: report.get(name) for name in REPORT_FIELDS}]
    if content_type == "application/reports+json" and isinstance(data, list):
        items = [item for item in data if isinstance(item, dict) and item.get("type") == "csp-violation"]
        bodies = [item["body"] for item in items if isinstance(item.get("body"), dict)]
        if items and len(bodies) == len(items):
            return [{name: body.get(key) for name, key in REPORT_FIELDS.items()} for body in bodies]
    raise ValueError("not a CSP violation report")


def log_violation(violation: dict) -> None:
    fields = " ".join(f"{name}={str(value)[:FIELD_MAX_CHARS]!r}" for name, value in violation.items())
    logger.warning("Content-Security-Policy violation: %s", fields)


@csrf_exempt  # browsers send reports without a token, and nothing is changed
@require_POST
def report(request):
    """Where browsers send CSP violation reports: each is logged. 204 for a report, 400 for
    anything else; rate-limited per client address (429)."""
    ratelimit.hit("csp_report", client_ip(request))
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > REPORT_MAX_BYTES:
            raise ValueError("too long for a report")
        violations = _violations(request.content_type.lower(), request.body)
    except ValueError:  # json.JSONDecodeError and UnicodeDecodeError included
        return HttpResponse(status=400)
    for violation in violations:
        log_violation(violation)
    return HttpResponse(status=204)

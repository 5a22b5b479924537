"""The Content-Security-Policy (core.csp, config/settings.py): pages are sent the enforcing
policy with a nonce new in every response, JSON answers a policy allowing nothing, the
CSP_REPORT_ONLY switch sends the same policy without enforcing it, and /csp-report logs the
violations browsers send (204), refuses anything else (400) and is rate-limited."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import path, reverse

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401  (this module is ROOT_URLCONF)
from config.urls import urlpatterns as site_urlpatterns
from core.csp import DATA_POLICY
from core.templatetags.avatars import HUES, SIZES, avatar
from tests.architecture.floors import ROOT

PAGE_POLICY = (
    "default-src 'self'",
    "script-src 'self' 'nonce-{nonce}'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self' ws://testserver wss://testserver",
    "worker-src 'self' blob:",
    "font-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "report-uri /csp-report",
)
NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")


def directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";")}


def logged(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "core.csp"]


def nonce_of(header: str) -> str:
    match = NONCE.search(header)
    assert match, header
    return match[1]


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *site_urlpatterns]


# --- The policy on pages ------------------------------------------------------------------------


def test_a_page_carries_the_enforcing_policy_with_the_nonce_of_its_scripts(client, user):
    # given a signed-in person
    client.force_login(user)
    # when they open the home page
    response = client.get("/")
    # then the policy is enforced, exactly as written, with this response's nonce
    header = response["Content-Security-Policy"]
    nonce = nonce_of(header)
    assert directives(header) == {part.format(nonce=nonce) for part in PAGE_POLICY}
    assert "Content-Security-Policy-Report-Only" not in response
    # and every script of the page carries that nonce
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert len(scripts) >= 3
    assert [re.search(r'nonce="([^"]*)"', tag)[1] for tag in scripts if "nonce=" in tag] == [nonce] * 3


def test_the_nonce_is_new_in_every_response(client):
    # when the login page is opened twice
    first = client.get(reverse("users:login"))
    second = client.get(reverse("users:login"))
    # then each answer has its own nonce, the one in its HTML
    nonces = [nonce_of(response["Content-Security-Policy"]) for response in (first, second)]
    assert nonces[0] != nonces[1]
    for response, nonce in zip((first, second), nonces, strict=True):
        assert f'nonce="{nonce}"' in response.content.decode()


@pytest.mark.django_db
def test_error_pages_carry_the_policy(settings):
    # given a page that fails with a bug, and a client that checks CSRF tokens
    settings.ROOT_URLCONF = __name__
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    # when a missing page, the failing page and a form posted without its token are asked for
    answers = [client.get("/no-such-page/"), client.get("/boom/"), client.post(reverse("users:login"))]
    # then each is the themed error page under the page policy
    assert [answer.status_code for answer in answers] == [404, 500, 403]
    for answer in answers:
        assert "style-src 'self'" in directives(answer["Content-Security-Policy"])
        assert "Error code: <code>" in answer.content.decode()


def test_json_answers_get_the_policy_that_allows_nothing(client, api_client):
    # when the API and the health check answer
    answers = [api_client.get("/api/me/"), client.get(reverse("healthz"))]
    # then they are data, under the policy that allows nothing
    assert [answer["Content-Type"] for answer in answers] == ["application/json"] * 2
    for answer in answers:
        assert directives(answer["Content-Security-Policy"]) == {"default-src 'none'", "frame-ancestors 'none'"}
    assert DATA_POLICY == {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}


@pytest.mark.django_db
def test_a_request_for_another_host_is_refused_without_a_crash(client):
    # when a request names a host the site does not serve
    response = client.get("/", HTTP_HOST="evil.example")
    # then it is refused (400), and the policy is still sent, without a WebSocket host
    assert response.status_code == 400
    assert "connect-src 'self'" in directives(response["Content-Security-Policy"])


@pytest.mark.django_db
def test_the_report_only_switch_sends_the_policy_without_enforcing_it(client, settings):
    # given the policy configured as report-only (what CSP_REPORT_ONLY=True does)
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None
    # when a page and an API answer are asked for
    page = client.get(reverse("users:login"))
    data = client.get(reverse("healthz"))
    # then the same policy is only reported, never enforced
    assert "Content-Security-Policy" not in page and "Content-Security-Policy" not in data
    header = page["Content-Security-Policy-Report-Only"]
    assert directives(header) == {part.format(nonce=nonce_of(header)) for part in PAGE_POLICY}
    assert directives(data["Content-Security-Policy-Report-Only"]) == {"default-src 'none'", "frame-ancestors 'none'"}


def test_the_environment_switches_report_only_and_adds_media_origins():
    # given the environment of a site trying the policy, with media on a bucket's host
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CONTENT_SECURITY_POLICY, s.CONTENT_SECURITY_POLICY_REPORT_ONLY], default=repr))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CSP_REPORT_ONLY": "true",
        "MEDIA_ORIGINS": "https://media.example.org,https://cdn.example.org",
        "PATH": "/usr/bin:/bin",
    }
    # when the settings are read
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    # then only the report-only policy is set, and the media origins are in the media directives
    enforced, reported = json.loads(result.stdout)
    assert enforced is None
    origins = ["https://media.example.org", "https://cdn.example.org"]
    assert reported["DIRECTIVES"]["img-src"] == ["'self'", "data:", "blob:", *origins]
    assert reported["DIRECTIVES"]["media-src"] == ["'self'", "blob:", *origins]
    assert reported["DIRECTIVES"]["connect-src"] == ["'self'", *origins]
    assert reported["DIRECTIVES"]["script-src"] == ["'self'", "csp.constants.NONCE"]


def test_by_default_the_policy_is_enforced_and_media_comes_from_this_site():
    assert django_settings.CONTENT_SECURITY_POLICY_REPORT_ONLY is None
    assert django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == ["'self'", "data:", "blob:"]


# --- The report endpoint ------------------------------------------------------------------------

VIOLATION = {
    "document-uri": "http://testserver/",
    "referrer": "",
    "violated-directive": "script-src-elem",
    "effective-directive": "script-src-elem",
    "original-policy": "default-src 'self'",
    "disposition": "enforce",
    "blocked-uri": "inline",
    "line-number": 12,
    "source-file": "http://testserver/",
    "status-code": 200,
}
REPORTING_API = [
    {
        "type": "csp-violation",
        "age": 10,
        "url": "http://testserver/",
        "user_agent": "Chromium",
        "body": {
            "documentURL": "http://testserver/u/ana/",
            "effectiveDirective": "img-src",
            "blockedURL": "https://elsewhere.example/a.png",
            "sourceFile": None,
            "lineNumber": None,
            "disposition": "report",
        },
    }
]


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
def test_a_browser_report_is_logged(csrf_client, caplog):
    # when a browser posts a report-uri report, with no CSRF token as browsers do
    with caplog.at_level(logging.WARNING, logger="core.csp"):
        response = csrf_client.post(
            "/csp-report", json.dumps({"csp-report": VIOLATION}), content_type="application/csp-report"
        )
    # then it is taken and logged
    assert response.status_code == 204
    assert logged(caplog) == [
        "Content-Security-Policy violation: document-uri='http://testserver/' "
        "effective-directive='script-src-elem' blocked-uri='inline' source-file='http://testserver/' "
        "line-number='12' disposition='enforce'"
    ]


@pytest.mark.django_db
def test_a_reporting_api_report_is_logged(csrf_client, caplog):
    # when a browser posts a Reporting API batch
    with caplog.at_level(logging.WARNING, logger="core.csp"):
        response = csrf_client.post("/csp-report", json.dumps(REPORTING_API), content_type="application/reports+json")
    # then its violation is logged
    assert response.status_code == 204
    assert logged(caplog) == [
        "Content-Security-Policy violation: document-uri='http://testserver/u/ana/' effective-directive='img-src' "
        "blocked-uri='https://elsewhere.example/a.png' source-file='None' line-number='None' disposition='report'"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"not json", "application/csp-report"),
        (b"\xff\xfe", "application/csp-report"),
        (b'{"csp-report": "text"}', "application/csp-report"),
        (b'{"something": {}}', "application/csp-report"),
        (b"[1, 2]", "application/csp-report"),
        (json.dumps({"csp-report": VIOLATION}).encode(), "text/plain"),
        (b"[]", "application/reports+json"),
        (b"[1]", "application/reports+json"),
        (b'[{"type": "csp-violation", "body": "x"}]', "application/reports+json"),
        (b'{"type": "csp-violation"}', "application/reports+json"),
        (b'{"csp-report": {"x": "' + b"a" * 70_000 + b'"}}', "application/csp-report"),
    ],
)
def test_anything_but_a_report_is_refused(csrf_client, caplog, body, content_type):
    # when junk is posted to the report endpoint
    with caplog.at_level(logging.WARNING, logger="core.csp"):
        response = csrf_client.post("/csp-report", body, content_type=content_type)
    # then it is refused and nothing is logged
    assert response.status_code == 400
    assert logged(caplog) == []


@pytest.mark.django_db
def test_reports_are_rate_limited_per_address(csrf_client, settings):
    # given a limit of 3 reports per 5 minutes
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "csp_report": "3/300"}
    report = json.dumps({"csp-report": VIOLATION})
    # when one address posts 4 reports (junk counts too)
    codes = [
        csrf_client.post("/csp-report", body, content_type="application/csp-report").status_code
        for body in (report, "junk", report, report)
    ]
    # then the fourth waits, while another address is still heard
    assert codes == [204, 400, 204, 429]
    other = csrf_client.post("/csp-report", report, content_type="application/csp-report", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 204


@pytest.mark.django_db
def test_the_report_endpoint_only_takes_posts(client):
    assert client.get("/csp-report").status_code == 405


# --- Avatars: sizes and colours are classes -----------------------------------------------------


def test_every_avatar_size_and_hue_has_its_class_in_the_theme():
    theme = (ROOT / "static/css/theme.css").read_text()
    for size in SIZES:
        assert f".avatar-{size} {{ --avatar-size: {size}px; }}" in theme
    for hue in range(HUES):
        assert f".avatar-hue-{hue} {{ --avatar-hue: {hue * 30}; }}" in theme


def test_an_avatar_size_without_a_class_is_refused(user):
    with pytest.raises(ValueError, match="An avatar of 50 px has no class"):
        avatar(user, 50)

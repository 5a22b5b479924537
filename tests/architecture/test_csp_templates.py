"""Every page template keeps to the Content-Security-Policy (config/settings.py): no inline
script without the response's nonce, no inline event handler, no javascript: URL, no style
attribute and no <style> block. Code goes to static/js/<app>/, looks to static/css/. Emails
are exempt: they are read in mail clients, which drop <style> and never see the policy. The
site's scripts write no style attributes and evaluate no strings either."""

from __future__ import annotations

import re

import pytest

from .floors import ROOT, templates

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[a-zA-Z][^<>]*>")  # an element's start tag, with its attributes
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript\s*:""", re.IGNORECASE)
COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.DOTALL)
DATA_SCRIPT = re.compile(r"""\stype\s*=\s*["']application/(ld\+)?json["']""", re.IGNORECASE)
NONCE = re.compile(r"""\snonce\s*=\s*["']\{\{\s*request\.csp_nonce\s*\}\}["']""")


def policy_problems(text: str) -> list[str]:
    """What in a template's `text` the policy would refuse."""
    text = COMMENT.sub("", text)
    problems = []
    for attributes, code in SCRIPT.findall(text):
        inline = code.strip() and " src=" not in f" {attributes}"
        if inline and not DATA_SCRIPT.search(attributes) and not NONCE.search(attributes):
            problems.append("inline script without the nonce")
    for tag in TAG.findall(text):
        if EVENT_HANDLER.search(tag):
            problems.append(f"event handler attribute in {tag!r}")
        if STYLE_ATTRIBUTE.search(tag):
            problems.append(f"style attribute in {tag!r}")
        if JAVASCRIPT_URL.search(tag):
            problems.append(f"javascript: URL in {tag!r}")
    if STYLE_BLOCK.search(text):
        problems.append("<style> block")
    return problems


# What the site's own scripts must not do under the policy: write style attributes (element.style
# is allowed: the CSSOM is not inline style), evaluate strings as code, or make javascript: URLs.
SCRIPT_PROBLEM = re.compile(
    r"""setAttribute\(\s*['"]style['"]|\bstyle\s*:\s*[`'"]|style=|\beval\(|new Function\(|javascript:"""
)


def script_problems(text: str) -> list[str]:
    return [match[0] for match in SCRIPT_PROBLEM.finditer(text)]


def page_templates() -> list[str]:
    return [str(path.relative_to(ROOT)) for path in templates() if "email" not in path.relative_to(ROOT).parts]


def test_the_scan_covers_every_app_and_the_site_templates():
    names = page_templates()
    assert {name.split("/")[0] for name in names} >= {"templates", "core", "notifications", "users", "posts", "videos"}
    assert "templates/base.html" in names and "notifications/templates/notifications/email/base.html" not in names


@pytest.mark.parametrize("name", page_templates())
def test_a_page_template_keeps_to_the_policy(name):
    assert policy_problems((ROOT / name).read_text()) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<script>alert(1)</script>", "inline script without the nonce"),
        ('<script type="module">\n import x from "y";\n</script>', "inline script without the nonce"),
        ('<script nonce="abc">go()</script>', "inline script without the nonce"),
        ("<button onclick='go()'>Go</button>", "event handler attribute in \"<button onclick='go()'>\""),
        ("<img src=x ONERROR=go()>", "event handler attribute in '<img src=x ONERROR=go()>'"),
        ('<div class="w" style="width: 2rem">', 'style attribute in \'<div class="w" style="width: 2rem">\''),
        ("<style>p { color: red }</style>", "<style> block"),
        ('<a href="javascript:void(0)">x</a>', "javascript: URL in '<a href=\"javascript:void(0)\">'"),
        ("{# fine #}<style>p { color: red }</style>", "<style> block"),
    ],
)
def test_the_scan_finds_what_the_policy_refuses(text, problem):
    assert policy_problems(text) == [problem]


@pytest.mark.parametrize(
    "text",
    [
        '<script src="/static/js/core/tooltips.js"></script>',
        '<script type="module" src="{% static \'x.js\' %}" nonce="{{ request.csp_nonce }}"></script>',
        '<script nonce="{{ request.csp_nonce }}">start();</script>',
        '<script type="application/json" id="data">{"a": 1}</script>',
        '{{ data|json_script:"data" }}',
        '<p data-online="yes" class="styled">Turn on notifications: on=off, or JavaScript: yes</p>',
        "{# no <style> block, no onclick= #}{% comment %}<script>x()</script>{% endcomment %}",
    ],
)
def test_the_scan_lets_what_the_policy_allows(text):
    assert policy_problems(text) == []


def site_scripts() -> list[str]:
    return [str(path.relative_to(ROOT)) for path in sorted(ROOT.glob("static/js/**/*.js"))]


@pytest.mark.parametrize("name", site_scripts())
def test_a_site_script_keeps_to_the_policy(name):
    assert script_problems((ROOT / name).read_text()) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("el('span', { style: `--avatar-hue: ${hue}` })", ["style: `"]),
        ("node.setAttribute('style', 'color: red')", ["setAttribute('style'"]),
        ("list.innerHTML = '<p style=\"x\">'", ["style="]),
        ("eval(code); const f = new Function('a', 'return a');", ["eval(", "new Function("]),
        ("link.href = 'javascript:void(0)'", ["javascript:"]),
        ("bar.style.width = `${percent}%`; image.style.setProperty('--avatar-size', '40px')", []),
    ],
)
def test_the_script_scan_finds_what_the_policy_refuses(text, found):
    assert script_problems(text) == found

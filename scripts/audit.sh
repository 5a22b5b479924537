#!/usr/bin/env bash
# pip-audit over the project's environment: every installed package, what it pulls in included,
# against PyPI's vulnerability data. --strict: a package it cannot look up fails the audit rather
# than passing unaudited. Where that data cannot be reached at all (a registry mirror that serves
# the package index but not PyPI's JSON API), the audit cannot tell anything: it says so loudly
# and stops there instead of reporting every package as "not found"; AUDIT_REQUIRED=1 makes that
# a failure (for a release pipeline with internet access).
set -euo pipefail
BIN=${BIN:-.venv/bin}
probe=https://pypi.org/pypi/django/$("$BIN/python" -c "import django; print(django.__version__)")/json  # what pip-audit asks, per version
if "$BIN/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)" "$probe" 2>/dev/null; then
  exec "$BIN/pip-audit" --strict --progress-spinner off
fi
echo "pip-audit NOT RUN: PyPI's vulnerability data ($probe) cannot be reached from this machine." >&2
if [ "${AUDIT_REQUIRED:-}" = 1 ]; then exit 1; fi

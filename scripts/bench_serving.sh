#!/usr/bin/env bash
# Serving benchmark: the same app under gunicorn (WSGI) and daphne (ASGI), measured with wrk on
# loopback. Uses the demo database; rate limits are lifted for the run. Figures: docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed (Debian: apt-get install wrk)"; exit 1; }
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
export DEBUG=False HTTPS=False SECRET_KEY=bench-only-$(date +%s)-not-secret-at-all-0123456789 \
  MEDIA_SIGNING_KEY=bench-only-media-key ALLOWED_HOSTS=127.0.0.1 RATE_LIMIT_API_ANON=1000000000/300 LOG_LEVEL=WARNING
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo --force >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0

measure() {  # name, url
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$2" | awk -v name="$1" '
    /Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
    END {printf "| %s | %s | %s | %s | %s |\n", name, rps, p50, p99, (bad ? bad : 0)}'
}

run_server() {  # label, command...
  local label=$1; shift
  "$@" >/tmp/bench-server.log 2>&1 &
  local pid=$!
  for _ in $(seq 50); do curl -fs http://127.0.0.1:8123/healthz >/dev/null 2>&1 && break; sleep 0.2; done
  measure "$label /healthz" http://127.0.0.1:8123/healthz
  measure "$label GET /api/users/demo/" http://127.0.0.1:8123/api/users/demo/
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true  # daphne may linger on TERM with open sockets
}

echo "| server, request | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
run_server "gunicorn (2 workers)" .venv/bin/gunicorn config.wsgi -b 127.0.0.1:8123 -w 2 --log-level warning
run_server "daphne (1 process)" .venv/bin/daphne -b 127.0.0.1 -p 8123 -v 0 config.asgi:application

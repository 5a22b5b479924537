#!/usr/bin/env bash
# Feed benchmark: a large MariaDB database, the app served as in production (gunicorn, 2 workers,
# DEBUG off, Redis), measured with wrk on loopback. In one run: a bare DRF endpoint doing one
# indexed query (config/bench_urls.py), the Following feed (20 posts) read through the Redis
# timelines and then from the pull query alone, and post search; each request for the next of
# many signed-in people (scripts/bench_feed.lua). CONNECTIONS (16) load the server to its limit;
# 2 connections, one per worker, show the latency of a request that does not wait in a queue.
# Figures: docs/BENCHMARKS.md.
#
#   BENCH_SIZE=large (default): 100,000 accounts each following 500, 1,000,000 posts
#   BENCH_SIZE=small:            10,000 accounts each following 500,   100,000 posts
#
# The database (shortmedia_bench, or shortmedia_bench_small) is seeded once per size and reused; Redis db 6 is emptied
# first, so timelines are built by a warm-up run that is not counted.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed (Debian: apt-get install wrk)"; exit 1; }
case "${BENCH_SIZE:-large}" in
  small) USERS=10000 DATABASE=shortmedia_bench_small ;;
  large) USERS=100000 DATABASE=shortmedia_bench ;;
  *) echo "BENCH_SIZE is small or large"; exit 1 ;;
esac
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-16}
PEOPLE=${PEOPLE:-200}  # signed-in people the requests rotate through
PORT=${PORT:-8124}
SERVER=${BENCH_MYSQL:-mysql://root@127.0.0.1:3306}
export DATABASE_URL=$SERVER/${BENCH_DATABASE:-$DATABASE} REDIS_URL=${BENCH_REDIS:-redis://127.0.0.1:6379/6}
export DJANGO_SETTINGS_MODULE=config.bench_settings DEBUG=False HTTPS=False ALLOWED_HOSTS=127.0.0.1 \
  SECRET_KEY=bench-only-$(date +%s)-not-secret-at-all-0123456789 MEDIA_SIGNING_KEY=bench-only-media-key LOG_LEVEL=WARNING \
  RATE_LIMIT_API_USER=1000000000/300 RATE_LIMIT_API_ANON=1000000000/300
PY=.venv/bin/python
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

seeded=$($PY manage.py shell -v 0 -c "
from django.db.utils import Error
try:
    from posts.models import Post
    from users.models import User
    print(User.objects.filter(username__startswith='bulk').count() == $USERS and Post.objects.count() >= $USERS * 10)
except Error:
    print(False)" 2>/dev/null || echo False)
if [ "$seeded" != True ]; then
  echo "Seeding $USERS accounts into a fresh ${DATABASE_URL##*/} (minutes for the large size)..."
  $PY - <<EOF
import MySQLdb, dj_database_url
settings = dj_database_url.parse("$DATABASE_URL")
server = MySQLdb.connect(host=settings["HOST"], port=settings["PORT"] or 3306, user=settings["USER"], password=settings["PASSWORD"])
server.query(f"DROP DATABASE IF EXISTS \`{settings['NAME']}\`")
server.query(f"CREATE DATABASE \`{settings['NAME']}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
EOF
  $PY manage.py migrate --noinput -v0
  $PY manage.py seed_demo --force --scale "$USERS"
fi
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
redis-cli -u "$REDIS_URL" flushdb >/dev/null

# Access tokens of people spread over the bulk accounts, one per line.
$PY manage.py shell -v 0 -c "
from users.models import User
from users.services.accounts import issue_tokens
people = User.objects.filter(username__startswith='bulk').order_by('pk').values_list('pk', flat=True)
step = max(1, people.count() // $PEOPLE)
for user in User.objects.filter(pk__in=list(people[::step][:$PEOPLE])):
    print(issue_tokens(user=user)['access'])" >"$WORK/tokens"
for term in coffee harbour recipe market river book train plant; do echo "/api/search/posts/?q=$term"; done >"$WORK/searches"

URL=http://127.0.0.1:$PORT
SERVER_PID=
serve() {  # extra environment for the server, e.g. FEED_TIMELINES=False
  stop
  env "$@" .venv/bin/gunicorn config.wsgi -b 127.0.0.1:$PORT -w 2 --log-level warning >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 50); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
}
stop() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=
}
trap 'stop; rm -rf "$WORK"' EXIT
load() {  # connections, duration, url, [paths file]
  BENCH_TOKENS=$WORK/tokens BENCH_PATHS=${4:-} wrk -t2 -c"$1" -d"$2" --latency --timeout 10s -s scripts/bench_feed.lua "$3"
}
measure() {  # name, connections, url, [paths file]
  load "$2" "$DURATION" "$3" "${4:-}" | tee -a "$WORK/wrk.log" | awk -v name="$1" -v connections="$2" '
    /Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} /Socket errors/ {errors=$0}
    END {printf "| %s | %s | %s | %s | %s | %s |\n", name, connections, rps, p50, p99, (bad ? bad : 0) (errors ? "; " errors : "")}'
  sleep 2  # let the workers finish what wrk left queued
}

serve
# Warm-up, not counted: worker start-up, the database's buffer pool, and everyone's timeline.
load "$CONNECTIONS" 10s "$URL/api/feeds/following/?size=20" >/dev/null
load "$CONNECTIONS" 5s "$URL/bench/bare/" >/dev/null
echo "| request | connections | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
measure "bare DRF endpoint, one indexed query" "$CONNECTIONS" "$URL/bench/bare/" | tee "$WORK/bare"
measure "Following feed, 20 posts (timelines)" "$CONNECTIONS" "$URL/api/feeds/following/?size=20" | tee "$WORK/feed"
measure "bare DRF endpoint, one indexed query" 2 "$URL/bench/bare/"
measure "Following feed, 20 posts (timelines)" 2 "$URL/api/feeds/following/?size=20"
# Search takes its time per request: two at a time, one per worker, so none waits in a queue.
measure "search posts (8 terms in turn)" 2 "$URL/" "$WORK/searches"
# The same feed from the pull query alone, as without Redis.
serve FEED_TIMELINES=False
load 2 5s "$URL/api/feeds/following/?size=20" >/dev/null
measure "Following feed, 20 posts (pull query)" "$CONNECTIONS" "$URL/api/feeds/following/?size=20"
measure "Following feed, 20 posts (pull query)" 2 "$URL/api/feeds/following/?size=20"
stop
$PY manage.py shell -v 0 -c "
from time import perf_counter
from posts import tasks
from posts.models import Post
posts = list(Post.objects.order_by('-pk')[:100])
started = perf_counter()
for post in posts:
    tasks.fan_out_new_post(post.pk)
print(f'| fan-out: a new post into its followers\\' timelines (Celery task body) | 1 | {len(posts) / (perf_counter() - started):.1f} posts/s | | | |')"
awk -F'|' 'NR == FNR {bare = $4; next} {printf "\nFollowing feed / bare endpoint throughput: %.2f\n", $4 / bare}' \
  "$WORK/bare" "$WORK/feed"
$PY manage.py shell -v 0 -c "
import os
from django.db import connection
from posts.models import Like, Post
from users.models import Follow, User
with connection.cursor() as cursor:
    cursor.execute('SELECT VERSION(), @@innodb_buffer_pool_size DIV 1048576')
    version, pool = cursor.fetchone()
print(f'\\nData: {User.objects.count():,} accounts, {Follow.objects.count():,} follows, {Post.objects.count():,} posts, '
      f'{Like.objects.count():,} likes. Machine: {os.cpu_count()} cores, MariaDB {version} (buffer pool {pool} MiB).')"

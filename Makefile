# Short Media. `make run` and `make test` do all set-up themselves on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The services suite: MariaDB/MySQL and Redis as they run on the development machine.
SERVICES_DATABASE_URL ?= mysql://root@127.0.0.1:3306/shortmedia
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/1
# The embedded default: no servers, whatever the shell exports.
EMBEDDED := env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL

.PHONY: setup run test test-services lint migrate seed mysql-deps nginx-deps ffmpeg-deps browser-deps bench-serving bench-feed bench-ws bench-video bench-load clean

setup: $(VENV)/.installed static/vendor/.installed ffmpeg-deps

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Front-end packages come from the npm registry at set-up time and are served from static/vendor/.
static/vendor/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to fetch the front-end packages (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --silent
	rm -rf static/vendor && mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
	   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
	   static/vendor/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/
	mkdir -p static/vendor/hls.js
	cp node_modules/hls.js/dist/hls.min.js static/vendor/hls.js/
	if [ -f node_modules/hls.js/dist/hls.min.js.map ]; then cp node_modules/hls.js/dist/hls.min.js.map static/vendor/hls.js/; fi
	touch $@

migrate: setup
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# Web Push needs a VAPID key pair: made once into var/vapid.env (kept out of git) and handed to
# the server in its environment unless the shell or .env sets one; production sets VAPID_* itself.
run: setup
	$(EMBEDDED) $(BIN)/python manage.py migrate --noinput
	$(EMBEDDED) $(BIN)/python manage.py generate_vapid_keys --env-file var/vapid.env
	$(EMBEDDED) $(BIN)/python manage.py seed_demo
	@echo "Serving Short Media at http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	if [ -z "$$VAPID_PRIVATE_KEY" ] && ! grep -qs '^VAPID_PRIVATE_KEY=.' .env; then set -a; . ./var/vapid.env; set +a; fi; \
	$(EMBEDDED) $(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application

test: setup
	-@$(MAKE) --no-print-directory browser-deps
	$(EMBEDDED) $(BIN)/pytest -m "not services" $(PYTEST_ARGS)

# The same suite against MariaDB/MySQL, Redis (cache, channel layer, Celery broker) and a real
# Celery worker, plus the tests that need those servers.
test-services: setup mysql-deps nginx-deps
	$(BIN)/pip install --quiet -r requirements-mysql.txt
	-@$(MAKE) --no-print-directory browser-deps
	DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL) $(BIN)/pytest $(PYTEST_ARGS)

# ruff (security rules included), mypy, import-linter's contracts (pyproject.toml): the floors, no
# app's views or API importing another's, no import cycle inside an app; and pip-audit over the
# installed packages (scripts/audit.sh: strict, and it says so when PyPI's advisory data cannot be
# reached from the machine).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	BIN=$(BIN) scripts/audit.sh

# The main journeys under locust against gunicorn on MariaDB and Redis, longer than the services
# suite's bounded run (LOAD_SECONDS, LOAD_USERS); figures go to docs/BENCHMARKS.md.
bench-load: setup mysql-deps
	$(BIN)/pip install --quiet -r requirements-mysql.txt
	LOAD_SECONDS=$${LOAD_SECONDS:-60} LOAD_USERS=$${LOAD_USERS:-50} DATABASE_URL=$(SERVICES_DATABASE_URL) \
	REDIS_URL=$(SERVICES_REDIS_URL) $(BIN)/pytest -m services -s -q tests/services/test_load.py

# gunicorn beside daphne on the same app with wrk; figures go to docs/BENCHMARKS.md.
bench-serving: setup
	@command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
	scripts/bench_serving.sh

# The Following feed beside a bare DRF endpoint, and search, on a large MariaDB database under
# gunicorn with wrk (BENCH_SIZE=small for a quick run); figures go to docs/BENCHMARKS.md.
bench-feed: setup mysql-deps
	$(BIN)/pip install --quiet -r requirements-mysql.txt
	@command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
	scripts/bench_feed.sh

# WebSocket delivery (issue 4): real daphne processes on Redis with 100 and 1,000 sockets, both
# channels-redis layers, 1 and 2 servers (about 5 minutes); figures go to docs/BENCHMARKS.md.
bench-ws: setup mysql-deps
	$(BIN)/pip install --quiet -r requirements-mysql.txt
	$(BIN)/python scripts/bench_ws.py $(BENCH_WS_ARGS)

# Video processing (issue 5) against real renditions: the pipeline on a generated 5-second
# 1080x1920 clip beside one plain ffmpeg command, with a real Celery worker on Redis, and the time
# to the first frame in Chromium; figures go to docs/BENCHMARKS.md.
bench-video: setup
	-@$(MAKE) --no-print-directory browser-deps
	$(BIN)/python scripts/bench_video.py $(BENCH_VIDEO_ARGS)

# Videos are probed and transcoded by ffmpeg/ffprobe: Debian/Ubuntu packages where they are missing.
ffmpeg-deps:
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q ffmpeg >/dev/null; \
	  elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then \
	    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q ffmpeg >/dev/null; \
	  else \
	    echo "ffmpeg and ffprobe are needed to process videos (uploads are refused without them)."; \
	    echo "Install them (Fedora: dnf install ffmpeg; macOS: brew install ffmpeg) or set FFMPEG_BINARY/FFPROBE_BINARY."; \
	  fi; }

# The media tests put a real nginx (secure_link, deploy/nginx/media.conf) in front of the files.
nginx-deps:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null; \
	  elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then \
	    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null; \
	  else \
	    echo "nginx is needed by the media tests of the services suite (they are skipped without it)."; \
	  fi; }

# mysqlclient compiles against the MySQL/MariaDB client headers.
mysql-deps:
	@pkg-config --exists mysqlclient 2>/dev/null || pkg-config --exists libmariadb 2>/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-libmysqlclient-dev pkg-config build-essential; \
	  elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then \
	    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-libmysqlclient-dev pkg-config build-essential; \
	  else \
	    echo "mysqlclient needs the MySQL/MariaDB client headers and pkg-config."; \
	    echo "Install them (Debian/Ubuntu: default-libmysqlclient-dev pkg-config; Fedora: mariadb-connector-c-devel;"; \
	    echo "macOS: brew install mysql-client pkg-config) and run this again."; exit 1; \
	  fi; }

# Browser tests drive Debian's chromium; without it they are skipped with a reason.
browser-deps:
	@command -v chromium >/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; \
	  else echo "chromium not found: browser tests will be skipped"; fi; }

clean:
	rm -rf $(VENV) node_modules static/vendor var db.sqlite3*
